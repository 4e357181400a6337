//go:build e2e

package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// What the account-support walk uses: the customer (alice, whom ownFoyer
// creates in the store "default") and her loyalty number.
const (
	supportStore   = "default"
	supportLoyalty = "LOY-4711-E2E"
	// supportTimeout bounds each browser of the walk: it visits far more
	// pages than one sign-in.
	supportTimeout = 5 * time.Minute
	// stepTimeout bounds each step of the walk.
	stepTimeout = 90 * time.Second
)

// TestAccountSupport walks seed 002 as support staff would. A customer
// (alice) signs in through a relying party, enrols a passkey on
// Chromium's virtual security key and enters her loyalty number (an
// attribute the administrator added to the store's schema) on the
// portal, so her browser holds a live SSO session. In a browser of their
// own the administrator opens the store's account list, finds her by the
// loyalty number through the search panel and opens her profile; disables
// the account (her browser must sign in again, and her password is
// refused), enables it (she signs in again); sends a password-reset
// e-mail (it reaches the dev outbox and its link works); removes her
// "lost" passkey; ends her session (the row goes, her browser must sign
// in again); and downloads the account's JSON (her e-mail, no secret).
// The account list and every profile tab are screenshotted at 1280 and
// 390 px and must not scroll sideways at 390.
//
// WebAuthn scopes credentials to a domain, so the test runs a Foyer of
// its own at http://localhost:PORT; each step is a subtest so a failing
// one names itself and the later ones still run.
func TestAccountSupport(t *testing.T) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), supportTimeout)
	defer cancel()
	issuer, environ, rp := ownFoyer(ctx, t, "localhost", []string{"app", "mfa", "set", "--mode", "optional"})

	admin := newBrowserWithin(t, supportTimeout)
	dialogs := admin.acceptDialogs()
	admin.consoleSignInAt(t, issuer, environ)
	admin.addLoyaltyAttribute(t, issuer)

	cust := newBrowserWithin(t, supportTimeout)
	cust.addVirtualKey(t)
	cust.enrolPasskey(t, rp)
	cust.enterLoyalty(t, issuer)
	t.Logf("set-up done after %s", time.Since(start).Round(time.Second))

	var profile string // the account's profile path, found by the search
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"find by attribute", func(t *testing.T) { profile = admin.findByLoyalty(t, issuer) }},
		{"disable", func(t *testing.T) { admin.disableAccount(t, issuer, profile, cust, rp) }},
		{"enable", func(t *testing.T) { admin.enableAccount(t, issuer+profile, cust, rp) }},
		{"send reset", func(t *testing.T) { admin.sendReset(t, issuer, profile, cust) }},
		{"remove passkey", func(t *testing.T) { admin.removePasskey(t, issuer+profile, dialogs) }},
		{"end session", func(t *testing.T) { admin.endSession(t, issuer+profile, cust, rp) }},
		{"removed passkey refused", func(t *testing.T) { cust.passkeyRefused(t, rp) }},
		{"activity lists the support actions", func(t *testing.T) { admin.checkSupportActions(t, issuer+profile) }},
		{"download JSON", func(t *testing.T) { admin.checkAccountExport(t, issuer+profile) }},
		{"screenshots", func(t *testing.T) { admin.accountScreenshots(t, issuer, profile) }},
	}
	for _, s := range steps {
		began := time.Now()
		t.Run(s.name, func(t *testing.T) {
			if profile == "" && s.name != "find by attribute" {
				t.Skip("the account was not found")
			}
			// A step that waits in vain fails on its own deadline and
			// leaves the browsers to the next step.
			defer admin.stepDeadline(stepTimeout)()
			defer cust.stepDeadline(stepTimeout)()
			s.run(t)
		})
		t.Logf("%s: %s", s.name, time.Since(began).Round(100*time.Millisecond))
	}
	admin.checkClean(t)
	cust.checkClean(t)
	t.Logf("the walk took %s", time.Since(start).Round(time.Second))
}

