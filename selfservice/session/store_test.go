package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/sessions"

	"foyer/selfservice/session/sessiontest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// saveNew creates a session through the Store and returns it with the
// cookie the browser received.
func saveNew(t *testing.T, st *ssoStore, now time.Time) (*sessions.Session, *storage.Session, *http.Cookie) {
	t.Helper()
	row := &storage.Session{AccountID: "acct-1", AuthTime: now, AMR: []string{"pwd"}, ACR: "1",
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
	sess := sessions.NewSession(st, CookieName)
	sess.Values[rowKey{}] = row
	rec := httptest.NewRecorder()
	if err := st.Save(withCookie(nil), rec, sess); err != nil {
		t.Fatal(err)
	}
	set := rec.Result().Cookies()
	if len(set) != 1 {
		t.Fatalf("Save set %d cookies, want 1", len(set))
	}
	return sess, row, set[0]
}

// TestSSOStoreRoundTrip: New, Save and Get over the storage of both
// databases: the cookie carries a signed random value, the row only its
// SHA-256, and the cookie has every attribute Cookies gives.
func TestSSOStoreRoundTrip(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		store := newStore(t)
		now := time.Now().UTC().Truncate(time.Second)
		m := NewManager(store, Config{Secure: true, Key: testKey, Lifetime: time.Hour, Now: func() time.Time { return now }})
		st := m.sso

		if empty, err := st.Get(withCookie(nil), CookieName); err != nil || !empty.IsNew || empty.ID != "" {
			t.Fatalf("no cookie: %+v, %v; want a new empty session", empty, err)
		}
		sess, row, cookie := saveNew(t, st, now)
		if cookie.Name != "__Host-"+CookieName || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode ||
			cookie.Path != "/" || cookie.Domain != "" || cookie.MaxAge != 0 || !cookie.Expires.Equal(row.ExpiresAt) {
			t.Fatalf("cookie attributes: %+v", cookie)
		}
		token, _ := sess.Values[tokenKey{}].(string)
		if sess.IsNew || sess.ID != row.ID || row.ID != hashToken(token) || !isToken(token) || cookie.Value == token {
			t.Fatalf("the row id must be the SHA-256 of the signed random value: session %+v, row %q", sess, row.ID)
		}
		if _, err := store.GetSession(context.Background(), row.ID); err != nil {
			t.Fatalf("the row was not stored: %v", err)
		}
		if _, err := store.GetSession(context.Background(), hashToken(cookie.Value)); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("a row keyed by the cookie itself: %v", err)
		}

		got, err := st.Get(withCookie(cookie), CookieName)
		if err != nil || got.IsNew || got.ID != row.ID {
			t.Fatalf("Get = %+v, %v; want the session %q", got, err, row.ID)
		}
		// Saving a session read back sends the same value again.
		rec := httptest.NewRecorder()
		if err := st.Save(withCookie(cookie), rec, got); err != nil {
			t.Fatal(err)
		}
		again, err := st.Get(withCookie(rec.Result().Cookies()[0]), CookieName)
		if err != nil || again.ID != row.ID {
			t.Fatalf("the re-sent cookie reads %+v, %v", again, err)
		}
		if s, err := m.Current(withCookie(cookie)); err != nil || s.ID != row.ID || s.AccountID != "acct-1" {
			t.Fatalf("Current = %+v, %v", s, err)
		}
	})
}

