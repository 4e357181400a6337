package themestest

import (
	"fmt"
	"strings"
	"testing"

	"foyer/themes"
)

// recorder keeps what RenderEach reports.
type recorder struct{ errors []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestRenderEach: a page showing what it must passes; a missing string, a
// missing translation and a render error are each reported.
func TestRenderEach(t *testing.T) {
	t.Parallel()
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	message := func(want ...string) Page {
		return Page{Name: "message", Template: "message", Data: map[string]any{"Title": "test.title", "Message": "test.body"}, Want: want}
	}
	for _, c := range []struct {
		name string
		page Page
		fail string // "" when the page must pass
	}{
		{"everything shown", message("<h1>test.title</h1>", "test.body"), ""},
		{"a missing string", message("not on the page"), `message (en): page lacks "not on the page"`},
		{"a translation not shown", message("t:common.continue"), "message (en): page lacks"},
		{"an unknown template", Page{Name: "nothing", Template: "no_such_template"}, "nothing (en): "},
	} {
		rec := &recorder{}
		RenderEach(rec, r, []Page{c.page})
		got := strings.Join(rec.errors, "\n")
		switch {
		case c.fail == "" && got != "":
			t.Errorf("%s: reported %s", c.name, got)
		case c.fail != "" && !strings.Contains(got, c.fail):
			t.Errorf("%s: reported %q, want %q", c.name, got, c.fail)
		}
	}
}
