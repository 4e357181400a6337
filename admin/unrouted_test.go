package admin

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// A path of the API asked with a method it does not serve is 405 with
// Allow, an unknown path 404, both as problems, wherever the route sits
// among the others.
func TestUnroutedRequests(t *testing.T) {
	t.Parallel()
	_, router := routeHandler(t)
	tests := []struct{ method, path, allow string }{
		{http.MethodPatch, "/clients/x", "DELETE, GET, HEAD, PUT"},
		{http.MethodPut, "/clients", "GET, HEAD, POST"},
		{http.MethodGet, "/clients/x/secret", "POST"},
		{http.MethodPost, "/audit", "GET, HEAD"},
		{http.MethodPut, "/administrators/x", "DELETE, GET, HEAD, PATCH"},
		{http.MethodGet, "/nothing-here", ""},
		{http.MethodGet, "/clients/x/y", ""},
	}
	for _, tc := range tests {
		w := httptest.NewRecorder()
		router.ServeHTTP(w, httptest.NewRequest(tc.method, APIPrefix+tc.path, nil))
		want := http.StatusMethodNotAllowed
		if tc.allow == "" {
			want = http.StatusNotFound
		}
		if w.Code != want || w.Header().Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d Allow %q; want %d %q", tc.method, tc.path, w.Code, w.Header().Get("Allow"), want, tc.allow)
			continue
		}
		decodeProblem(t, w)
	}
}