// TestSSOStoreRefuses: a tampered cookie, one signed with another key or
// for another cookie, and one stamped longer ago than a session lives are
// refused by the Store; a well signed value nobody stored is no session.
func TestSSOStoreRefuses(t *testing.T) {
	t.Parallel()
	store := sqltest.SQLite(t)
	now := time.Now().UTC()
	m := NewManager(store, Config{Secure: true, Key: testKey, Lifetime: time.Hour, Now: func() time.Time { return now }})
	sess, _, cookie := saveNew(t, m.sso, now)
	token := sess.Values[tokenKey{}].(string)
	unknown, err := newToken()
	if err != nil {
		t.Fatal(err)
	}
	signed := func(key []byte, name, token string, at time.Time) *http.Cookie {
		return &http.Cookie{Name: cookie.Name, Value: sessiontest.SignedAt(key, name, []byte(token), at)}
	}
	if s, err := m.Current(withCookie(signed(testKey, CookieName, token, now.Add(-30*time.Minute)))); err != nil || s.ID != sess.ID {
		t.Fatalf("a cookie set half a lifetime ago: %+v, %v", s, err)
	}
	last := cookie.Value[len(cookie.Value)-2:]
	flipped := map[bool]string{true: "AA", false: "BB"}[last != "AA"]
	for name, c := range map[string]*http.Cookie{
		"tampered":              {Name: cookie.Name, Value: cookie.Value[:len(cookie.Value)-2] + flipped},
		"value swapped":         {Name: cookie.Name, Value: strings.Replace(cookie.Value, cookie.Value[20:30], "AAAAAAAAAA", 1)},
		"another key":           signed([]byte("another-key-another-key-another-k"), CookieName, token, now),
		"another cookie's":      signed(testKey, BrowserCookieName, token, now),
		"older than a lifetime": signed(testKey, CookieName, token, now.Add(-time.Hour-time.Minute)),
		"not a random value":    signed(testKey, CookieName, "short", now),
	} {
		got, err := m.sso.Get(withCookie(c), CookieName)
		if err == nil || !got.IsNew || got.ID != "" {
			t.Errorf("%s: Get = %+v, %v; want a new session and an error", name, got, err)
		}
		if _, err := m.Current(withCookie(c)); !errors.Is(err, ErrNoSession) {
			t.Errorf("%s: Current = %v, want ErrNoSession", name, err)
		}
	}
	got, err := m.sso.Get(withCookie(signed(testKey, CookieName, unknown, now)), CookieName)
	if err != nil || got.IsNew || got.ID != hashToken(unknown) {
		t.Fatalf("a well signed value: %+v, %v", got, err)
	}
	if _, err := m.Current(withCookie(signed(testKey, CookieName, unknown, now))); !errors.Is(err, ErrNoSession) {
		t.Fatalf("an unknown id: %v, want ErrNoSession", err)
	}
}

// TestSSOStoreLegacyCookie: the bare random value Foyer set before its
// cookies were signed still opens its session (a rolling upgrade signs
// nobody out), and nothing else bare does.
func TestSSOStoreLegacyCookie(t *testing.T) {
	t.Parallel()
	store := sqltest.SQLite(t)
	now := time.Now().UTC()
	m := NewManager(store, Config{Key: testKey, Now: func() time.Time { return now }})
	sess, _, _ := saveNew(t, m.sso, now)
	token := sess.Values[tokenKey{}].(string)
	if s, err := m.Current(withCookie(&http.Cookie{Name: CookieName, Value: token})); err != nil || s.ID != sess.ID {
		t.Fatalf("legacy cookie: %+v, %v", s, err)
	}
	if _, err := m.Current(withCookie(&http.Cookie{Name: CookieName, Value: sess.ID})); !errors.Is(err, ErrNoSession) {
		t.Fatalf("the row id as a cookie: %v, want ErrNoSession", err)
	}
}

// TestSSOStoreSave: MaxAge < 0 clears the cookie and leaves the row (ending
// it is Manager.end's, which tells the clients); a new session without its
// row, or a stored one without its value, is refused.
func TestSSOStoreSave(t *testing.T) {
	t.Parallel()
	store := sqltest.SQLite(t)
	now := time.Now().UTC()
	m := NewManager(store, Config{Secure: true, Key: testKey, Now: func() time.Time { return now }})
	sess, row, _ := saveNew(t, m.sso, now)

	sess.Options.MaxAge = -1
	rec := httptest.NewRecorder()
	if err := m.sso.Save(withCookie(nil), rec, sess); err != nil {
		t.Fatal(err)
	}
	if c := rec.Result().Cookies(); len(c) != 1 || c[0].Name != "__Host-"+CookieName || c[0].MaxAge != -1 || !c[0].Secure || c[0].Path != "/" {
		t.Fatalf("clearing set %+v", c)
	}
	if _, err := store.GetSession(context.Background(), row.ID); err != nil {
		t.Fatalf("clearing the cookie removed the row: %v", err)
	}

	if err := m.sso.Save(withCookie(nil), httptest.NewRecorder(), sessions.NewSession(m.sso, CookieName)); !errors.Is(err, errNoRow) {
		t.Fatalf("a new session without a row: %v, want errNoRow", err)
	}
	stray := sessions.NewSession(m.sso, CookieName)
	stray.ID = row.ID
	if err := m.sso.Save(withCookie(nil), httptest.NewRecorder(), stray); !errors.Is(err, errNoToken) {
		t.Fatalf("a stored session without its value: %v, want errNoToken", err)
	}
}
