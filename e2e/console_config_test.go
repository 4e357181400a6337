//go:build e2e

package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// consolePage is a console page to screenshot: a name for the file and
// the path.
type consolePage = struct{ name, path string }

// configureApplication, in the store "members": creates the application
// members-web, registers a confidential first-party client of it for a
// relying party on a local server (its secret noted from the page that
// shows it once), creates an MFA policy and assigns it to the
// application. It returns the relying party, configured with that client,
// and the pages it made that have generated ids, for the screenshots.
func (b *browser) configureApplication(t *testing.T) (*relyingParty, []consolePage) {
	t.Helper()
	rp := newRelyingParty()
	t.Cleanup(rp.srv.Close)
	b.do(t, "open the applications", chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Applications"]`)),
		chromedp.WaitVisible(chromedp.ID("app-name")))
	b.do(t, "create an application",
		chromedp.SendKeys(chromedp.ID("app-name"), "Members web"),
		chromedp.SetValue(chromedp.ID("app-store"), "members"),
		chromedp.SendKeys(chromedp.ID("app-id"), "members-web"),
		chromedp.Click(buttonWithText("Create application")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Members web"]`)))
	b.checkLabel(t, "client-name", "Name")
	b.do(t, "register a client",
		chromedp.SendKeys(chromedp.ID("client-name"), "Members site"),
		chromedp.SendKeys(chromedp.ID("client-redirects"), rp.srv.URL+"/callback"),
		chromedp.Click(chromedp.ID("client-first")),
		chromedp.SendKeys(chromedp.ID("client-scope"), "openid profile email"),
		chromedp.Click(buttonWithText("Register client")),
		chromedp.WaitVisible(chromedp.ID("client-secret")))
	secret := b.value(t, chromedp.CSS("#client-secret"))
	if len(secret) < 20 {
		t.Errorf("the client's secret reads %q", secret)
	}
	b.do(t, "leave the secret", chromedp.Click(chromedp.Search(`//a[normalize-space()="I have copied it"]`)),
		chromedp.WaitVisible(chromedp.ID("client-name")))
	clientPage := b.path(t)
	if err := rp.configure(t.Context(), env.issuer, strings.TrimPrefix(clientPage, "/admin/clients/"), secret); err != nil {
		t.Fatal(err)
	}

	b.do(t, "open the policies", chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Policies"]`)),
		chromedp.WaitVisible(chromedp.ID("policy-name")))
	b.do(t, "create an MFA policy",
		chromedp.SetValue(chromedp.ID("policy-kind"), "mfa"),
		chromedp.SendKeys(chromedp.ID("policy-name"), "Members MFA"),
		chromedp.Click(buttonWithText("Create policy")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Members MFA"]`)))
	policyPage := b.path(t)
	b.do(t, "require a second factor", chromedp.Click(chromedp.CSS(`input[name="mode"][value="required"]`)),
		chromedp.Click(buttonWithText("Save settings")),
		chromedp.WaitVisible(chromedp.Search(`//*[normalize-space()="Your changes are saved."]`)))
	policyID := strings.TrimPrefix(policyPage, "/admin/policies/")

	b.do(t, "assign it to the application", chromedp.Navigate(env.issuer+"/admin/applications/members-web"),
		chromedp.WaitVisible(chromedp.ID("policy-mfa")),
		chromedp.SetValue(chromedp.ID("policy-mfa"), policyID),
		chromedp.Click(chromedp.Search(`//select[@id="policy-mfa"]/ancestor::form//button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[normalize-space()="Your changes are saved."]`)))
	if got := b.value(t, chromedp.CSS("#policy-mfa")); got != policyID {
		t.Errorf("the application's MFA policy is %q, want %q", got, policyID)
	}
	return rp, []consolePage{{"client", clientPage}, {"policy", policyPage}}
}

// registerThroughClient: a customer registers through the client the
// console made, in a fresh browser: the relying party sends it to Foyer's
// authorization endpoint with PKCE, the registration page asks for the
// store's custom attribute, and the activation link from the mail signs
// it in; the application's MFA policy has it enrol a second factor
// before it is back at the relying party; the store's own account
// portal (/account?store=members) shows the attribute.
func registerThroughClient(t *testing.T, rp *relyingParty) {
	t.Helper()
	c := newBrowser(t)
	email := "member-" + randomString(6) + "@example.com"
	const pw = "copper-harbour-lantern-41"
	loyalty := `input[name="attr.loyalty_id"]`
	c.do(t, "open the members site", chromedp.Navigate(rp.srv.URL+"/start"),
		chromedp.WaitVisible(chromedp.ID("identifier")),
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Create an account"]`)),
		chromedp.WaitVisible(chromedp.ID("password_confirm")))
	c.checkLabel(t, "attr.loyalty_id", "Loyalty number (optional)")
	c.do(t, "register",
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.CSS(loyalty), "M-1234"),
		chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.SendKeys(chromedp.ID("password_confirm"), pw),
		chromedp.Click(chromedp.ID("accept_terms")),
		chromedp.Click(buttonWithText("Create account")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Check your email"]`)))
	link := outboxLinkAt(t, env.issuer, "activation", email, "/register/activate?token=")
	c.do(t, "activate", chromedp.Navigate(link), chromedp.WaitVisible(buttonWithText("Activate my account")),
		chromedp.Click(buttonWithText("Activate my account")))
	// The application's MFA policy, assigned in the console, requires a
	// second factor: the customer enrols one before going back.
	c.enrolAuthenticator(t)
	c.do(t, "back at the members site", chromedp.WaitVisible(chromedp.CSS("#result, #result-error")))
	if got := c.text(t, chromedp.CSS("h1")); got != "Signed in as "+email {
		t.Fatalf("back at the members site: %q (%s)", got, c.text(t, chromedp.CSS("body")))
	}
	if amr := c.text(t, chromedp.CSS("#amr")); !strings.Contains(amr, "otp") {
		t.Errorf("amr %q lacks otp", amr)
	}
	c.do(t, "open the members store's portal: the SSO session signs it in",
		chromedp.Navigate(env.issuer+"/account/profile?store=members"), chromedp.WaitVisible(chromedp.ID("attr-loyalty_id")))
	c.checkLabel(t, "attr-loyalty_id", "Loyalty number (optional)")
	if got := c.value(t, chromedp.CSS("#attr-loyalty_id")); got != "M-1234" {
		t.Errorf("the loyalty number on the portal = %q", got)
	}
	c.checkClean(t)
}

// enrolAuthenticator enrols an authenticator app at the MFA enrolment
// page, with codes from the key on the page, and passes the recovery
// codes.
func (b *browser) enrolAuthenticator(t *testing.T) {
	t.Helper()
	b.do(t, "choose the authenticator app", chromedp.Click(buttonWithText("Use an authenticator app")),
		chromedp.WaitVisible(chromedp.CSS("img.qr")))
	key := b.text(t, chromedp.CSS("code.secret"))
	code, err := totp.GenerateCode(strings.ReplaceAll(key, " ", ""), time.Now())
	if err != nil {
		t.Fatalf("the page's key %q: %v", key, err)
	}
	b.do(t, "enter the app's code", chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Click(buttonWithText("Verify")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Save your recovery codes"]`)),
		chromedp.Click(buttonWithText("I have saved them")))
}

// path is the current page's path.
func (b *browser) path(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(b.location(t))
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}
