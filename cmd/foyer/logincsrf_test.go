package main

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestHalfFinishedSignInStaysInItsBrowser: the sign-in link is no bearer
// link. Someone who stops their own sign-in at the MFA enrollment offer
// (after their password) and sends the page's link to a victim cannot get
// the victim's browser signed in to their account: the other browser gets
// a page saying the sign-in began elsewhere, for showing and for posting
// the step, and no session. The starting browser still finishes it.
func TestHalfFinishedSignInStaysInItsBrowser(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		fx := newMFAFixture(t, newStore(t), storage.MFAPolicy{Mode: storage.MFAOptional}, nil)
		attacker := fx.passwordSignIn(t)
		if !strings.Contains(attacker.page.body, `name="skip"`) {
			t.Fatalf("expected the enrollment offer:\n%s", attacker.page.body)
		}
		link := attacker.page.url.String()

		victim := newBrowser(t, fx.srv.Listener.Addr().String())
		p := victim.get(link)
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "started in another browser") {
			t.Fatalf("the link in another browser: %d\n%s", p.status, p.body)
		}
		// Posting the offer's form from the other browser is refused too.
		p = victim.submit(attacker.page, map[string]string{"skip": "1"})
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "started in another browser") {
			t.Fatalf("skip posted from another browser: %d\n%s", p.status, p.body)
		}
		if sessionCookie(victim, fx.srv) {
			t.Fatal("the other browser holds an SSO session")
		}

		// The browser that started it finishes it.
		p = attacker.b.submit(attacker.page, map[string]string{"skip": "1"})
		if loc := p.location(t); loc.Query().Get("code") == "" {
			t.Fatalf("the starting browser could not finish: %s", loc)
		}
	})
}

// sessionCookie reports whether the browser holds Foyer's SSO session cookie.
func sessionCookie(b *browser, srv *testServer) bool {
	req, _ := http.NewRequest(http.MethodGet, srv.issuer+"/", nil)
	for _, c := range b.Jar.Cookies(req.URL) {
		if c.Name == session.CookieName && c.Value != "" {
			return true
		}
	}
	return false
}

// TestTwoSignInsSideBySide: one browser starts two authorization requests
// (two tabs) and finishes the older one first; both finish.
func TestTwoSignInsSideBySide(t *testing.T) {
	t.Parallel()
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFAOff}, nil)
	b := newBrowser(t, fx.srv.Listener.Addr().String())
	v := oauth2.GenerateVerifier()
	older := b.get(fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)))
	newer := b.get(fx.rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(v)))
	for _, tab := range []struct {
		p     *page
		state string
	}{{older, "state-0001"}, {newer, "state-0002"}} {
		p := b.submit(tab.p, map[string]string{"identifier": "alice@example.com"})
		if !strings.Contains(p.body, `name="password"`) {
			t.Fatalf("%s: no password page in its own browser: %d\n%s", tab.state, p.status, p.body)
		}
		loc := b.submit(p, map[string]string{"password": alicePass}).location(t)
		if loc.Query().Get("code") == "" || loc.Query().Get("state") != tab.state {
			t.Fatalf("%s: %s", tab.state, loc)
		}
	}
}

// TestCrossSitePostKeepsTheBinding: a cross-site POST to the authorization
// endpoint carries none of the browser's SameSite=Lax cookies. It is sent
// back as a GET (which carries them) instead of being answered with a new
// binding that would replace the browser's own and strand a sign-in in
// progress in another tab.
func TestCrossSitePostKeepsTheBinding(t *testing.T) {
	t.Parallel()
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFAOff}, nil)
	b := newBrowser(t, fx.srv.Listener.Addr().String())
	v := oauth2.GenerateVerifier()
	authURL := fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v))
	tab := b.get(authURL) // a sign-in in progress
	bound := browserCookie(t, b, fx.srv)

	u, _ := url.Parse(authURL)
	form := u.Query()
	form.Set("state", "state-0002")
	noCookies := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noCookies.PostForm(fx.srv.issuer+authz.AuthorizePath, form) // cross-site: no Lax cookies
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Path != authz.AuthorizePath ||
		loc.Query().Get("state") != "state-0002" || len(resp.Cookies()) != 0 {
		t.Fatalf("cookie-less POST: %d to %v, cookies %v; want 303 to the same request by GET, no cookie", resp.StatusCode, loc, resp.Cookies())
	}
	// The browser follows it with its cookies; its binding stays, and the
	// first tab still finishes.
	b.get(loc.String())
	// The cookie may be sent again (its signature carries the time, so
	// its value changes across a second); what it binds must not.
	if got := browserCookie(t, b, fx.srv); bindingOf(t, got) != bindingOf(t, bound) {
		t.Fatalf("the binding changed: %q -> %q", bound, got)
	}
	p := b.submit(b.submit(tab, map[string]string{"identifier": "alice@example.com"}), map[string]string{"password": alicePass})
	if p.location(t).Query().Get("state") != "state-0001" {
		t.Fatalf("the first tab could not finish: %s", p.location(t))
	}
}

// bindingOf is the value a signed cookie carries: "time|value|mac",
// base64url encoded, without the time and the MAC.
func bindingOf(t *testing.T, cookie string) string {
	t.Helper()
	raw, err := base64.URLEncoding.DecodeString(cookie)
	parts := strings.SplitN(string(raw), "|", 3)
	if err != nil || len(parts) != 3 {
		t.Fatalf("not a signed cookie: %q", cookie)
	}
	return parts[1]
}

func browserCookie(t *testing.T, b *browser, srv *testServer) string {
	t.Helper()
	u, _ := url.Parse(srv.issuer + "/")
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == session.BrowserCookieName {
			return c.Value
		}
	}
	t.Fatal("no browser binding cookie")
	return ""
}
