package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice"
	"foyer/selfservice/mfa"
	"foyer/selfservice/mfa/mfatest"
	"foyer/selfservice/portal"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

func TestPortalActionParamMatches(t *testing.T) {
	t.Parallel()
	if portal.ActionParam != selfservice.ActionParam {
		t.Fatalf("portal sends %q, selfservice reads %q", portal.ActionParam, selfservice.ActionParam)
	}
}

// portalAction follows a link of the security page: a fresh sign-in
// (identifier and password, even with a live session) that ends inside the
// action.
func (u *portalUser) portalAction(t *testing.T, security *page, action string) *signIn {
	t.Helper()
	link := capture(t, security, `href="(/account/login\?[^"]*action=`+strings.ReplaceAll(action, ":", "%3A")+`[^"]*)"`)
	p := u.get(link)
	if !strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("%s without a fresh sign-in: %d at %s\n%s", action, p.status, p.url, p.body)
	}
	p = u.b.submit(p, map[string]string{"identifier": u.account.Email})
	return &signIn{b: u.b, page: u.b.submit(p, map[string]string{"password": alicePass})}
}

// TestPortalMFA: the security page lists the account's factors and links
// to add and remove them and to replace the recovery codes; each link is a
// fresh sign-in that first asks for a factor the account already has. The
// last factor is not removed while an application requires MFA, and only
// the portal's own client can ask for an account action.
func TestPortalMFA(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	ctx := context.Background()
	u := newPortalUser(t, srv, "alice@example.com")
	sec := u.get("/account/security")
	wantBody(t, "security page without factors", sec, "No second method yet", "Add an authenticator app", "Add a passkey")

	s := u.portalAction(t, sec, "enroll:totp")
	if !strings.Contains(s.page.body, `name="enroll" value="totp"`) || strings.Contains(s.page.body, `value="passkey"`) {
		t.Fatalf("the enroll action did not offer just the authenticator app:\n%s", s.page.body)
	}
	secret, _ := enrollTOTP(t, s)
	if s.page.url.Path != "/account/security" || !strings.Contains(s.page.body, "Authenticator app") {
		t.Fatalf("after enrolling: %d at %s\n%s", s.page.status, s.page.url, s.page.body)
	}

	// Adding a passkey asks for the authenticator app first.
	key := mfatest.NewAuthenticator("localhost", srv.issuer)
	s = u.portalAction(t, s.page, "enroll:passkey")
	s.choose(t, "totp|")
	code, _ := mfa.TOTPCode(secret, time.Now().Add(30*time.Second))
	s.post(map[string]string{"code": code})
	s.post(map[string]string{"enroll": "passkey"})
	created, err := key.Create([]byte(capture(t, s.page, `data-webauthn="create" data-options="([^"]*)"`)))
	if err != nil {
		t.Fatal(err)
	}
	s.post(map[string]string{"credential": string(created), "name": "Laptop"})
	wantBody(t, "after adding a passkey", s.page, "Authenticator app", "Laptop", "Recovery codes left: 10")

	withPasskey := func(s *signIn) {
		t.Helper()
		s.choose(t, "passkey|")
		assertion, err := key.Get([]byte(capture(t, s.page, `data-webauthn="get" data-options="([^"]*)"`)))
		if err != nil {
			t.Fatal(err)
		}
		s.post(map[string]string{"credential": string(assertion)})
	}
	// New recovery codes replace the old ones.
	s = u.portalAction(t, s.page, "recovery_codes")
	withPasskey(s)
	s.post(map[string]string{"confirm": "1"})
	if n := len(recoveryCodePattern.FindAllString(s.page.body, -1)); n != mfa.RecoveryCodeCount {
		t.Fatalf("new recovery codes: %d shown\n%s", n, s.page.body)
	}
	s.post(map[string]string{"continue": "1"})
	wantBody(t, "after new codes", s.page, "Recovery codes left: 10")

	// Remove the app; then, with MFA required, the last factor stays.
	if err := srv.store.SetMFAPolicy(ctx, defaultApplicationID, storage.MFAPolicy{Mode: storage.MFARequired}); err != nil {
		t.Fatal(err)
	}
	auths, _ := srv.store.ListAuthenticators(ctx, u.account.ID)
	s = u.portalAction(t, s.page, "remove:"+auths[0].ID)
	withPasskey(s)
	wantBody(t, "removal confirmation", s.page, "Remove a sign-in method", "Authenticator app")
	s.post(map[string]string{"confirm": "1"})
	if strings.Contains(s.page.body, "Authenticator app") || !strings.Contains(s.page.body, "Laptop") {
		t.Fatalf("after removing the app:\n%s", s.page.body)
	}
	s = u.portalAction(t, s.page, "remove:"+auths[1].ID)
	withPasskey(s)
	if p := s.post(map[string]string{"confirm": "1"}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "only second method") {
		t.Fatalf("removing the last factor under required MFA: %d\n%s", p.status, p.body)
	}
	if left, _ := srv.store.ListAuthenticators(ctx, u.account.ID); len(left) != 1 {
		t.Fatalf("the refused removal changed the factors: %+v", left)
	}
	// The owner was told of each addition and of the removal.
	notes, _ := srv.store.ListNotifications(ctx, 100)
	told := map[string]int{}
	for _, n := range notes {
		if n.To == "alice@example.com" && n.Kind == "notice" {
			for _, change := range []string{"added", "removed"} {
				if strings.Contains(n.Text, "A sign-in method was "+change) {
					told[change]++
				}
			}
		}
	}
	if told["added"] != 2 || told["removed"] != 1 {
		t.Errorf("factor notices to the owner: %v, want 2 added and 1 removed", told)
	}

	// Another client's foyer_action is ignored: the sign-in just ends at it.
	id, secretRP := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, id, secretRP, oidc.ScopeOpenID)
	b := newBrowser(t, srv.Listener.Addr().String())
	p := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("foyer_action", "remove:"+auths[1].ID)))
	p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
	s = &signIn{b: b, page: b.submit(p, map[string]string{"password": alicePass})}
	withPasskey(s)
	if cb := s.page.location(t); cb.Query().Get("code") == "" {
		t.Fatalf("a third-party client's action got in the way: %s", cb)
	}
	if left, _ := srv.store.ListAuthenticators(ctx, u.account.ID); len(left) != 1 {
		t.Fatalf("another client's foyer_action removed a factor: %+v", left)
	}
}

// TestPortalSignInAsksForEnrolledFactor: with MFA off for the application,
// an account that enrolled a factor still proves it when it signs in to
// the portal, so a stolen password alone cannot change the password or
// delete the account there.
func TestPortalSignInAsksForEnrolledFactor(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	u := newPortalUser(t, srv, "alice@example.com")
	secret, _ := enrollTOTP(t, u.portalAction(t, u.get("/account/security"), "enroll:totp"))
	b := newBrowser(t, srv.Listener.Addr().String())
	p := b.get(srv.issuer + "/account")
	p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
	s := &signIn{b: b, page: b.submit(p, map[string]string{"password": alicePass})}
	if !strings.Contains(s.page.body, `name="code"`) {
		t.Fatalf("the portal sign-in did not ask for the enrolled factor (%d at %s)", s.page.status, s.page.url)
	}
	s.choose(t, "totp|")
	code, _ := mfa.TOTPCode(secret, time.Now().Add(30*time.Second))
	s.post(map[string]string{"code": code})
	if s.page.url.Path != "/account/apps" {
		t.Fatalf("after the factor: %d at %s", s.page.status, s.page.url)
	}
}
