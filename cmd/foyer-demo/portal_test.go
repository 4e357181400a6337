package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"golang.org/x/oauth2"
)

func newTestDemo() *demo {
	return &demo{issuer: "https://id.example", self: "http://127.0.0.1:9000", flows: map[string]pending{},
		oauth: oauth2.Config{ClientID: "demo", RedirectURL: "http://127.0.0.1:9000/callback",
			Endpoint: oauth2.Endpoint{AuthURL: "https://id.example/oauth2/auth", TokenURL: "https://id.example/oauth2/token"},
			Scopes:   []string{"openid"}}}
}

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

// The brand portal starts an authorization request with the login hint,
// state, nonce and PKCE, and remembers the target for the callback.
func TestPortalStartsAuthorization(t *testing.T) {
	d := newTestDemo()
	q := url.Values{"iss": {"https://id.example"}, "login_hint": {"invitation:tok"},
		"target_link_uri": {"http://127.0.0.1:9000/welcome"}}
	w := get(t, d.routes(), "/start?"+q.Encode())
	if w.Code != http.StatusFound {
		t.Fatalf("GET /start = %d: %s", w.Code, w.Body)
	}
	loc, err := url.Parse(w.Header().Get("Location"))
	if err != nil || loc.Host != "id.example" || loc.Path != "/oauth2/auth" {
		t.Fatalf("redirect to %v (%v); want the authorization endpoint", loc, err)
	}
	got := loc.Query()
	for k, want := range map[string]string{"client_id": "demo", "response_type": "code", "login_hint": "invitation:tok",
		"prompt": "login", "code_challenge_method": "S256", "redirect_uri": "http://127.0.0.1:9000/callback"} {
		if got.Get(k) != want {
			t.Errorf("%s = %q; want %q", k, got.Get(k), want)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if got.Get(k) == "" {
			t.Errorf("no %s in the authorization request", k)
		}
	}
	p, ok := d.flows[got.Get("state")]
	if !ok || p.nonce != got.Get("nonce") || p.verifier == "" || p.target != "http://127.0.0.1:9000/welcome" {
		t.Errorf("remembered flow = %+v, %v", p, ok)
	}
	// Without a hint the request is the ordinary one.
	w = get(t, d.routes(), "/start?iss=https%3A%2F%2Fid.example")
	if loc, _ := url.Parse(w.Header().Get("Location")); w.Code != http.StatusFound || loc.Query().Has("login_hint") || loc.Query().Has("prompt") {
		t.Errorf("GET /start without a hint = %d to %s", w.Code, w.Header().Get("Location"))
	}
}

// Another issuer's link and a target elsewhere start nothing.
func TestPortalRefuses(t *testing.T) {
	d := newTestDemo()
	for name, q := range map[string]url.Values{
		"no iss":           {"login_hint": {"invitation:tok"}},
		"another issuer":   {"iss": {"https://evil.example"}, "login_hint": {"invitation:tok"}},
		"foreign target":   {"iss": {"https://id.example"}, "target_link_uri": {"https://evil.example/"}},
		"target with user": {"iss": {"https://id.example"}, "target_link_uri": {"http://x@127.0.0.1:9000/"}},
		"relative target":  {"iss": {"https://id.example"}, "target_link_uri": {"//evil.example/"}},
	} {
		if w := get(t, d.routes(), "/start?"+q.Encode()); w.Code != http.StatusBadRequest || w.Header().Get("Location") != "" {
			t.Errorf("%s: %d, Location %q; want 400", name, w.Code, w.Header().Get("Location"))
		}
	}
	if len(d.flows) != 0 {
		t.Errorf("refused starts remembered %d flows", len(d.flows))
	}
}
