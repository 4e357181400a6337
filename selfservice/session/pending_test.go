package session

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// pendingIn is a pending interaction with a request of n bytes.
func pendingIn(id string, n int, now time.Time) *storage.Interaction {
	return &storage.Interaction{ID: id, ClientID: strings.Repeat("c", MaxPendingClientID), Request: strings.Repeat("a", n),
		Browser: strings.Repeat("b", 64), CreatedAt: now.UTC().Truncate(time.Second), ExpiresAt: now.Add(30 * time.Minute).UTC().Truncate(time.Second)}
}

// park sets in's cookie for a request carrying cookies and returns what
// was set.
func park(t *testing.T, m *Manager, in *storage.Interaction, cookies ...*http.Cookie) []*http.Cookie {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	if err := m.Park(rec, r, in); err != nil {
		t.Fatal(err)
	}
	return rec.Result().Cookies()
}

func requestWith(cookies ...*http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

// TestPendingCookie: the largest request fits Chromium's 4096 bytes of
// name and value and comes back whole; the cookie is a host cookie,
// HttpOnly, Lax, living as long as the interaction; a forged, swapped,
// other key's or expired cookie opens as nothing.
func TestPendingCookie(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	m := NewManager(nil, Config{Now: c.now, Secure: true})
	id := "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde" // 43 characters, as authz makes them
	in := pendingIn(id, MaxPendingRequest, c.t)
	set := park(t, m, in)
	if len(set) != 1 {
		t.Fatalf("Park set %d cookies", len(set))
	}
	k := set[0]
	if k.Name != "__Host-foyer_in_"+id[:16] || !k.HttpOnly || !k.Secure || k.SameSite != http.SameSiteLaxMode || k.Path != "/" ||
		k.MaxAge != 1800 {
		t.Fatalf("cookie attributes: %+v", k)
	}
	if n := len(k.Name) + len(k.Value); n > 4096 || n < 4090 {
		t.Fatalf("the largest request's cookie is %d bytes of name and value; want just under 4096", n)
	}
	got, ok := m.Pending(requestWith(k), id)
	if !ok || !reflect.DeepEqual(got, in) {
		t.Fatalf("Pending: %v %+v; want %+v", ok, got, in)
	}
	rows := sqltest.SQLite(t)
	if got, pending, err := m.LoadInteraction(requestWith(k), rows, id); err != nil || !pending || got.Request != in.Request {
		t.Fatalf("LoadInteraction from the cookie: %v %v", pending, err)
	}
	stored := *in
	stored.Request = "stored"
	if err := rows.CreateInteraction(t.Context(), &stored); err != nil {
		t.Fatal(err)
	}
	if got, pending, err := m.LoadInteraction(requestWith(k), rows, id); err != nil || pending || got.Request != "stored" {
		t.Fatalf("LoadInteraction with a row: %v %v; want the row", pending, err)
	}

	tooBig := pendingIn(id, MaxPendingRequest+1, c.t)
	if err := m.Park(httptest.NewRecorder(), requestWith(), tooBig); !errors.Is(err, ErrPendingTooLarge) {
		t.Fatalf("a request over the cap: %v", err)
	}
	tooBig = pendingIn(id, 10, c.t)
	tooBig.ClientID += "c"
	if err := m.Park(httptest.NewRecorder(), requestWith(), tooBig); !errors.Is(err, ErrPendingTooLarge) {
		t.Fatalf("a client id over the cap: %v", err)
	}

	other := NewManager(nil, Config{Now: c.now, Secure: true})
	sameStart := id[:16] + strings.Repeat("Z", len(id)-16)
	// One character of the sealed value changed: to 'A', or to 'B' where it
	// was an 'A' already (the seal is random, so 1 run in 64).
	flipped := byte('A')
	if k.Value[100] == flipped {
		flipped = 'B'
	}
	tampered := k.Value[:100] + string(flipped) + k.Value[101:]
	otherSet := park(t, m, pendingIn(sameStart, 10, c.t))[0]
	for name, r := range map[string]struct {
		req *http.Request
		id  string
	}{
		"no cookie":            {requestWith(), id},
		"another id":           {requestWith(k), id[:42] + "x"},
		"same start, other id": {requestWith(otherSet), id},
		"tampered":             {requestWith(&http.Cookie{Name: k.Name, Value: tampered}), id},
		"not base64":           {requestWith(&http.Cookie{Name: k.Name, Value: "!!"}), id},
		"plain http name":      {requestWith(&http.Cookie{Name: "foyer_in_" + id[:16], Value: k.Value}), id},
	} {
		if _, ok := m.Pending(r.req, r.id); ok {
			t.Errorf("%s: opened", name)
		}
	}
	if _, ok := other.Pending(requestWith(k), id); ok {
		t.Error("another key opened the cookie")
	}
	c.t = in.ExpiresAt
	if _, ok := m.Pending(requestWith(k), id); ok {
		t.Error("an expired cookie opened (its Max-Age is only advice)")
	}
	if _, _, err := m.LoadInteraction(requestWith(k), sqltest.SQLite(t), id); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("LoadInteraction of an expired cookie: %v; want ErrNotFound", err)
	}
}

