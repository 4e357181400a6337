package selfservice

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/session"
	"foyer/storage"
)

// TestBrowserBindingExpires: the cookie that binds a sign-in request to
// its browser carries the request's expiry inside its signature: refused
// after it, or with the expiry edited, and accepted for its own request
// only while fresh.
func TestBrowserBindingExpires(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h := &Handler{cfg: Config{Now: func() time.Time { return now }},
		signer: session.NewStepSigner([]byte("0123456789abcdef0123456789abcdef"))}
	f := &Flow{Interaction: &storage.Interaction{ID: "interaction-1", ExpiresAt: now.Add(30 * time.Minute)}}
	rec := httptest.NewRecorder()
	h.bindBrowser(rec, f)
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("bindBrowser set %d cookies", len(cookies))
	}
	startedHere := func(value, id string) bool {
		r := httptest.NewRequest(http.MethodGet, "/register/activate", nil)
		r.AddCookie(&http.Cookie{Name: cookies[0].Name, Value: value})
		return h.startedHere(r, id)
	}
	if !startedHere(cookies[0].Value, "interaction-1") || startedHere(cookies[0].Value, "interaction-2") {
		t.Fatal("a fresh binding must name its own request and no other")
	}
	parts := strings.Split(cookies[0].Value, ".")
	if len(parts) != 3 {
		t.Fatalf("binding %q is not value.expiry.signature", cookies[0].Value)
	}
	now = now.Add(30 * time.Minute)
	if startedHere(cookies[0].Value, "interaction-1") {
		t.Fatal("an expired binding is accepted")
	}
	parts[1] = strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
	if startedHere(strings.Join(parts, "."), "interaction-1") {
		t.Fatal("a binding with an extended expiry is accepted")
	}
}
