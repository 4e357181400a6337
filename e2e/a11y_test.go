//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"foyer/themes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The accessibility checks: every page kind a customer sees, and a few of
// the console's, in the light and the dark colour scheme at 1280 and 390
// pixels wide, must pass axe-core without a serious or critical
// violation, must not scroll sideways at 390, and are screenshotted.
var (
	a11ySchemes = []string{"light", "dark"}
	a11yWidths  = []int64{1280, 390}
)

// a11yRuns are the runs of the customer walk, one per language (an
// Accept-Language value) with its colour schemes: English in both, and
// Arabic for the right-to-left layout in the light one (the dark scheme's
// colours do not depend on the direction; one scheme keeps e2e short).
var a11yRuns = []struct {
	lang    string
	schemes []string
}{{"en", a11ySchemes}, {"ar", []string{"light"}}}

// a11yCheck checks pages for one run: axe-core's source, where the
// screenshots go and the run's language (part of each file name).
type a11yCheck struct {
	axe     string
	dir     string
	lang    string
	schemes []string
	texts   *themes.Renderer // the built-in catalogs
}

// newA11yCheck loads axe-core and picks the screenshot directory:
// FOYER_E2E_SCREENSHOTS, else a temporary one removed after the test.
func newA11yCheck(t *testing.T, lang string, schemes []string) *a11yCheck {
	t.Helper()
	dir := os.Getenv("FOYER_E2E_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	texts, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &a11yCheck{axe: axeSource(t), dir: dir, lang: lang, schemes: schemes, texts: texts}
}

// page checks the page the browser shows, as kind, in every scheme and
// width, then goes back to a light desktop screen. It does not reload:
// pages that answer a form post are checked as they are.
func (c *a11yCheck) page(t *testing.T, b *browser, kind string) {
	t.Helper()
	b.do(t, "wait for "+kind, chromedp.WaitVisible(chromedp.CSS("h1")))
	for _, scheme := range c.schemes {
		for _, width := range a11yWidths {
			b.emulate(t, scheme, width)
			variant := fmt.Sprintf("%s-%s-%s-%d", c.lang, kind, scheme, width)
			if !run(t, b, "read the scheme", chromedp.Evaluate[bool](
				`matchMedia("(prefers-color-scheme: `+scheme+`)").matches`)) {
				t.Fatalf("%s: the page does not see the %s scheme", variant, scheme)
			}
			for _, v := range b.axeCheck(t, c.axe) {
				t.Errorf("%s at %s: %s", variant, b.location(t), v)
			}
			// Quality 100 makes chromedp capture a PNG, not a JPEG. A full-page
			// capture cuts a right-to-left page off, so those take the screen.
			shot := chromedp.FullScreenshot(100)
			if c.rtl() {
				shot = chromedp.CaptureScreenshot()
			}
			png := run(t, b, "screenshot "+variant, shot)
			if err := os.WriteFile(filepath.Join(c.dir, variant+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
			if width < 1280 && !run(t, b, "measure "+variant, chromedp.Evaluate[bool](
				"document.scrollingElement.scrollWidth <= window.innerWidth")) {
				t.Errorf("%s scrolls sideways", variant)
			}
		}
	}
	b.emulate(t, "light", 1280)
}

// words is the text of message key in the run's language, for the few
// controls the walk can only find by what they say.
func (c *a11yCheck) words(key string) string {
	return c.texts.T(c.lang, key)
}

// rtl reports whether the run's language is written right to left.
func (c *a11yCheck) rtl() bool { return c.lang == "ar" }

// useLanguage makes the browser ask for lang on every request.
func (b *browser) useLanguage(t *testing.T, lang string) {
	t.Helper()
	b.do(t, "ask for "+lang, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": lang}})
		return err
	}))
}

// TestAccessibility walks every customer page kind once per language:
// sign-in, registration (with its errors), check-your-e-mail, an invalid
// link, the 404 page, recovery, the portal, TOTP enrolment and recovery
// codes, sign-out, the MFA step and consent.
func TestAccessibility(t *testing.T) {
	for _, r := range a11yRuns {
		lang := r.lang
		t.Run(lang, func(t *testing.T) {
			c := newA11yCheck(t, lang, r.schemes)
			b := newBrowserWithin(t, 4*time.Minute)
			b.useLanguage(t, lang)
			email := "a11y-" + randomString(4) + "@example.com"
			pw := "teal-orchard-lantern-" + randomString(2)
			if _, err := runCLI(t.Context(), env.bin, env.environ, "account", "create",
				"--email", email, "--password", pw, "--verified"); err != nil {
				t.Fatal(err)
			}
			b.a11ySignUp(t, c)
			pw = b.a11yRecover(t, c, email)
			b.a11yPortal(t, c)
			codes := b.a11yEnrolTOTP(t, c, email, pw)
			b.a11ySignOut(t, c)
			b.a11yMFA(t, c, email, pw, codes[0])
			b.a11yConsent(t, c)
			b.checkClean(t)
		})
	}
}

// a11ySignUp: the sign-in page, registration, its errors, the page after
// registering, an invalid activation link and an unknown path.
func (b *browser) a11ySignUp(t *testing.T, c *a11yCheck) {
	t.Helper()
	b.do(t, "open the relying party", chromedp.Navigate(env.rp.srv.URL+"/start"),
		chromedp.WaitVisible(chromedp.ID("identifier")))
	c.page(t, b, "signin-identifier")
	b.do(t, "open the registration", chromedp.Click(chromedp.CSS(`a[href^="/register?"]`)),
		chromedp.WaitVisible(chromedp.ID("password_confirm")))
	c.page(t, b, "registration")

	email := "a11y-new-" + randomString(4) + "@example.com"
	b.do(t, "submit a registration whose passwords differ",
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), "quartz-meadow-ember-61"),
		chromedp.SendKeys(chromedp.ID("password_confirm"), "quartz-meadow-ember-16"),
		chromedp.Submit(chromedp.ID("email")),
		chromedp.WaitVisible(chromedp.ID("error-summary")))
	b.checkErrorSummary(t, "password_confirm")
	c.page(t, b, "registration-errors")

	b.do(t, "register",
		chromedp.SendKeys(chromedp.ID("password"), "quartz-meadow-ember-61"),
		chromedp.SendKeys(chromedp.ID("password_confirm"), "quartz-meadow-ember-61"))
	if b.count(t, "#accept_terms:not(:checked)") > 0 {
		b.do(t, "accept the terms", chromedp.Click(chromedp.ID("accept_terms")))
	}
	b.do(t, "submit", chromedp.Submit(chromedp.ID("email")),
		chromedp.WaitNotPresent(chromedp.ID("password_confirm")))
	c.page(t, b, "check-email")

	b.do(t, "open an invalid activation link", chromedp.Navigate(env.issuer+"/register/activate?token=not-a-token"))
	c.page(t, b, "invalid-link")
	b.do(t, "open an unknown path", chromedp.Navigate(env.issuer+"/no-such-page"))
	if got := run(t, b, "read the title", chromedp.Evaluate[string]("document.title")); got == "" {
		t.Error("the 404 page has no title")
	}
	c.page(t, b, "not-found")
}