// TestPendingCookieCap: a browser holds at most MaxPendingPerBrowser
// pending cookies; parking another expires the oldest, forged ones first.
func TestPendingCookieCap(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	m := NewManager(nil, Config{Now: c.now})
	var held []*http.Cookie
	for i := range MaxPendingPerBrowser {
		c.t = c.t.Add(time.Second)
		set := park(t, m, pendingIn("interaction-number-"+string(rune('a'+i))+strings.Repeat("x", 24), 100, c.t), held...)
		if len(set) != 1 {
			t.Fatalf("cookie %d: set %d cookies, evicting within the cap", i, len(set))
		}
		held = append(held, set[0])
	}
	c.t = c.t.Add(time.Second)
	forged := &http.Cookie{Name: "foyer_in_forgedforgedforg", Value: "bm90IHNlYWxlZA"}
	set := park(t, m, pendingIn("interaction-number-e"+strings.Repeat("x", 24), 100, c.t), append(held, forged)...)
	cleared := map[string]bool{}
	for _, k := range set {
		if k.MaxAge < 0 {
			cleared[k.Name] = true
		}
	}
	if len(set) != 3 || !cleared[forged.Name] || !cleared[held[0].Name] {
		t.Fatalf("the fifth cookie set %v; want the forged and the oldest cleared and the new one set", set)
	}
}

// TestPendingCookieBytes: the pending cookies a browser keeps stay within
// MaxPendingBytes together with the new one, so the Cookie header fits a
// proxy's default 8 KiB: parking a large request expires the oldest ones
// that no longer fit, and keeps the newer small one.
func TestPendingCookieBytes(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	m := NewManager(nil, Config{Now: c.now})
	id := func(letter string) string { return letter + "-interaction-bytes" + strings.Repeat("x", 24) }
	large := park(t, m, pendingIn(id("a"), 2000, c.t))[0]
	c.t = c.t.Add(time.Second)
	small := park(t, m, pendingIn(id("b"), 100, c.t), large)
	if len(small) != 1 {
		t.Fatalf("a small cookie beside a large one set %d cookies; want only itself", len(small))
	}
	c.t = c.t.Add(time.Second)
	set := park(t, m, pendingIn(id("c"), 2000, c.t), large, small[0])
	cleared, total := map[string]bool{}, 0
	for _, k := range set {
		if k.MaxAge < 0 {
			cleared[k.Name] = true
		} else {
			total += len(k.Name) + len(k.Value)
		}
	}
	if len(set) != 2 || !cleared[large.Name] || cleared[small[0].Name] {
		t.Fatalf("the second large cookie set %v; want the first large one cleared, the small one kept", set)
	}
	if total += len(small[0].Name) + len(small[0].Value); total > MaxPendingBytes {
		t.Errorf("the kept pending cookies come to %d bytes, over %d", total, MaxPendingBytes)
	}
}
