package portal

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/selfservice/session/sessiontest"
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

// TestFlowCookieExpires: the sign-in state cookie is read back while
// fresh and refused once its lifetime is over, whatever the browser kept,
// and when its timestamp was edited or it was signed for another cookie
// or with another key. securecookie checks the age against the wall
// clock, so the old cookies are stamped in the past (sessiontest.SignedAt)
// rather than waited for.
func TestFlowCookieExpires(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	h := &Handler{cfg: Config{CookieKey: key, Now: time.Now}}
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
	if cookie == nil || cookie.MaxAge != int(flowLifetime/time.Second) {
		t.Fatalf("startSignIn set no flow cookie of max age %v: %+v", flowLifetime, cookie)
	}
	read := func(value string) (flowState, bool) {
		r := httptest.NewRequest(http.MethodGet, "/account/callback", nil)
		r.AddCookie(&http.Cookie{Name: flowCookie, Value: value})
		return h.readFlow(r)
	}
	st, ok := read(cookie.Value)
	if !ok || st.State == "" || st.Verifier == "" || st.Nonce == "" {
		t.Fatalf("a fresh flow cookie is refused: %+v, %v", st, ok)
	}
	state := []byte(`{"s":"state","v":"verifier","n":"nonce","x":"/account"}` + "\n")
	if got, ok := read(sessiontest.SignedAt(key, flowCookie, state, time.Now().Add(-flowLifetime/2))); !ok || got.State != "state" || got.Next != "/account" {
		t.Fatalf("a flow cookie within its lifetime is refused: %+v, %v", got, ok)
	}
	raw, err := base64.URLEncoding.DecodeString(cookie.Value)
	if err != nil {
		t.Fatal(err)
	}
	date, rest, _ := strings.Cut(string(raw), "|")
	stamp, err := strconv.ParseInt(date, 10, 64)
	if err != nil {
		t.Fatalf("flow cookie %q is not date|value|mac", raw)
	}
	// The helper that stamps cookies in the past builds exactly what the
	// codec does, so the cases below test the codec's checks.
	if js, _ := json.Marshal(st); sessiontest.SignedAt(key, flowCookie, append(js, '\n'), time.Unix(stamp, 0)) != cookie.Value {
		t.Fatal("sessiontest.SignedAt does not rebuild the codec's cookie")
	}
	for name, value := range map[string]string{
		"expired":          sessiontest.SignedAt(key, flowCookie, state, time.Now().Add(-flowLifetime-time.Minute)),
		"timestamp edited": base64.URLEncoding.EncodeToString([]byte(strconv.FormatInt(stamp+60, 10) + "|" + rest)),
		"another cookie's": sessiontest.SignedAt(key, appCookie, state, time.Now()),
		"another key":      sessiontest.SignedAt([]byte("another-key-another-key-another-k"), flowCookie, state, time.Now()),
		"no state":         sessiontest.SignedAt(key, flowCookie, []byte("{}\n"), time.Now()),
		"garbage":          "Zm9v.forged",
	} {
		if got, ok := read(value); ok {
			t.Errorf("%s: flow cookie accepted as %+v", name, got)
		}
	}
	// A cookie sealed before the portal used securecookie is read while
	// its sealed expiry lasts (a sign-in in flight across an upgrade).
	legacy := session.NewStepSigner(key)
	if got, ok := read(legacy.SealUntil("flow", string(state), time.Now().Add(time.Minute))); !ok || got.State != "state" {
		t.Fatalf("a legacy flow cookie is refused: %+v, %v", got, ok)
	}
	for name, value := range map[string]string{
		"legacy expired":    legacy.SealUntil("flow", string(state), time.Now()),
		"legacy other key":  session.NewStepSigner([]byte("another-key-another-key-another-k")).SealUntil("flow", string(state), time.Now().Add(time.Minute)),
		"legacy other seal": legacy.SealUntil("portal", string(state), time.Now().Add(time.Minute)),
	} {
		if got, ok := read(value); ok {
			t.Errorf("%s: flow cookie accepted as %+v", name, got)
		}
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
