package main

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"foyer/authz"
	"foyer/selfservice/password"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

const (
	firefoxLinux   = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	chromeWindows  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	newPortalPass  = "a brand new passphrase 42"
	staleSignInAge = 10 * time.Minute
)

// uaTransport sends a fixed User-Agent, as a real browser would.
type uaTransport struct{ ua string }

func (u uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", u.ua)
	return http.DefaultTransport.RoundTrip(r)
}

func portalBrowser(t *testing.T, srv *testServer, ua, email string) *portalUser {
	t.Helper()
	b := newBrowser(t, srv.Listener.Addr().String())
	b.Transport = uaTransport{ua: ua}
	portalSignIn(t, srv, b, email, alicePass)
	a, err := srv.store.FindAccountByIdentifier(t.Context(), defaultStoreID, storage.IdentifierEmail, email)
	if err != nil {
		t.Fatal(err)
	}
	return &portalUser{srv: srv, b: b, account: a}
}

func sessionIDs(t *testing.T, srv *testServer, accountID string) []string {
	t.Helper()
	list, err := srv.store.ListSessionsByAccount(t.Context(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(list))
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	return ids
}

func TestPortalSessions(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		srv.account(t, "alice@example.com", alicePass)
		srv.account(t, "bob@example.com", alicePass)
		a := portalBrowser(t, srv, firefoxLinux, "alice@example.com")
		b := portalBrowser(t, srv, chromeWindows, "alice@example.com")
		bob := portalBrowser(t, srv, chromeWindows, "bob@example.com")

		p := a.get("/account/security")
		wantBody(t, "sessions", p, "Firefox 128", "Linux", "Chrome 126", "Windows", "This device", ">Sign out this device<", ">Sign out all other devices<")
		if n := strings.Count(p.body, `name="session_id"`); n != 2 {
			t.Errorf("%d sessions listed, want 2", n)
		}
		if n := strings.Count(p.body, "This device"); n != 1 {
			t.Errorf("current session marked %d times", n)
		}
		// Another account's session id is unknown here and stays.
		bobSession := sessionIDs(t, srv, bob.account.ID)[0]
		wantStatus(t, "end another's session", a.post("/account/sessions/end", "session_id", bobSession), http.StatusNotFound)
		if bob.signedOut(t) {
			t.Fatal("bob was signed out by alice")
		}
		// Ending the other device's session signs that browser out.
		var other string
		current := currentSessionID(t, a)
		for _, id := range sessionIDs(t, srv, a.account.ID) {
			if id != current {
				other = id
			}
		}
		p = a.post("/account/sessions/end", "session_id", other)
		wantBody(t, "end other", p, "That device is signed out.")
		if !b.signedOut(t) {
			t.Error("the other browser is still signed in")
		}
		if a.signedOut(t) {
			t.Fatal("ending another session signed this one out")
		}
		// Sign out all others.
		b = portalBrowser(t, srv, chromeWindows, "alice@example.com")
		wantBody(t, "end others", a.post("/account/sessions/end-others"), "All your other devices are signed out.")
		if !b.signedOut(t) || a.signedOut(t) {
			t.Error("sign out all others: wrong sessions ended")
		}
		// Ending the current session signs this browser out.
		a.post("/account/sessions/end", "session_id", currentSessionID(t, a))
		if !a.signedOut(t) {
			t.Error("still signed in after ending the current session")
		}
	})
}

// currentSessionID is the session the page marks as this device.
func currentSessionID(t *testing.T, u *portalUser) string {
	t.Helper()
	body := u.get("/account/security").body
	i := strings.Index(body, "This device")
	if i < 0 {
		t.Fatalf("no current session:\n%s", body)
	}
	rest := body[i:]
	const marker = `name="session_id" value="`
	j := strings.Index(rest, marker)
	if j < 0 {
		t.Fatal("no session id after the current marker")
	}
	rest = rest[j+len(marker):]
	return rest[:strings.Index(rest, `"`)]
}

func TestPortalGrants(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := t.Context()
		alice := newPortalUser(t, srv, "alice@example.com")
		bob := srv.account(t, "bob@example.com", alicePass)
		shop, _ := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback}, GrantTypes: []string{"authorization_code"}})
		news, _ := srv.client(t, authz.ClientSpec{Name: "News", RedirectURIs: []string{rpCallback}, GrantTypes: []string{"authorization_code"}})
		for _, g := range []struct{ account, client string }{{alice.account.ID, shop}, {bob.ID, news}} {
			if _, err := srv.store.SaveGrant(ctx, g.account, g.client, []string{"openid", "email"}); err != nil {
				t.Fatal(err)
			}
		}
		p := alice.get("/account/security")
		wantBody(t, "grants", p, "Shop", "email, openid", ">Revoke access for Shop<")
		if strings.Contains(p.body, "News") {
			t.Error("bob's grant shown to alice")
		}
		wantStatus(t, "revoke bob's grant", alice.post("/account/grants/revoke", "client_id", news), http.StatusNotFound)
		if _, err := srv.store.GetGrant(ctx, bob.ID, news); err != nil {
			t.Fatalf("bob's grant: %v", err)
		}
		wantBody(t, "revoke", alice.post("/account/grants/revoke", "client_id", shop), "no longer has access")
		if _, err := srv.store.GetGrant(ctx, alice.account.ID, shop); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("grant after revoke: %v", err)
		}
	})
}