// checkErrorSummary: the summary is focused on load, links to the field
// in error, and the field points at its message.
func (b *browser) checkErrorSummary(t *testing.T, field string) {
	t.Helper()
	if got := run(t, b, "read the focus", chromedp.Evaluate[string]("document.activeElement.id")); got != "error-summary" {
		t.Errorf("after a refused form the focus is on %q, want the error summary", got)
	}
	if b.count(t, `#error-summary[role="alert"] a[href="#`+field+`"]`) != 1 {
		t.Errorf("the error summary does not link to #%s", field)
	}
	if got := b.attribute(t, chromedp.CSS("#"+field), "aria-describedby"); !strings.Contains(got, field+"-error") {
		t.Errorf("#%s aria-describedby=%q, want its error message", field, got)
	}
	if got := b.attribute(t, chromedp.CSS("#"+field), "aria-invalid"); got != "true" {
		t.Errorf("#%s aria-invalid=%q, want true", field, got)
	}
}

// a11yRecover resets the password: the request, check-your-e-mail with
// its code field, the link's confirmation and the new password (with a
// mismatch first). It returns the new password.
func (b *browser) a11yRecover(t *testing.T, c *a11yCheck, email string) string {
	t.Helper()
	b.do(t, "open the relying party", chromedp.Navigate(env.rp.srv.URL+"/start"),
		chromedp.WaitVisible(chromedp.ID("identifier")),
		chromedp.Click(chromedp.CSS(`a[href^="/recover?"]`)),
		chromedp.WaitVisible(chromedp.ID("identifier")))
	c.page(t, b, "recovery-request")
	b.do(t, "ask for a reset", chromedp.SendKeys(chromedp.ID("identifier"), email),
		chromedp.Submit(chromedp.ID("identifier")), chromedp.WaitVisible(chromedp.ID("code")))
	if got := b.attribute(t, chromedp.CSS("#code"), "inputmode"); got != "numeric" {
		t.Errorf("the reset code field has inputmode %q, want numeric", got)
	}
	c.page(t, b, "recovery-sent")

	link := outboxLink(t, "password_reset", email, "/recover/reset?")
	b.do(t, "open the reset link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("form button")))
	c.page(t, b, "recovery-link")
	b.do(t, "continue", chromedp.Submit(chromedp.CSS("form")), chromedp.WaitVisible(chromedp.ID("password_confirm")))
	c.page(t, b, "recovery-new-password")
	pw := "saffron-harbor-pebble-" + randomString(2)
	b.do(t, "enter passwords that differ",
		chromedp.SendKeys(chromedp.ID("password"), pw), chromedp.SendKeys(chromedp.ID("password_confirm"), pw+"x"),
		chromedp.Submit(chromedp.ID("password_confirm")), chromedp.WaitVisible(chromedp.ID("password_confirm-error")))
	c.page(t, b, "recovery-new-password-errors")
	b.do(t, "enter the new password twice",
		chromedp.SendKeys(chromedp.ID("password"), pw), chromedp.SendKeys(chromedp.ID("password_confirm"), pw),
		chromedp.Submit(chromedp.ID("password_confirm")), chromedp.WaitVisible(chromedp.CSS("#result, #result-error")))
	return pw
}

// a11yPortalPages are the portal's pages by path under /account.
var a11yPortalPages = []string{"apps", "profile", "settings", "security", "privacy"}

// a11yPortal checks each portal page; the reset signed the browser in.
func (b *browser) a11yPortal(t *testing.T, c *a11yCheck) {
	t.Helper()
	for _, p := range a11yPortalPages {
		b.do(t, "open /account/"+p, chromedp.Navigate(env.issuer+"/account/"+p))
		c.page(t, b, "account-"+p)
	}
	b.do(t, "refuse deleting without the box ticked", chromedp.Navigate(env.issuer+"/account/settings"),
		chromedp.Click(buttonWithText(c.words("account.settings.delete_button"))), chromedp.WaitVisible(chromedp.ID("error-summary")))
	b.checkErrorSummary(t, "confirm")
	c.page(t, b, "account-delete-errors")
}

// a11yEnrolTOTP adds an authenticator app from the portal and returns
// the recovery codes shown.
func (b *browser) a11yEnrolTOTP(t *testing.T, c *a11yCheck, email, pw string) []string {
	t.Helper()
	b.do(t, "open security settings", chromedp.Navigate(env.issuer+"/account/security"),
		chromedp.Click(chromedp.Search(`//a[normalize-space()="`+c.words("account.mfa.add.totp")+`"]`)))
	b.do(t, "type the identifier", chromedp.WaitVisible(chromedp.ID("identifier")),
		chromedp.SendKeys(chromedp.ID("identifier"), email), chromedp.Submit(chromedp.ID("identifier")))
	b.do(t, "type the password", chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), pw), chromedp.Submit(chromedp.ID("password")))
	b.do(t, "wait for the methods", chromedp.WaitVisible(chromedp.CSS(".choices")))
	c.page(t, b, "mfa-enrol-choose")
	b.do(t, "choose the authenticator app", chromedp.Click(buttonWithText(c.words("mfa.enroll.totp"))),
		chromedp.WaitVisible(chromedp.CSS("img.qr")))
	c.page(t, b, "totp-enrol")
	if got := b.attribute(t, chromedp.CSS("#code"), "inputmode"); got != "numeric" {
		t.Errorf("the authenticator code field has inputmode %q, want numeric", got)
	}
	code := totpNow(t, b.text(t, chromedp.CSS("code.secret")))
	b.do(t, "enter the app's code", chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Submit(chromedp.ID("code")),
		chromedp.WaitVisible(chromedp.CSS(".recovery-codes")))
	c.page(t, b, "recovery-codes")
	codes := run(t, b, "read the recovery codes", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll(".recovery-codes code")].map(e => e.textContent.trim())`))
	if len(codes) == 0 {
		t.Fatal("no recovery codes shown")
	}
	b.do(t, "confirm", chromedp.Click(chromedp.CSS(`button[name="continue"]`)), chromedp.WaitVisible(chromedp.ID("mfa-title")))
	return codes
}

// a11ySignOut: the logout confirmation and the signed-out page.
func (b *browser) a11ySignOut(t *testing.T, c *a11yCheck) {
	t.Helper()
	b.do(t, "open the logout page", chromedp.Navigate(env.issuer+"/oauth2/logout"),
		chromedp.WaitVisible(chromedp.CSS("form button")))
	c.page(t, b, "logout")
	b.do(t, "sign out", chromedp.Click(chromedp.CSS("form .button-primary")),
		chromedp.WaitNotPresent(chromedp.CSS("form .button-primary")))
	c.page(t, b, "signed-out")
}

// a11yMFA signs in again: the password step (with a wrong password
// first), the second factor, the chooser and the recovery code step.
func (b *browser) a11yMFA(t *testing.T, c *a11yCheck, email, pw, recoveryCode string) {
	t.Helper()
	b.do(t, "open the relying party", chromedp.Navigate(env.rp.srv.URL+"/start"),
		chromedp.WaitVisible(chromedp.ID("identifier")),
		chromedp.SendKeys(chromedp.ID("identifier"), email), chromedp.Submit(chromedp.ID("identifier")),
		chromedp.WaitVisible(chromedp.ID("password")))
	c.page(t, b, "signin-password")
	b.do(t, "enter a wrong password", chromedp.SendKeys(chromedp.ID("password"), pw+"x"),
		chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.ID("form-error")))
	c.page(t, b, "signin-password-error")
	b.do(t, "enter the password", chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.CSS("#code, .choices")))
	if b.count(t, "#code") > 0 {
		c.page(t, b, "mfa-code")
		if got := b.attribute(t, chromedp.CSS("#code"), "inputmode"); got != "numeric" {
			t.Errorf("the authenticator code field has inputmode %q, want numeric", got)
		}
		b.do(t, "try another method", chromedp.Click(chromedp.CSS(`button[name="other"]`)),
			chromedp.WaitVisible(chromedp.CSS(".choices")))
	}
	c.page(t, b, "mfa-choose")
	b.do(t, "use a recovery code", chromedp.Click(chromedp.CSS(`button[name="choose"][value^="recovery|"]`)),
		chromedp.WaitVisible(chromedp.ID("code")))
	c.page(t, b, "mfa-recovery-code")
	if got := b.attribute(t, chromedp.CSS("#code"), "inputmode"); got != "text" {
		t.Errorf("the recovery code field has inputmode %q, want text (recovery codes are not digits)", got)
	}
	b.do(t, "enter a recovery code", chromedp.SendKeys(chromedp.ID("code"), recoveryCode),
		chromedp.Submit(chromedp.ID("code")), chromedp.WaitVisible(chromedp.CSS("#result, #result-error")))
	if b.count(t, "#result-error") > 0 {
		t.Fatalf("the relying party could not sign in: %s", b.text(t, chromedp.CSS("#details")))
	}
}

// a11yConsent opens a third-party application, which asks for consent.
func (b *browser) a11yConsent(t *testing.T, c *a11yCheck) {
	t.Helper()
	rp := thirdPartyRP(t)
	b.do(t, "open the third-party application", chromedp.Navigate(rp.srv.URL+"/start"),
		chromedp.WaitVisible(chromedp.CSS(`button[name="decision"]`)))
	c.page(t, b, "consent")
	b.do(t, "allow", chromedp.Click(chromedp.CSS(`button[name="decision"][value="allow"]`)),
		chromedp.WaitVisible(chromedp.CSS("#result, #result-error")))
}

// thirdPartyRP registers a relying party that is not first-party, so the
// consent page shows.
func thirdPartyRP(t *testing.T) *relyingParty {
	t.Helper()
	rp := newRelyingParty()
	t.Cleanup(rp.srv.Close)
	out, err := runCLI(t.Context(), env.bin, env.environ, "client", "create",
		"--name", "Third-party app", "--redirect-uri", rp.srv.URL+"/callback",
		"--grant", "authorization_code,refresh_token", "--scope", "openid profile email", "--json")
	if err != nil {
		t.Fatal(err)
	}
	id, secret := jsonField(t, out, "client_id"), jsonField(t, out, "client_secret")
	if err := rp.configure(t.Context(), env.issuer, id, secret); err != nil {
		t.Fatal(err)
	}
	return rp
}
