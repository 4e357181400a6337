package accountexport

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html/template"
	"net/http"
)

// Section is a part of the HTML page beyond the account's own data (the
// admin console adds its labels, roles, audit entries ...): a title and
// lines already in the reader's language.
type Section struct {
	Title string
	Items []string
}

// Page is what the HTML page shows.
type Page struct {
	Lang, AppName string
	Export        *Export
	Extra         []Section
}

// CSP lets the self-contained page use its inline style and nothing
// else: it loads no resource at all.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

//go:embed export.html
var pageSource string

// WriteJSON answers the document (any value that embeds the Export) as a
// JSON download named filename.
func WriteJSON(w http.ResponseWriter, v any, filename string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
	return nil
}

// WriteHTML answers the page as an HTML download named filename. The
// template lives here rather than in the theme: it must be
// self-contained (inline CSS, no external resource), which theme pages,
// held to a strict CSP, may not be. t translates a message key into the
// reader's language.
func WriteHTML(w http.ResponseWriter, p Page, t func(key string, args ...any) string, filename string) error {
	tmpl, err := template.New("export").Funcs(template.FuncMap{"t": t}).Parse(pageSource)
	if err != nil {
		return err
	}
	if p.AppName == "" {
		p.AppName = "Foyer"
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, p); err != nil {
		return err
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", CSP)
	hdr.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	hdr.Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
	return nil
}
