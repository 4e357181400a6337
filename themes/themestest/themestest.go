// Package themestest renders pages for the tests of the packages that own
// them (authz, selfservice, the portal): each page with its data struct,
// in every language the renderer ships, checked for what it must show.
// Only tests import it.
package themestest

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"

	"foyer/themes"
)

// Page is one page rendered with its data struct. Want holds what the
// page must show; an entry starting with "t:" is a message key, expected
// translated (and escaped) in the page's language.
type Page struct {
	Name, Template string
	Data           any
	Want           []string
}

// Reporter is the part of *testing.T that RenderEach reports through.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// RenderEach renders every page in every language of r and reports each
// render error and each wanted string the page lacks.
func RenderEach(t Reporter, r *themes.Renderer, pages []Page) {
	t.Helper()
	for _, p := range pages {
		for _, lang := range r.Languages() {
			w := httptest.NewRecorder()
			err := r.Render(w, httptest.NewRequest(http.MethodGet, "/", nil), themes.Page{Template: p.Template, Lang: lang, Data: p.Data})
			if err != nil {
				t.Errorf("%s (%s): %v", p.Name, lang, err)
				continue
			}
			body := w.Body.String()
			for _, s := range p.Want {
				if key, ok := strings.CutPrefix(s, "t:"); ok {
					s = template.HTMLEscapeString(r.T(lang, key))
				}
				if !strings.Contains(body, s) {
					t.Errorf("%s (%s): page lacks %q:\n%s", p.Name, lang, s, body)
				}
			}
		}
	}
}
