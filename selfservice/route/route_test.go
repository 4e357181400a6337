package route

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gorilla/mux"
)

func TestHandleAndPath(t *testing.T) {
	r := mux.NewRouter()
	ok := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) }
	}
	Handle(r, Login, "/login", Methods{http.MethodGet: ok("show"), http.MethodPost: ok("submit")})
	Handle(r, "client", "/clients/{id}", Methods{http.MethodDelete: ok("deleted")})
	for _, c := range []struct {
		method, path string
		code         int
		body         string
	}{
		{http.MethodGet, "/login", 200, "show"},
		{http.MethodHead, "/login", 200, ""},
		{http.MethodPost, "/login", 200, "submit"},
		{http.MethodPut, "/login", 405, ""},
		{http.MethodDelete, "/clients/a", 200, "deleted"},
		{http.MethodGet, "/clients/a", 405, ""},
		{http.MethodGet, "/login/", 404, "404 page not found\n"},
	} {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(c.method, c.path, nil))
		if w.Code != c.code || (c.method != http.MethodHead && w.Body.String() != c.body) {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, c.path, w.Code, w.Body, c.code, c.body)
		}
	}
	urls := New(r)
	if got, want := urls.Path(Login, url.Values{"sig": {"a b"}, "interaction": {"i"}}), "/login?interaction=i&sig=a+b"; got != want {
		t.Errorf("Path(Login) = %q, want %q", got, want)
	}
	if got, want := urls.Path("client", nil, "id", "x y"), "/clients/x%20y"; got != want {
		t.Errorf("Path(client) = %q, want %q", got, want)
	}
}

// TestPathPanicsOnWiringBugs: an unknown name, a missing variable and a
// zero URLs are bugs of the wiring, not of the request.
func TestPathPanicsOnWiringBugs(t *testing.T) {
	r := mux.NewRouter()
	Handle(r, "client", "/clients/{id}", Methods{http.MethodGet: func(http.ResponseWriter, *http.Request) {}})
	for name, build := range map[string]func(){
		"unknown name":     func() { New(r).Path("nope", nil) },
		"missing variable": func() { New(r).Path("client", nil) },
		"before Mount":     func() { URLs{}.Path(Login, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			build()
		}()
	}
}
