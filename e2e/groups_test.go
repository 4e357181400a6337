//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestGroupRestriction: an application restricted to a group refuses
// alice, who is not in it, after her password with a page that says so;
// its "Back to" button takes access_denied to the relying party. Once an
// operator adds her to the group, her SSO session signs her in.
//
// The restriction is on the default application, so this test runs a
// Foyer of its own.
func TestGroupRestriction(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	_, environ, rp := ownFoyer(ctx, t, "127.0.0.1",
		[]string{"group", "create", "gold"}, []string{"app", "portal", "set", "default", "--groups", "gold"})

	b := newBrowser(t)
	b.do(t, "sign in with the password", chromedp.Navigate(rp.srv.URL+"/start"),
		chromedp.WaitVisible(chromedp.ID("identifier")),
		chromedp.SendKeys(chromedp.ID("identifier"), aliceEmail),
		chromedp.Click(buttonWithText(continueButton)),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), alicePassword),
		chromedp.Click(buttonWithText(signInButton)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="No access to this application"]`)))
	if got := b.text(t, chromedp.CSS(`[role="alert"]`)); !strings.Contains(got, aliceEmail) || !strings.Contains(got, "may not use") {
		t.Errorf("refusal says %q", got)
	}
	b.do(t, "go back to the application", chromedp.Click(chromedp.Search(`//a[starts-with(normalize-space(),"Back to ")]`)),
		chromedp.WaitVisible(chromedp.CSS("#result, #result-error")))
	if got := b.text(t, chromedp.CSS("#details")); !strings.Contains(got, `"access_denied"`) {
		t.Errorf("the relying party got %q, want access_denied", got)
	}

	if out, err := runCLI(ctx, env.bin, environ, "group", "add", "gold", aliceEmail); err != nil {
		t.Fatalf("group add: %v %s", err, out)
	}
	b.do(t, "sign in again: the SSO session is enough now", chromedp.Navigate(rp.srv.URL+"/start"),
		chromedp.WaitVisible(chromedp.CSS("#result, #result-error")))
	if got := b.text(t, chromedp.CSS("h1")); got != "Signed in as "+aliceEmail {
		t.Errorf("member's sign-in: %q", got)
	}
	b.checkClean(t)
}
