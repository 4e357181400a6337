package portal

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/storagetest"
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
		wantBody(t, "sessions", p, "Firefox 128", "Linux", "Chrome 126", "Windows", "This device", ">Sign out this device<span class=\"visually-hidden\">: Chrome 126 · Windows,", ">Sign out all other devices<")
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
		wantBody(t, "mismatch", p, `id="new_password_confirm-error"`, `aria-describedby="new_password_confirm-error"`, "do not match")
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
	// All six at one instant of the harness's clock: the first leaves the
	// window in 15 minutes.
	if got := p.resp.Header.Get("Retry-After"); got != "900" {
		t.Errorf("Retry-After %q, want 900", got)
	}
	cred, _ := e.store.GetPassword(t.Context(), u.account.ID)
	if _, err := e.hasher.Verify(t.Context(), testPassword, cred.Hash); err != nil {
		t.Error("password changed despite the limit")
	}
}

// TestPasswordChangeLikeReset: the portal's password change applies the
// portal application's password policy (common passwords refused, whatever
// application's look ?app= chose), ends every token a client holds for the
// account and every reset link or code still out, and tells the owner; in the portal application's passwordless
// mode no password form is offered even under another look.
func TestPasswordChangeLikeReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	lax := storage.DefaultSelfServicePolicy()
	lax.PasswordPolicy.RejectCommonPasswords = false
	if err := e.store.CreateApplication(ctx, &storage.Application{ID: "lax", StoreID: testStoreID, Name: "Lax", SelfService: lax}); err != nil {
		t.Fatal(err)
	}
	u := e.signedIn(t, "alice@example.com")
	// A token of a client, issued before the change.
	now := e.clock.Now()
	if err := e.store.CreateToken(ctx, &storage.Token{Kind: storage.TokenRefresh, Signature: "before-change", RequestID: "r1",
		ClientID: testPortalClient, Subject: u.account.ID, Active: true, Data: []byte("{}"),
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	storagetest.IssueResetSecrets(t, e.store, u.account.ID, now)
	u.get("/account/security?app=lax")
	p := u.post("/account/password", "current_password", testPassword, "new_password", "password123", "new_password_confirm", "password123")
	wantStatus(t, "a common password under a lax look", p, http.StatusUnprocessableEntity)
	wantBody(t, "a common password under a lax look", p, "too common")
	p = u.post("/account/password", "current_password", testPassword, "new_password", "amber-harbour-lantern-42", "new_password_confirm", "amber-harbour-lantern-42")
	wantBody(t, "changed", p, "Your password is changed.")
	if _, err := e.store.GetToken(ctx, storage.TokenRefresh, "before-change"); err == nil {
		t.Error("a token issued before the password change still works")
	}
	if n := storagetest.UsableResetSecrets(t, e.store, u.account.ID, e.clock.Now()); n != 0 {
		t.Errorf("%d reset links or codes asked for before the change still usable", n)
	}
	notes, _ := e.store.ListNotifications(ctx, 50)
	if !slices.ContainsFunc(notes, func(n storage.Notification) bool { return n.To == "alice@example.com" && n.Kind == "password_changed" }) {
		t.Error("the owner was not told of the password change")
	}

	if err := e.store.SetMFAPolicy(ctx, "default", storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true}); err != nil {
		t.Fatal(err)
	}
	if sec := u.get("/account/security?app=lax"); strings.Contains(sec.body, `name="current_password"`) {
		t.Error("passwordless portal: the password form came back under another application's look")
	}
	wantStatus(t, "password post in passwordless mode",
		u.post("/account/password", "current_password", "amber-harbour-lantern-42", "new_password", "x-amber-harbour-42", "new_password_confirm", "x-amber-harbour-42"),
		http.StatusNotFound)
}

// TestSensitiveChangesNeedFactor: an account with a second factor whose
// session came from a password-only sign-in (acr 1, before the factor was
// enrolled) can look at the portal but not change its e-mail address or
// password there: both ask for a new sign-in that proves the factor.
func TestSensitiveChangesNeedFactor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	u := e.signedIn(t, "alice@example.com")
	if err := e.store.CreateAuthenticator(ctx, &storage.Authenticator{AccountID: u.account.ID, Kind: storage.AuthenticatorEmail,
		Address: u.account.Email}); err != nil {
		t.Fatal(err)
	}
	if p := u.get("/account"); p.url.Path != "/account/apps" {
		t.Fatalf("the session did not open the portal: %d at %s", p.status, p.url)
	}
	p := u.post("/account/profile", "email", "mallory@example.com")
	wantStatus(t, "e-mail change on a password-only session", p, http.StatusUnprocessableEntity)
	wantBody(t, "e-mail change on a password-only session", p, "sign in again")
	if sec := u.get("/account/security"); strings.Contains(sec.body, `name="current_password"`) {
		t.Fatal("the password form is offered on a password-only session of an account with a factor")
	}
	acct, _ := e.store.GetAccount(ctx, u.account.ID)
	if acct.Email != "alice@example.com" {
		t.Fatalf("e-mail changed to %q", acct.Email)
	}
}
