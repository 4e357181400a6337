package portal

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/medama-io/go-useragent"

	"foyer/selfservice/route"
	"foyer/storage"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "/account/apps",
		"/account/security":     "/account/security",
		"https://evil.example/": "/account/apps",
		"//evil.example":        "/account/apps",
		"/account//evil":        "/account/apps",
		"/accountx":             "/account/apps",
		"/login":                "/account/apps",
		"/account/\\evil":       "/account/apps",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSealBindsPurpose(t *testing.T) {
	h := &Handler{cfg: Config{CookieKey: make([]byte, 32)}}
	sealed := h.seal("portal", "session-1")
	if !h.opened("portal", sealed, "session-1") {
		t.Fatal("sealed value does not open")
	}
	if h.opened("flow", sealed, "session-1") || h.opened("portal", sealed, "session-2") {
		t.Error("sealed value opens for another purpose or value")
	}
	other := &Handler{cfg: Config{CookieKey: []byte("another-key-another-key-another!")}}
	if other.opened("portal", sealed, "session-1") {
		t.Error("sealed value opens under another key")
	}
	if _, ok := h.unseal("portal", "garbage"); ok {
		t.Error("garbage unsealed")
	}
}

func TestDevice(t *testing.T) {
	h := &Handler{agents: useragent.NewParser}
	for ua, want := range map[string][2]string{
		"": {"", ""},
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": {"Safari 17", "iOS"},
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36":                   {"Chrome 126", "MacOS"},
	} {
		b, os := h.device(ua)
		if b != want[0] || os != want[1] {
			t.Errorf("device(%q) = %q, %q; want %q, %q", ua, b, os, want[0], want[1])
		}
	}
}

func TestFresh(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	h := &Handler{cfg: Config{FreshSignIn: 5 * time.Minute, Now: func() time.Time { return now }}}
	for age, want := range map[time.Duration]bool{time.Minute: true, 5 * time.Minute: true, 6 * time.Minute: false} {
		v := &viewer{Session: &storage.Session{AuthTime: now.Add(-age)}}
		if got := h.fresh(v); got != want {
			t.Errorf("fresh after %v = %v", age, got)
		}
	}
	// An account with a second factor needs a sign-in that proved it.
	for acr, want := range map[string]bool{"1": false, "2": true} {
		v := &viewer{Session: &storage.Session{AuthTime: now.Add(-time.Minute), ACR: acr}, HasFactors: true}
		if got := h.fresh(v); got != want {
			t.Errorf("fresh with a factor and acr %s = %v, want %v", acr, got, want)
		}
	}
}

// TestFlowCookieExpires: the sign-in state cookie is refused once its
// lifetime is over, whatever the browser kept, and when its expiry was
// edited; a fresh one is read back.
func TestFlowCookieExpires(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h := &Handler{cfg: Config{CookieKey: make([]byte, 32), Now: func() time.Time { return now }}}
	mountWithStandIns(h)
	rec := httptest.NewRecorder()
	if err := h.startSignIn(rec, httptest.NewRequest(http.MethodGet, "/account/login", nil)); err != nil {
		t.Fatal(err)
	}
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == flowCookie {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("startSignIn set no flow cookie")
	}
	read := func(value string) bool {
		r := httptest.NewRequest(http.MethodGet, "/account/callback", nil)
		r.AddCookie(&http.Cookie{Name: flowCookie, Value: value})
		_, ok := h.readFlow(r)
		return ok
	}
	if !read(cookie.Value) {
		t.Fatal("a fresh flow cookie is refused")
	}
	now = now.Add(flowLifetime - time.Second)
	if !read(cookie.Value) {
		t.Fatal("the flow cookie is refused before its lifetime is over")
	}
	now = now.Add(time.Second)
	if read(cookie.Value) {
		t.Fatal("an expired flow cookie is accepted")
	}
	parts := strings.Split(cookie.Value, ".")
	if len(parts) != 3 {
		t.Fatalf("flow cookie %q is not value.expiry.signature", cookie.Value)
	}
	parts[1] = strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
	if read(strings.Join(parts, ".")) {
		t.Fatal("a flow cookie with an extended expiry is accepted")
	}
}

// mountWithStandIns mounts h beside stand-ins for authz's named routes,
// which the portal builds URLs to.
func mountWithStandIns(h *Handler) {
	r := mux.NewRouter()
	for _, name := range []string{route.Authorize, route.Token, route.Initiate} {
		r.Path("/authz/" + name).Name(name)
	}
	h.Mount(r)
}
