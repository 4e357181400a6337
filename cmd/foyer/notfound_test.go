package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestUnknownPathsGetTheThemedPage: a path no route takes answers 404 with
// the theme's error page, in the visitor's language, with a title and the
// page's CSP; a method a known path does not serve answers 405 the same
// way (Allow kept); machine endpoints keep JSON errors.
func TestUnknownPathsGetTheThemedPage(t *testing.T) {
	t.Parallel()
	srv := routedServer(t)
	get := func(method, path string, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		srv.handler.ServeHTTP(w, req)
		return w
	}
	for _, c := range []struct {
		path, accept, acceptLanguage string
		wantLang, wantTitle          string
	}{
		{"/no-such-page", "text/html", "", "en", "<title>Page not found · "},
		{"/account/no/such/thing/at/all", "", "de-DE,de;q=0.9", "de", "<title>Seite nicht gefunden · "},
		{"/oauth2/typo", "text/html,application/xhtml+xml", "en", "en", "<title>Page not found · "},
	} {
		w := get(http.MethodGet, c.path, map[string]string{"Accept": c.accept, "Accept-Language": c.acceptLanguage})
		body := w.Body.String()
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", c.path, w.Code)
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type %q, want the HTML page", c.path, ct)
		}
		for _, want := range []string{`<html lang="` + c.wantLang + `" dir="ltr">`, c.wantTitle, `role="alert"`, `href="/account"`} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s: page lacks %q:\n%s", c.path, want, body)
			}
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: CSP %q, want the pages' policy", c.path, csp)
		}
	}

	w := get(http.MethodPut, "/login", nil)
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD, POST" ||
		!strings.Contains(w.Body.String(), `<html lang="en" dir="ltr">`) || !strings.Contains(w.Body.String(), "<title>") {
		t.Errorf("PUT /login: %d, Allow %q, want the themed 405 page:\n%s", w.Code, w.Header().Get("Allow"), w.Body.String())
	}

	// Machine callers parse JSON.
	for _, c := range []struct{ method, path, contentType, field string }{
		{http.MethodGet, "/oauth2/no-such-endpoint", "application/json", "error"},
		{http.MethodGet, "/.well-known/no-such-document", "application/json", "error"},
		{http.MethodGet, "/admin/api/v2/clients", "application/problem+json", "status"},
		{http.MethodGet, "/admin/api/v1/no-such-resource", "application/problem+json", "status"},
		{http.MethodPost, "/.well-known/openid-configuration", "application/json", "error"},
	} {
		w := get(c.method, c.path, map[string]string{"Accept": "application/json"})
		if w.Code != http.StatusNotFound && w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d, want 404 or 405", c.method, c.path, w.Code)
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, c.contentType) {
			t.Errorf("%s %s: Content-Type %q, want %s", c.method, c.path, ct, c.contentType)
		}
		var doc map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || doc[c.field] == nil {
			t.Errorf("%s %s: body %q, want JSON with %q (%v)", c.method, c.path, w.Body.String(), c.field, err)
		}
	}
}