// freshServer starts a server whose portal clock the test can move ahead,
// making the sign-in look old.
func freshServer(t *testing.T, store storage.Store) (*testServer, *atomic.Int64) {
	t.Helper()
	var ahead atomic.Int64
	srv := startServer(t, store, withPortalClock(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }))
	return srv, &ahead
}

// signInAgain completes a sign-in the portal asked for (prompt=login).
func signInAgain(t *testing.T, u *portalUser, p *page, password string) *page {
	t.Helper()
	if strings.Contains(p.body, `name="identifier"`) && !strings.Contains(p.body, `name="password"`) {
		p = u.b.submit(p, map[string]string{"identifier": u.account.Email})
	}
	if !strings.Contains(p.body, `name="password"`) {
		t.Fatalf("expected a password page, got %d at %s:\n%s", p.status, p.url, p.body)
	}
	return u.b.submit(p, map[string]string{"password": password})
}

func TestPortalPasswordChange(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv, ahead := freshServer(t, newStore(t))
		u := newPortalUser(t, srv, "alice@example.com")
		other := portalBrowser(t, srv, chromeWindows, "alice@example.com")

		// An old sign-in is sent to sign in again; nothing changes.
		ahead.Store(int64(staleSignInAge))
		wantBody(t, "stale page", u.get("/account/security"), "sign in again before you do this")
		p := u.post("/account/password", "current_password", alicePass, "new_password", newPortalPass, "new_password_confirm", newPortalPass)
		if !strings.Contains(p.body, `name="password"`) && !strings.Contains(p.body, `name="identifier"`) {
			t.Fatalf("stale change: expected a sign-in page, got %d at %s", p.status, p.url)
		}
		ahead.Store(0)
		p = signInAgain(t, u, p, alicePass)
		if p.url.Path != "/account/security" {
			t.Fatalf("after signing in again: %s", p.url)
		}
		p = u.post("/account/password", "current_password", "wrong password", "new_password", newPortalPass, "new_password_confirm", newPortalPass)
		wantStatus(t, "wrong current", p, http.StatusUnprocessableEntity)
		wantBody(t, "wrong current", p, `id="current_password-error"`, "not your current password")
		p = u.post("/account/password", "current_password", alicePass, "new_password", newPortalPass, "new_password_confirm", "different")
		wantBody(t, "mismatch", p, `id="new_password-error"`, "do not match")
		p = u.post("/account/password", "current_password", alicePass, "new_password", "short", "new_password_confirm", "short")
		wantBody(t, "too short", p, "too short")
		p = u.post("/account/password", "current_password", alicePass, "new_password", newPortalPass, "new_password_confirm", newPortalPass)
		wantBody(t, "changed", p, "Your password is changed.")
		if !other.signedOut(t) || u.signedOut(t) {
			t.Error("after a password change the other device must be signed out, this one not")
		}
		portalSignIn(t, srv, newBrowser(t, srv.Listener.Addr().String()), "alice@example.com", newPortalPass)
	})
}

func TestPortalPasswordAttemptsLimited(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	u := newPortalUser(t, srv, "alice@example.com")
	for range 5 {
		u.post("/account/password", "current_password", "wrong password", "new_password", newPortalPass, "new_password_confirm", newPortalPass)
	}
	p := u.post("/account/password", "current_password", alicePass, "new_password", newPortalPass, "new_password_confirm", newPortalPass)
	wantStatus(t, "sixth attempt", p, http.StatusTooManyRequests)
	wantBody(t, "sixth attempt", p, "Too many attempts")
	cred, _ := srv.store.GetPassword(t.Context(), u.account.ID)
	if _, err := password.NewHasher(password.OWASP).Verify(t.Context(), alicePass, cred.Hash); err != nil {
		t.Error("password changed despite the limit")
	}
}

// TestPortalEnrollmentConfirmPost: a confirmation posted to the
// portal's enrollment action gets a page, not an empty answer.
func TestPortalEnrollmentConfirmPost(t *testing.T) {
	t.Parallel()
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFAOff}, nil)
	u := newPortalUser(t, fx.srv, "dora@example.com")
	p := u.portalAction(t, u.get("/account/security"), "enroll:totp").page
	if p = u.b.submit(p, map[string]string{"confirm": "1"}); p.status == http.StatusOK && strings.TrimSpace(p.body) == "" {
		t.Fatal("a confirmation posted to an enrollment action got an empty page")
	}
}
