package main

import (
	"context"
	"net/http"
	"slices"
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
	s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "totp|")})
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
		s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "passkey|")})
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
	if !strings.Contains(s.page.body, `name="choose"`) {
		t.Fatalf("the portal sign-in did not ask for the enrolled factor (%d at %s)", s.page.status, s.page.url)
	}
	s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "totp|")})
	code, _ := mfa.TOTPCode(secret, time.Now().Add(30*time.Second))
	s.post(map[string]string{"code": code})
	if s.page.url.Path != "/account/apps" {
		t.Fatalf("after the factor: %d at %s", s.page.status, s.page.url)
	}
}

// TestPortalSensitiveChangesNeedFactor: an account with a second factor
// whose session came from a password-only sign-in (at an application
// without MFA, before the factor was enrolled) can look at the portal but not change its e-mail address or
// password there: both ask for a new sign-in that proves the factor.
func TestPortalSensitiveChangesNeedFactor(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	ctx := context.Background()
	alice := srv.account(t, "alice@example.com", alicePass)
	id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)
	b := newBrowser(t, srv.Listener.Addr().String())
	b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "alice@example.com", alicePass)
	// The factor comes after that sign-in (enrolled in another browser):
	// a later sign-in would have asked for it, whatever the policy.
	if err := srv.store.CreateAuthenticator(ctx, &storage.Authenticator{AccountID: alice.ID, Kind: storage.AuthenticatorEmail,
		Address: alice.Email}); err != nil {
		t.Fatal(err)
	}
	u := &portalUser{srv: srv, b: b, account: alice}
	if p := u.get("/account"); p.url.Path != "/account/apps" {
		t.Fatalf("the SSO session did not open the portal: %d at %s", p.status, p.url)
	}
	p := u.post("/account/profile", "email", "mallory@example.com")
	wantStatus(t, "e-mail change on a password-only session", p, http.StatusUnprocessableEntity)
	wantBody(t, "e-mail change on a password-only session", p, "sign in again")
	sec := u.get("/account/security")
	if strings.Contains(sec.body, `name="current_password"`) {
		t.Fatal("the password form is offered on a password-only session of an account with a factor")
	}
	acct, _ := srv.store.GetAccount(ctx, alice.ID)
	if acct.Email != "alice@example.com" {
		t.Fatalf("e-mail changed to %q", acct.Email)
	}
}

// TestPortalConsentPolicyVersions: the privacy page lists the consent
// policy of the application; a new version of a document shows as not
// granted, accepting it keeps the old version in the history, and a
// document the policy does not name cannot be posted.
func TestPortalConsentPolicyVersions(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	ctx := context.Background()
	u := newPortalUser(t, srv, "alice@example.com")
	u.post("/account/consents", "consent", "marketing", "decision", "in")
	err := srv.store.SetConsentPolicy(ctx, defaultApplicationID, []storage.ConsentDocument{
		{Name: "marketing", Version: "2", Title: "Offers by e-mail (2027)", URL: "https://shop.example/offers"}})
	if err != nil {
		t.Fatal(err)
	}
	p := u.get("/account/privacy")
	wantBody(t, "privacy page after a new version", p, "Offers by e-mail (2027)", `href="https://shop.example/offers"`,
		"Give consent: Offers by e-mail (2027)")
	if strings.Contains(p.body, "terms_of_service") {
		t.Errorf("a document no longer in the policy is offered:\n%s", p.body)
	}
	u.post("/account/consents", "consent", "marketing", "decision", "in")
	recs, _ := srv.store.ListConsents(ctx, u.account.ID)
	versions := map[string]bool{}
	for _, r := range recs {
		if r.Consent == "marketing" {
			versions[r.Version] = true
		}
	}
	if !versions["1"] || !versions["2"] {
		t.Fatalf("consent records %+v, want marketing versions 1 and 2 kept", recs)
	}
	wantStatus(t, "a document outside the policy", u.post("/account/consents", "consent", "terms_of_service", "decision", "out"), http.StatusNotFound)

	// Withdrawing names each version withdrawn; withdrawing nothing given
	// writes no history.
	u.post("/account/consents", "consent", "marketing", "decision", "out")
	u.post("/account/consents", "consent", "marketing", "decision", "out")
	events, _ := srv.store.ListConsentEvents(ctx, u.account.ID)
	var revoked []string
	for _, e := range events {
		if e.Consent == "marketing" && e.Action == storage.ConsentRevoked {
			revoked = append(revoked, e.Version)
		}
	}
	slices.Sort(revoked)
	if !slices.Equal(revoked, []string{"1", "2"}) {
		t.Fatalf("withdrawal history %v, want versions 1 and 2 once each", revoked)
	}
}

// TestPortalPasswordChangeLikeReset: the portal's password change applies
// the portal application's password policy (common passwords refused,
// whatever application's look ?app= chose), ends every token a client holds
// for the account and tells the owner; in the portal application's
// passwordless mode no password form is offered even under another look.
func TestPortalPasswordChangeLikeReset(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	ctx := context.Background()
	lax := storage.DefaultSelfServicePolicy()
	lax.PasswordPolicy.RejectCommonPasswords = false
	if err := srv.store.CreateApplication(ctx, &storage.Application{ID: "lax", StoreID: defaultStoreID, Name: "Lax", SelfService: lax}); err != nil {
		t.Fatal(err)
	}
	u := newPortalUser(t, srv, "alice@example.com")
	// A token of a client, issued before the change.
	if err := srv.store.CreateToken(ctx, &storage.Token{Kind: storage.TokenRefresh, Signature: "before-change", RequestID: "r1",
		ClientID: accountPortalClient, Subject: u.account.ID, Active: true, Data: []byte("{}"),
		CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	u.get("/account/security?app=lax")
	p := u.post("/account/password", "current_password", alicePass, "new_password", "password123", "new_password_confirm", "password123")
	wantStatus(t, "a common password under a lax look", p, http.StatusUnprocessableEntity)
	wantBody(t, "a common password under a lax look", p, "too common")
	p = u.post("/account/password", "current_password", alicePass, "new_password", "amber-harbour-lantern-42", "new_password_confirm", "amber-harbour-lantern-42")
	wantBody(t, "changed", p, "Your password is changed.")
	if _, err := srv.store.GetToken(ctx, storage.TokenRefresh, "before-change"); err == nil {
		t.Error("a token issued before the password change still works")
	}
	notes, _ := srv.store.ListNotifications(ctx, 50)
	if !slices.ContainsFunc(notes, func(n storage.Notification) bool { return n.To == "alice@example.com" && n.Kind == "password_changed" }) {
		t.Error("the owner was not told of the password change")
	}

	if err := srv.store.SetMFAPolicy(ctx, defaultApplicationID, storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true}); err != nil {
		t.Fatal(err)
	}
	if sec := u.get("/account/security?app=lax"); strings.Contains(sec.body, `name="current_password"`) {
		t.Error("passwordless portal: the password form came back under another application's look")
	}
	wantStatus(t, "password post in passwordless mode",
		u.post("/account/password", "current_password", "amber-harbour-lantern-42", "new_password", "x-amber-harbour-42", "new_password_confirm", "x-amber-harbour-42"),
		http.StatusNotFound)
}
