// Package themestest renders pages for the tests of the packages that own
// them (authz, selfservice, the portal): each page with its data struct,
// in every language the renderer ships, checked for what it must show.
// Only tests import it.
package themestest

import (
	"html"
	"html/template"
	"net/http"
	"net/http/httptest"
	"regexp"
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
			if title, h1, ok := titleAndHeading(body); ok && title != h1 {
				t.Errorf("%s (%s): <title> %q does not match the <h1> %q", p.Name, lang, title, h1)
			}
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

var (
	titleRE = regexp.MustCompile(`(?s)<title>(.*?)</title>`)
	h1RE    = regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)
	tagRE   = regexp.MustCompile(`<[^>]*>`)
)

// titleAndHeading are a page's <title> without the " · App" the layout
// appends, and the text of its <h1>, which a page's title must repeat so
// a tab, a history entry and a screen reader's page list name the page
// as its heading does. ok is false when the page has no <h1>.
func titleAndHeading(body string) (title, h1 string, ok bool) {
	tm, hm := titleRE.FindStringSubmatch(body), h1RE.FindStringSubmatch(body)
	if tm == nil || hm == nil {
		return "", "", false
	}
	title = tm[1]
	if i := strings.LastIndex(title, " · "); i >= 0 {
		title = title[:i]
	}
	text := func(s string) string {
		return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(s, ""))), " ")
	}
	return text(title), text(hm[1]), true
}