// stepDeadline gives the browser's actions a deadline until the returned
// func restores the browser's own; the tab stays open either way.
func (b *browser) stepDeadline(d time.Duration) (restore func()) {
	parent := b.ctx
	ctx, cancel := context.WithTimeout(parent, d)
	b.ctx = ctx
	return func() {
		cancel()
		b.ctx = parent
	}
}

// dialogLog holds the messages of the JavaScript dialogs a browser
// accepted.
type dialogLog struct {
	mu   sync.Mutex
	msgs []string
}

func (d *dialogLog) list() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.msgs...)
}

// acceptDialogs answers every confirm() with OK, as a person who meant
// to click would; the console asks before irreversible removals.
func (b *browser) acceptDialogs() *dialogLog {
	d := &dialogLog{}
	ctx := b.ctx // the browser's own, not a step's
	events := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			d.mu.Lock()
			d.msgs = append(d.msgs, ev.Message)
			d.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return d
}

// signInAt goes through Foyer's sign-in form at any issuer (the shared
// helpers check the shared server's address).
func (b *browser) signInAt(t *testing.T, identifier, password string) {
	t.Helper()
	b.do(t, "type the identifier", chromedp.WaitVisible(chromedp.ID("identifier")),
		chromedp.SendKeys(chromedp.ID("identifier"), identifier), chromedp.Click(buttonWithText(continueButton)))
	b.do(t, "type the password", chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), password), chromedp.Click(buttonWithText(signInButton)))
}

// consoleSignInAt is consoleSignIn for a Foyer of the test's own.
func (b *browser) consoleSignInAt(t *testing.T, issuer string, environ []string) {
	t.Helper()
	var pw string
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "FOYER_BOOTSTRAP_ADMIN_PASSWORD="); ok {
			pw = v
		}
	}
	b.consoleSignInWith(t, issuer, consoleAdminEmail, pw)
}

// consoleSignInWith signs in to the console of issuer as an administrator
// who has no second factor yet: the console makes them enrol an
// authenticator app first.
func (b *browser) consoleSignInWith(t *testing.T, issuer, email, pw string) {
	t.Helper()
	b.do(t, "open the console", chromedp.Navigate(issuer+"/admin"))
	b.signInAt(t, email, pw)
	b.do(t, "choose the authenticator app", chromedp.Click(buttonWithText("Use an authenticator app")),
		chromedp.WaitVisible(chromedp.CSS("img.qr")))
	secret := b.text(t, chromedp.CSS("code.secret"))
	code, err := totp.GenerateCode(strings.ReplaceAll(secret, " ", ""), time.Now())
	if err != nil {
		t.Fatalf("the page's key %q: %v", secret, err)
	}
	b.do(t, "enter the app's code", chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Click(buttonWithText("Verify")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Save your recovery codes"]`)),
		chromedp.Click(buttonWithText("I have saved them")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Dashboard"]`)))
}

// addLoyaltyAttribute gives the store the attribute loyalty_id through
// the schema editor (visible and editable in self-service and the
// console, the form's defaults).
func (b *browser) addLoyaltyAttribute(t *testing.T, issuer string) {
	t.Helper()
	b.do(t, "add an attribute to the store", chromedp.Navigate(issuer+"/admin/stores/"+supportStore),
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Add an attribute"]`)),
		chromedp.WaitVisible(chromedp.ID("attr-name")),
		chromedp.SendKeys(chromedp.ID("attr-name"), "loyalty_id"),
		chromedp.SendKeys(chromedp.ID("attr-label"), "Loyalty number"),
		chromedp.Click(buttonWithText("Save attribute")),
		chromedp.WaitVisible(chromedp.ID("schema-table")))
}

// addVirtualKey gives the browser Chromium's virtual security key.
func (b *browser) addVirtualKey(t *testing.T) {
	t.Helper()
	b.do(t, "add a virtual security key", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
				Transport: webauthn.AuthenticatorTransportUsb, HasResidentKey: true, HasUserVerification: true,
				IsUserVerified: true, AutomaticPresenceSimulation: true,
			}})
		return err
	}))
}

