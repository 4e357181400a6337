package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// startSession signs in and returns the cookie the browser received.
func startSession(t *testing.T, m *Manager) (*storage.Session, *http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/login", nil)
	req.Header.Set("User-Agent", "test-agent")
	s, err := m.Start(context.Background(), rec, req, Login{AccountID: "acct-1", AMR: []string{"pwd"}, ACR: "1"})
	if err != nil {
		t.Fatal(err)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Start set %d cookies, want 1", len(cookies))
	}
	return s, cookies[0]
}

func withCookie(c *http.Cookie) *http.Request {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if c != nil {
		req.AddCookie(c)
	}
	return req
}

func TestSessionCookieAndLifetime(t *testing.T) {
	store := sqltest.SQLite(t)
	c := &clock{t: time.Now().UTC()}
	m := NewManager(store, Config{Secure: true, Lifetime: time.Hour, Now: c.now})
	s, cookie := startSession(t, m)

	if cookie.Name != "__Host-"+CookieName || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode ||
		cookie.Path != "/" || cookie.Domain != "" {
		t.Fatalf("cookie attributes: %+v", cookie)
	}
	if s.ID == cookie.Value || len(s.ID) != 64 {
		t.Fatalf("the row id must be the SHA-256 of the cookie, not the cookie: id=%q", s.ID)
	}
	got, err := m.Current(withCookie(cookie))
	if err != nil || got.ID != s.ID || got.AccountID != "acct-1" || got.ACR != "1" || got.UserAgent != "test-agent" {
		t.Fatalf("Current = %+v, %v", got, err)
	}

	for name, req := range map[string]*http.Request{
		"no cookie":      withCookie(nil),
		"unknown cookie": withCookie(&http.Cookie{Name: CookieName, Value: "forged"}),
		"oversized":      withCookie(&http.Cookie{Name: CookieName, Value: string(make([]byte, 200))}),
		// On https only the __Host- cookie counts: a plain one may have
		// been planted by a sibling subdomain.
		"plain name": withCookie(&http.Cookie{Name: CookieName, Value: cookie.Value}),
	} {
		if _, err := m.Current(req); !errors.Is(err, ErrNoSession) {
			t.Errorf("%s: %v, want ErrNoSession", name, err)
		}
	}

	c.t = c.t.Add(time.Hour)
	if _, err := m.Current(withCookie(cookie)); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after its lifetime: %v, want ErrNoSession", err)
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	store := sqltest.SQLite(t)
	c := &clock{t: time.Now().UTC()}
	m := NewManager(store, Config{Lifetime: 24 * time.Hour, IdleTimeout: time.Hour, Now: c.now})
	_, cookie := startSession(t, m)
	for range 3 { // used every 50 minutes: stays alive past the idle timeout
		c.t = c.t.Add(50 * time.Minute)
		if _, err := m.Current(withCookie(cookie)); err != nil {
			t.Fatalf("active session ended: %v", err)
		}
	}
	c.t = c.t.Add(61 * time.Minute)
	if _, err := m.Current(withCookie(cookie)); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after an hour unused: %v, want ErrNoSession", err)
	}
}

func TestSessionTouchAndEnd(t *testing.T) {
	store := sqltest.SQLite(t)
	c := &clock{t: time.Now().UTC()}
	m := NewManager(store, Config{Now: c.now})
	s, cookie := startSession(t, m)

	c.t = c.t.Add(2 * time.Minute)
	if _, err := m.Current(withCookie(cookie)); err != nil {
		t.Fatal(err)
	}
	row, err := store.GetSession(context.Background(), s.ID)
	if err != nil || !row.LastSeenAt.After(s.LastSeenAt) {
		t.Fatalf("last seen not recorded: %+v %v", row, err)
	}

	rec := httptest.NewRecorder()
	ended, err := m.End(rec, withCookie(cookie))
	if err != nil || ended == nil || ended.ID != s.ID {
		t.Fatalf("End = %+v, %v", ended, err)
	}
	if cleared := rec.Result().Cookies(); len(cleared) != 1 || cleared[0].MaxAge >= 0 {
		t.Fatalf("End did not clear the cookie: %+v", cleared)
	}
	if _, err := store.GetSession(context.Background(), s.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("session row after End: %v", err)
	}
	if ended, err := m.End(httptest.NewRecorder(), withCookie(cookie)); ended != nil || err != nil {
		t.Fatalf("ending an ended session: %+v, %v", ended, err)
	}
}

