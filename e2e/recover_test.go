//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestForgotPassword resets a password from the relying party's sign-in
// page: the link from the dev outbox, its confirmation button, a new
// password, and back at the relying party signed in.
func TestForgotPassword(t *testing.T) {
	b := newBrowser(t)
	const pw = "saffron-glacier-orbit-58"

	b.do(t, "open the relying party", chromedp.Navigate(env.rp.srv.URL+"/start"))
	b.do(t, "wait for the sign-in page", chromedp.WaitVisible(chromedp.ID("identifier")))
	b.do(t, "click Forgot your password?",
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Forgot your password?"]`)),
		chromedp.WaitVisible(chromedp.ID("identifier")))
	if loc := b.location(t); !strings.HasPrefix(loc, env.issuer+"/recover?") {
		t.Fatalf("recovery page at %s, want %s/recover?...", loc, env.issuer)
	}
	b.do(t, "enter the e-mail and submit",
		chromedp.SendKeys(chromedp.ID("identifier"), carolEmail),
		chromedp.Submit(chromedp.ID("identifier")),
		chromedp.WaitVisible(chromedp.ID("code")))

	link := outboxLink(t, "password_reset", carolEmail, "/recover/reset?")
	b.do(t, "open the reset link", chromedp.Navigate(link),
		chromedp.WaitVisible(buttonWithText("Continue to set a new password")))
	b.do(t, "click Continue to set a new password",
		chromedp.Click(buttonWithText("Continue to set a new password")),
		chromedp.WaitVisible(chromedp.ID("password_confirm")))
	b.checkLabel(t, "password", "Password")
	b.checkLabel(t, "password_confirm", "Confirm password")
	b.do(t, "enter and confirm the new password",
		chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.SendKeys(chromedp.ID("password_confirm"), pw),
		chromedp.Submit(chromedp.ID("password_confirm")))
	b.expectSignedIn(t, carolEmail)
	b.checkClean(t)
}