// enrolPasskey signs alice in through the relying party and creates the
// passkey MFA (optional) offers after the password.
func (b *browser) enrolPasskey(t *testing.T, rp *relyingParty) {
	t.Helper()
	b.do(t, "open the relying party", chromedp.Navigate(rp.srv.URL+"/start"))
	b.signInAt(t, aliceEmail, alicePassword)
	b.do(t, "create a passkey when offered",
		chromedp.WaitVisible(buttonWithText("Create a passkey")),
		chromedp.Click(buttonWithText("Create a passkey")),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), "Lost key"),
		chromedp.Click(buttonWithText("Create passkey")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Save your recovery codes"]`)),
		chromedp.Click(buttonWithText("I have saved them")))
	b.expectResult(t, "after enrolling the passkey")
}

// expectResult waits for the relying party's page and wants alice.
func (b *browser) expectResult(t *testing.T, what string) {
	t.Helper()
	b.do(t, what+": wait for the relying party", chromedp.WaitVisible(chromedp.CSS("#result, #result-error")))
	if b.count(t, "#result-error") > 0 {
		t.Fatalf("%s: the relying party could not sign in: %s", what, b.text(t, chromedp.CSS("#details")))
	}
	if got := b.text(t, chromedp.CSS("#result")); got != "Signed in as "+aliceEmail {
		t.Errorf("%s: %q", what, got)
	}
}

// enterLoyalty has the customer type her loyalty number on the portal
// (her SSO session signs the portal in).
func (b *browser) enterLoyalty(t *testing.T, issuer string) {
	t.Helper()
	b.do(t, "enter the loyalty number on the portal", chromedp.Navigate(issuer+"/account/profile"),
		chromedp.WaitVisible(chromedp.ID("attr-loyalty_id")),
		chromedp.SendKeys(chromedp.ID("attr-loyalty_id"), supportLoyalty),
		chromedp.Click(buttonWithText("Save changes")),
		chromedp.WaitVisible(chromedp.Search(`//*[normalize-space()="Your changes are saved."]`)))
}

// expectSignInAsked: the relying party's authorization request shows
// Foyer's sign-in form instead of signing the browser in at once.
func (b *browser) expectSignInAsked(t *testing.T, rp *relyingParty, what string) {
	t.Helper()
	b.do(t, what+": start a sign-in at the relying party", chromedp.Navigate(rp.srv.URL+"/start"),
		chromedp.WaitVisible(chromedp.CSS("#identifier, #result, #result-error")))
	if b.count(t, "#identifier") == 0 {
		t.Errorf("%s: the browser was signed in without being asked (%s)", what, b.text(t, chromedp.CSS("h1")))
	}
}

// passkeyRefused: the removed passkey, still on the customer's key, no
// longer signs her in.
func (b *browser) passkeyRefused(t *testing.T, rp *relyingParty) {
	t.Helper()
	b.do(t, "sign in with the removed passkey", chromedp.Navigate(rp.srv.URL+"/start"),
		chromedp.WaitVisible(buttonWithText("Sign in with a passkey")),
		chromedp.Click(buttonWithText("Sign in with a passkey")),
		chromedp.WaitVisible(chromedp.CSS("#form-error, [role=alert], #result, #result-error")))
	if b.count(t, "#result") > 0 {
		t.Fatalf("the removed passkey signed the customer in")
	}
	got := run(t, b, "read the refusal", chromedp.Evaluate[string](
		`(document.querySelector("#form-error, [role=alert]") || {textContent: ""}).textContent.trim()`))
	if !strings.HasPrefix(got, "That passkey could not sign you in.") {
		t.Errorf("the removed passkey's sign-in says %q", got)
	}
}
