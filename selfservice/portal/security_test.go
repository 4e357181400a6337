package portal

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"foyer/storage"
)

const (
	firefoxLinux   = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	chromeWindows  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	newPortalPass  = "a brand new passphrase 42"
	staleSignInAge = 10 * time.Minute
)

// device signs account a in from a new browser with the User-Agent ua.
func (e *testEnv) device(t testing.TB, a *storage.Account, ua string) *user {
	t.Helper()
	u := e.browser(t, a, ua)
	u.signIn()
	return u
}

func sessionIDs(t *testing.T, e *testEnv, accountID string) []string {
	t.Helper()
	list, err := e.store.ListSessionsByAccount(t.Context(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(list))
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	return ids
}

func TestSessions(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		alice := e.account(t, "", "alice@example.com")
		a := e.device(t, alice, firefoxLinux)
		b := e.device(t, alice, chromeWindows)
		bob := e.device(t, e.account(t, "", "bob@example.com"), chromeWindows)

		p := a.get("/account/security")
		wantBody(t, "sessions", p, "Firefox 128", "Linux", "Chrome 126", "Windows", "This device", ">Sign out this device<", ">Sign out all other devices<")
		if n := strings.Count(p.body, `name="session_id"`); n != 2 {
			t.Errorf("%d sessions listed, want 2", n)
		}
		if n := strings.Count(p.body, "This device"); n != 1 {
			t.Errorf("current session marked %d times", n)
		}
		// Another account's session id is unknown here and stays.
		bobSession := sessionIDs(t, e, bob.account.ID)[0]
		wantStatus(t, "end another's session", a.post("/account/sessions/end", "session_id", bobSession), http.StatusNotFound)
		if bob.signedOut() {
			t.Fatal("bob was signed out by alice")
		}
		// Ending the other device's session signs that browser out.
		var other string
		current := currentSessionID(t, a)
		for _, id := range sessionIDs(t, e, alice.ID) {
			if id != current {
				other = id
			}
		}
		p = a.post("/account/sessions/end", "session_id", other)
		wantBody(t, "end other", p, "That device is signed out.")
		if !b.signedOut() {
			t.Error("the other browser is still signed in")
		}
		if a.signedOut() {
			t.Fatal("ending another session signed this one out")
		}
		// Sign out all others.
		b = e.device(t, alice, chromeWindows)
		wantBody(t, "end others", a.post("/account/sessions/end-others"), "All your other devices are signed out.")
		if !b.signedOut() || a.signedOut() {
			t.Error("sign out all others: wrong sessions ended")
		}
		// Ending the current session signs this browser out.
		a.post("/account/sessions/end", "session_id", currentSessionID(t, a))
		if !a.signedOut() {
			t.Error("still signed in after ending the current session")
		}
	})
}

// currentSessionID is the session the page marks as this device.
func currentSessionID(t *testing.T, u *user) string {
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

func TestGrants(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		alice := e.signedIn(t, "alice@example.com")
		bob := e.account(t, "", "bob@example.com")
		e.client(t, "shop", "Shop")
		e.client(t, "news", "News")
		for _, g := range []struct{ account, client string }{{alice.account.ID, "shop"}, {bob.ID, "news"}} {
			if _, err := e.store.SaveGrant(ctx, g.account, g.client, []string{"openid", "email"}); err != nil {
				t.Fatal(err)
			}
		}
		p := alice.get("/account/security")
		wantBody(t, "grants", p, "Shop", "email, openid", ">Revoke access for Shop<")
		if strings.Contains(p.body, "News") {
			t.Error("bob's grant shown to alice")
		}
		wantStatus(t, "revoke bob's grant", alice.post("/account/grants/revoke", "client_id", "news"), http.StatusNotFound)
		if _, err := e.store.GetGrant(ctx, bob.ID, "news"); err != nil {
			t.Fatalf("bob's grant: %v", err)
		}
		wantBody(t, "revoke", alice.post("/account/grants/revoke", "client_id", "shop"), "no longer has access")
		if _, err := e.store.GetGrant(ctx, alice.account.ID, "shop"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("grant after revoke: %v", err)
		}
	})
}

func TestPasswordChange(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		u := e.signedIn(t, "alice@example.com")
		other := e.device(t, u.account, chromeWindows)

		// An old sign-in is sent to sign in again (prompt=login); nothing
		// changes.
		e.clock.Advance(staleSignInAge)
		wantBody(t, "stale page", u.get("/account/security"), "sign in again before you do this")
		p := u.post("/account/password", "current_password", testPassword, "new_password", newPortalPass, "new_password_confirm", newPortalPass)
		if !p.toSignIn() || p.url.Query().Get("prompt") != "login" {
			t.Fatalf("stale change: expected a fresh sign-in, got %d at %s", p.status, p.url)
		}
		u.signIn()
		p = u.post("/account/password", "current_password", "wrong password", "new_password", newPortalPass, "new_password_confirm", newPortalPass)
		wantStatus(t, "wrong current", p, http.StatusUnprocessableEntity)
		wantBody(t, "wrong current", p, `id="current_password-error"`, "not your current password")
		p = u.post("/account/password", "current_password", testPassword, "new_password", newPortalPass, "new_password_confirm", "different")
		wantBody(t, "mismatch", p, `id="new_password-error"`, "do not match")
		p = u.post("/account/password", "current_password", testPassword, "new_password", "short", "new_password_confirm", "short")
		wantBody(t, "too short", p, "too short")
		p = u.post("/account/password", "current_password", testPassword, "new_password", newPortalPass, "new_password_confirm", newPortalPass)
		wantBody(t, "changed", p, "Your password is changed.")
		if !other.signedOut() || u.signedOut() {
			t.Error("after a password change the other device must be signed out, this one not")
		}
		cred, _ := e.store.GetPassword(t.Context(), u.account.ID)
		if _, err := e.hasher.Verify(t.Context(), newPortalPass, cred.Hash); err != nil {
			t.Errorf("the new password does not verify: %v", err)
		}
	})
}

func TestPasswordAttemptsLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	u := e.signedIn(t, "alice@example.com")
	for range 5 {
		u.post("/account/password", "current_password", "wrong password", "new_password", newPortalPass, "new_password_confirm", newPortalPass)
	}
	p := u.post("/account/password", "current_password", testPassword, "new_password", newPortalPass, "new_password_confirm", newPortalPass)
	wantStatus(t, "sixth attempt", p, http.StatusTooManyRequests)
	wantBody(t, "sixth attempt", p, "Too many attempts")
	cred, _ := e.store.GetPassword(t.Context(), u.account.ID)
	if _, err := e.hasher.Verify(t.Context(), testPassword, cred.Hash); err != nil {
		t.Error("password changed despite the limit")
	}
}
