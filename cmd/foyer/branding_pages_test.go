package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// Issue 17: every page kind, e-mail and SMS wears the branding of the
// application it belongs to, and nothing of another application's. Two
// applications with every branding field set walk the same pages.
func TestBrandingFollowsTheApplication(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		fx := newBrandFixture(t, newStore(t))
		for _, pair := range [][2]*brandApp{{fx.alpha, fx.beta}, {fx.beta, fx.alpha}} {
			a, other := pair[0], pair[1]
			t.Run(a.app.ID, func(t *testing.T) {
				fx.walkSignIn(t, a, other)
				fx.walkRegistration(t, a, other)
				fx.walkRecovery(t, a, other)
				fx.walkSMS(t, a, other)
				fx.walkDenied(t, a, other)
				fx.walkMFA(t, a, other)
			})
		}
	})
}

// start opens a's sign-in in a new browser.
func (fx *brandFixture) start(t *testing.T, a *brandApp, state string) (*browser, *page, string) {
	t.Helper()
	b := newBrowser(t, fx.srv.Listener.Addr().String())
	verifier := oauth2.GenerateVerifier()
	p := b.get(a.rp.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("sign-in of %s: %s\n%s", a.name, status(p), p.body)
	}
	return b, p, verifier
}

// walkSignIn: the sign-in steps and their error, then with the session
// the consent page of a third-party client, the portal opened for a,
// error pages tied to a's client and the logout pages.
func (fx *brandFixture) walkSignIn(t *testing.T, a, other *brandApp) {
	email := "signin@" + a.domain
	fx.srv.account(t, email, alicePass)
	b, p, _ := fx.start(t, a, "state-signin")
	a.wears(t, "identifier step", p, other)
	p = b.submit(p, map[string]string{"identifier": email})
	a.wears(t, "password step", p, other)
	// The same request opened in another browser is refused, in a's look.
	elsewhere := newBrowser(t, fx.srv.Listener.Addr().String()).get(p.url.String())
	if elsewhere.status != http.StatusBadRequest {
		t.Fatalf("sign-in in another browser: %s\n%s", status(elsewhere), elsewhere.body)
	}
	a.wears(t, "sign-in in another browser", elsewhere, other)
	wrong := b.submit(p, map[string]string{"password": "not-the-password-1"})
	if wrong.status == http.StatusOK || !strings.Contains(wrong.body, `name="password"`) {
		t.Fatalf("wrong password: %s\n%s", status(wrong), wrong.body)
	}
	a.wears(t, "wrong password", wrong, other)
	done := b.submit(wrong, map[string]string{"password": alicePass})
	if cb := done.location(t); cb.Query().Get("code") == "" {
		t.Fatalf("sign-in ended at %s", cb)
	}
	// The interaction is finished and gone: its sign-in link names no
	// application any more, so the page wears the default look (README,
	// Branding), never another application's.
	stale := b.get(fx.srv.issuer + "/login?" + p.url.RawQuery)
	if stale.status != http.StatusBadRequest {
		t.Fatalf("finished interaction: %s\n%s", status(stale), stale.body)
	}
	noLeak(t, "finished interaction", stale.body, other)

	consent := b.get(fx.thirdParty(a).AuthCodeURL("state-consent", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if consent.status != http.StatusOK || !strings.Contains(consent.body, `name="scope"`) && !strings.Contains(consent.body, "consent") {
		t.Fatalf("consent: %s\n%s", status(consent), consent.body)
	}
	a.wears(t, "consent", consent, other)

	post := b.get(a.rp.oauth.AuthCodeURL("state-post", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("response_mode", "form_post")))
	if post.status != http.StatusOK || !strings.Contains(post.body, rpCallback) {
		t.Fatalf("form_post: %s\n%s", status(post), post.body)
	}
	a.wears(t, "form_post page", post, other)

	fx.walkPortal(t, b, a, other)
	fx.walkClientErrors(t, b, a, other)

	logout := b.get(fx.srv.issuer + "/oauth2/logout?" + url.Values{"client_id": {a.rp.oauth.ClientID}}.Encode())
	if logout.status != http.StatusOK || !strings.Contains(logout.body, `name="confirm"`) {
		t.Fatalf("logout confirmation: %s\n%s", status(logout), logout.body)
	}
	a.wears(t, "logout confirmation", logout, other)
	out := b.submit(logout, nil)
	if out.status != http.StatusOK {
		t.Fatalf("signed out: %s\n%s", status(out), out.body)
	}
	a.wears(t, "signed-out page", out, other)
}

// thirdParty is the oauth2 configuration of a's third-party client.
func (fx *brandFixture) thirdParty(a *brandApp) *oauth2.Config {
	c := a.rp.oauth
	c.ClientID, c.ClientSecret, c.Scopes = a.thirdID, a.thirdSecret, []string{"openid", "email"}
	return &c
}

// walkPortal opens the account portal for a (?app=) and its pages.
func (fx *brandFixture) walkPortal(t *testing.T, b *browser, a, other *brandApp) {
	t.Helper()
	p := b.get(fx.srv.issuer + "/account?app=" + a.app.ID)
	if p.status != http.StatusOK || p.url.Path != "/account/apps" {
		t.Fatalf("portal for %s: %s\n%s", a.name, status(p), p.body)
	}
	a.wears(t, "portal launcher", p, other)
	for _, path := range []string{"/account/profile", "/account/settings", "/account/security", "/account/privacy"} {
		a.wears(t, "portal "+path, b.get(fx.srv.issuer+path), other)
	}
	missing := b.get(fx.srv.issuer + "/account/organizations/not-an-organization")
	a.wears(t, "portal not-found", missing, other)
}

// walkClientErrors: error pages of requests that name a's client.
func (fx *brandFixture) walkClientErrors(t *testing.T, b *browser, a, other *brandApp) {
	t.Helper()
	bad := b.get(fx.srv.issuer + "/oauth2/auth?" + url.Values{"client_id": {a.rp.oauth.ClientID}, "response_type": {"code"},
		"scope": {"openid"}, "redirect_uri": {"https://elsewhere.example/cb"}, "state": {"s"}}.Encode())
	if bad.status != http.StatusBadRequest {
		t.Fatalf("unregistered redirect URI: %s\n%s", status(bad), bad.body)
	}
	a.wears(t, "unregistered redirect URI", bad, other)
	logout := b.get(fx.srv.issuer + "/oauth2/logout?" + url.Values{"client_id": {a.rp.oauth.ClientID},
		"post_logout_redirect_uri": {"https://elsewhere.example/bye"}}.Encode())
	if logout.status != http.StatusBadRequest {
		t.Fatalf("unregistered post-logout URI: %s\n%s", status(logout), logout.body)
	}
	a.wears(t, "unregistered post-logout URI", logout, other)
}

// walkRegistration: the registration page, the check-your-e-mail page, the
// activation e-mail and the page its link opens.
func (fx *brandFixture) walkRegistration(t *testing.T, a, other *brandApp) {
	s := &regSetup{srv: fx.srv, rp: a.rp}
	b, p, _ := s.registerPage(t, "state-register")
	a.wears(t, "registration", p, other)
	email := "new@" + a.domain
	bad := b.submit(p, regFields(email, "short"))
	a.wears(t, "registration error", bad, other)
	sent := b.submit(p, regFields(email, newcomerPass))
	if sent.status != http.StatusOK {
		t.Fatalf("registration: %s\n%s", status(sent), sent.body)
	}
	a.wears(t, "check your e-mail (registration)", sent, other)
	m := fx.in.Next(t, email)
	a.mailWears(t, "activation e-mail", m, fx.srv.issuer, other)
	link := m.Link(t, fx.srv.issuer+"/register/activate?token=")
	// In another browser the link activates without continuing the
	// sign-in, and says so on a page of its own.
	other2 := newBrowser(t, fx.srv.Listener.Addr().String())
	a.wears(t, "activation link in another browser", openLink(t, other2, link), other)
	used := other2.get(link)
	a.wears(t, "used activation link", used, other)
}

// walkRecovery: the recovery request, the check-your-e-mail page, the
// reset e-mail, the reset page it opens, the password-changed e-mail and
// the page of a used link.
func (fx *brandFixture) walkRecovery(t *testing.T, a, other *brandApp) {
	email := "reset@" + a.domain
	fx.srv.account(t, email, alicePass)
	s := &regSetup{srv: fx.srv, rp: a.rp}
	b, p, _ := s.recoverPage(t, "state-reset")
	a.wears(t, "recovery request", p, other)
	sent := b.submit(p, map[string]string{"identifier": email})
	a.wears(t, "check your e-mail (recovery)", sent, other)
	m := fx.in.Next(t, email)
	a.mailWears(t, "reset e-mail", m, fx.srv.issuer, other)
	link := m.Link(t, fx.srv.issuer+"/recover/reset?")
	form := openLink(t, b, link)
	if !strings.Contains(form.body, `name="password_confirm"`) {
		t.Fatalf("reset link: %s\n%s", status(form), form.body)
	}
	a.wears(t, "reset page", form, other)
	// The link is spent; opened again while the sign-in still waits, it
	// says so in a's look.
	spent := newBrowser(t, fx.srv.Listener.Addr().String()).get(link)
	if spent.status != http.StatusBadRequest {
		t.Fatalf("spent reset link: %s\n%s", status(spent), spent.body)
	}
	a.wears(t, "spent reset link", spent, other)
	mismatch := b.submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass + "x"})
	a.wears(t, "reset page error", mismatch, other)
	done := b.submit(mismatch, map[string]string{"password": resetPass, "password_confirm": resetPass})
	if done.location(t).Query().Get("code") == "" {
		t.Fatalf("reset ended at %s", done.location(t))
	}
	a.mailWears(t, "password-changed e-mail", fx.in.Next(t, email), fx.srv.issuer, other)
	// Its sign-in is over and gone: the default look, nothing of other.
	used := newBrowser(t, fx.srv.Listener.Addr().String()).get(link)
	if used.status != http.StatusBadRequest {
		t.Fatalf("used reset link: %s\n%s", status(used), used.body)
	}
	noLeak(t, "used reset link", used.body, other)
}

