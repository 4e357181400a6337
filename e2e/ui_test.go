//go:build e2e

package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestShowPasswordToggle: ui.js puts a "Show" button after the password
// input; clicking it shows the password as text and presses the button,
// clicking again hides it, and the sign-in still works afterwards.
func TestShowPasswordToggle(t *testing.T) {
	b := newBrowser(t)
	b.do(t, "open the relying party", chromedp.Navigate(env.rp.srv.URL+"/start"))
	b.enterIdentifier(t, aliceEmail)
	b.do(t, "wait for the toggle", chromedp.WaitVisible(buttonWithText("Show")),
		chromedp.SendKeys(chromedp.ID("password"), alicePassword))
	toggle := chromedp.CSS("button.password-toggle")
	check := func(when, wantType, wantPressed, wantText string) {
		t.Helper()
		if got := b.attribute(t, chromedp.CSS("#password"), "type"); got != wantType {
			t.Errorf("%s: password input type %q, want %q", when, got, wantType)
		}
		if got := b.attribute(t, toggle, "aria-pressed"); got != wantPressed {
			t.Errorf("%s: aria-pressed %q, want %q", when, got, wantPressed)
		}
		if got := b.text(t, toggle); got != wantText {
			t.Errorf("%s: toggle reads %q, want %q", when, got, wantText)
		}
	}
	check("before a click", "password", "false", "Show")
	if got := b.attribute(t, toggle, "type"); got != "button" {
		t.Errorf("toggle type %q, want button (it must not submit the form)", got)
	}
	b.do(t, "show the password", chromedp.Click(buttonWithText("Show")))
	check("shown", "text", "true", "Hide")
	if got := b.value(t, chromedp.CSS("#password")); got != alicePassword {
		t.Errorf("the shown password is %q", got)
	}
	b.do(t, "hide the password", chromedp.Click(buttonWithText("Hide")))
	check("hidden again", "password", "false", "Show")
	b.do(t, "sign in", chromedp.Click(buttonWithText(signInButton)))
	b.expectSignedIn(t, aliceEmail)
	b.checkClean(t)
}