func TestStepSigner(t *testing.T) {
	s := NewStepSigner([]byte("0123456789abcdef0123456789abcdef"))
	sig := s.Sign("interaction-1", "login")
	tests := []struct {
		name, id, step, sig string
		want                bool
	}{
		{"valid", "interaction-1", "login", sig, true},
		{"other step", "interaction-1", "resume", sig, false},
		{"other interaction", "interaction-2", "login", sig, false},
		{"tampered", "interaction-1", "login", sig[:len(sig)-1] + "A", false},
		{"not base64", "interaction-1", "login", "%%%", false},
		{"empty", "interaction-1", "login", "", false},
	}
	for _, tc := range tests {
		if got := s.Verify(tc.id, tc.step, tc.sig); got != tc.want {
			t.Errorf("%s: Verify = %v, want %v", tc.name, got, tc.want)
		}
	}
	other := NewStepSigner([]byte("another-key-another-key-another-k"))
	if other.Verify("interaction-1", "login", sig) {
		t.Error("a signature verified under another key")
	}
}

// Ending a session queues one back-channel logout notice per client that
// took part in it and registered a backchannel_logout_uri, with the
// session's deletion; every way of ending does the same.
func TestEndQueuesLogoutNotices(t *testing.T) {
	store := sqltest.SQLite(t)
	ctx := context.Background()
	c := &clock{t: time.Now().UTC()}
	m := NewManager(store, Config{Now: c.now})
	for _, cl := range []*storage.Client{
		{ID: "rp-bc", BackchannelLogoutURI: "https://rp.example/bc"},
		{ID: "rp-plain"},
		{ID: "rp-bc-absent", BackchannelLogoutURI: "https://other.example/bc"},
	} {
		if err := store.CreateClient(ctx, cl); err != nil {
			t.Fatal(err)
		}
	}
	join := func(s *storage.Session, clients ...string) {
		for _, id := range clients {
			if err := store.RecordSessionClient(ctx, s.ID, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	queued := func() []storage.LogoutNotice {
		t.Helper()
		n, err := store.ClaimLogoutNotices(ctx, c.t.Add(time.Hour), time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range n {
			if err := store.DeleteLogoutNotice(ctx, x.ID); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}

	s, cookie := startSession(t, m)
	join(s, "rp-bc", "rp-plain", "rp-gone")
	if _, err := m.End(httptest.NewRecorder(), withCookie(cookie)); err != nil {
		t.Fatal(err)
	}
	got := queued()
	if len(got) != 1 || got[0].ClientID != "rp-bc" || got[0].SessionID != s.ID || got[0].AccountID != "acct-1" {
		t.Fatalf("notices after End = %+v, want one for rp-bc", got)
	}

	s2, _ := startSession(t, m)
	join(s2, "rp-bc")
	if ended, err := m.EndByID(ctx, s2.ID); err != nil || ended.ID != s2.ID {
		t.Fatalf("EndByID = %+v, %v", ended, err)
	}
	if _, err := store.GetSession(ctx, s2.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("session row after EndByID: %v", err)
	}
	if got := queued(); len(got) != 1 || got[0].SessionID != s2.ID {
		t.Fatalf("notices after EndByID = %+v", got)
	}
	if _, err := m.EndByID(ctx, s2.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("EndByID of an ended session = %v, want ErrNoSession", err)
	}

	keep, _ := startSession(t, m)
	other, _ := startSession(t, m)
	join(keep, "rp-bc")
	join(other, "rp-bc")
	if n, err := m.EndByAccount(ctx, "acct-1", keep.ID); err != nil || n != 1 {
		t.Fatalf("EndByAccount = %d, %v; want 1", n, err)
	}
	if got := queued(); len(got) != 1 || got[0].SessionID != other.ID {
		t.Fatalf("notices after EndByAccount = %+v", got)
	}
	if _, err := store.GetSession(ctx, keep.ID); err != nil {
		t.Fatalf("the kept session: %v", err)
	}
}