// walkSMS: a reset code and the password-changed notice by SMS.
func (fx *brandFixture) walkSMS(t *testing.T, a, other *brandApp) {
	s := &regSetup{srv: fx.srv, rp: a.rp}
	phone := map[string]string{"alpha": "+41790000101", "beta": "+41790000102"}[a.app.ID]
	acct := s.phoneAccount(t, storage.Account{Username: "phone-" + a.app.ID, Phone: phone, PhoneConfirmed: true})
	b, p, _ := s.recoverPage(t, "state-sms")
	sent := b.submit(p, map[string]string{"identifier": acct.Username})
	a.wears(t, "enter the texted code", sent, other)
	m := fx.in.Next(t, phone)
	a.smsWears(t, "reset code SMS", m, other)
	form := b.submit(sent, map[string]string{"code": sixDigits.FindString(m.Text)})
	done := b.submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
	done.location(t)
	a.smsWears(t, "password-changed SMS", fx.in.Next(t, phone), other)
}

// walkMFA: with a second factor required, the enrollment page, the code
// step, the code e-mail, the factor-added e-mail; then a sign-in asking
// for the enrolled factor.
func (fx *brandFixture) walkMFA(t *testing.T, a, other *brandApp) {
	ctx := context.Background()
	if err := fx.srv.store.SetMFAPolicy(ctx, a.app.ID, storage.MFAPolicy{Mode: storage.MFARequired,
		Methods: []string{storage.MethodEmailCode}}); err != nil {
		t.Fatal(err)
	}
	email := "mfa@" + a.domain
	fx.srv.account(t, email, alicePass)
	b, p, _ := fx.start(t, a, "state-mfa")
	p = b.submit(b.submit(p, map[string]string{"identifier": email}), map[string]string{"password": alicePass})
	if !strings.Contains(p.body, `name="enroll"`) {
		t.Fatalf("want the enrollment step: %s\n%s", status(p), p.body)
	}
	a.wears(t, "MFA enrollment", p, other)
	p = b.submit(p, map[string]string{"enroll": "email"})
	a.wears(t, "MFA enrollment code", p, other)
	m := fx.in.Next(t, email)
	a.mailWears(t, "enrollment code e-mail", m, fx.srv.issuer, other)
	p = b.submit(p, map[string]string{"code": sixDigits.FindString(m.Text)})
	a.wears(t, "MFA enrolled", p, other)
	if p = b.submit(p, map[string]string{"continue": "1"}); p.location(t).Query().Get("code") == "" {
		t.Fatalf("enrollment ended at %s", p.location(t))
	}
	a.mailWears(t, "factor-added e-mail", fx.in.Next(t, email), fx.srv.issuer, other)

	b, p, _ = fx.start(t, a, "state-mfa-2")
	p = b.submit(b.submit(p, map[string]string{"identifier": email}), map[string]string{"password": alicePass})
	if strings.Contains(p.body, `name="choose"`) {
		a.wears(t, "MFA chooser", p, other)
		p = b.submit(p, map[string]string{"choose": buttonValue(t, p, "choose", "email|")})
	}
	a.wears(t, "MFA code step", p, other)
	m = fx.in.Next(t, email)
	a.mailWears(t, "sign-in code e-mail", m, fx.srv.issuer, other)
	wrong := b.submit(p, map[string]string{"code": "000000"})
	a.wears(t, "MFA wrong code", wrong, other)
	if p = b.submit(wrong, map[string]string{"code": sixDigits.FindString(m.Text)}); p.location(t).Query().Get("code") == "" {
		t.Fatalf("MFA sign-in ended at %s", p.location(t))
	}
}

// walkDenied: the access-denied page of an application open only to a
// group the customer is not in.
func (fx *brandFixture) walkDenied(t *testing.T, a, other *brandApp) {
	ctx := context.Background()
	group := &storage.Group{StoreID: defaultStoreID, Name: "members-" + a.app.ID}
	if err := fx.srv.store.CreateGroup(ctx, group); err != nil {
		t.Fatal(err)
	}
	setGroups := func(groups []string) {
		if err := fx.srv.store.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: a.app.ID, Groups: groups}); err != nil {
			t.Fatal(err)
		}
	}
	setGroups([]string{group.Name})
	defer setGroups(nil)
	b, p, _ := fx.start(t, a, "state-denied")
	p = b.submit(b.submit(p, map[string]string{"identifier": "signin@" + a.domain}), map[string]string{"password": alicePass})
	if p.status != http.StatusForbidden {
		t.Fatalf("outside the group: %s\n%s", status(p), p.body)
	}
	a.wears(t, "access denied", p, other)
}
