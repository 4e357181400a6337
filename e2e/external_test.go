//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestExternalIdentities shows issue 16 against a real upstream: a second
// Foyer process (SQLite) is the OpenID Connect provider of a main Foyer
// (PostgreSQL). One pair of processes serves every case; a case that
// fails names the contract (extsignin, extportal, idpadmin) it found
// missing. The HTTP cases drive a cookie-keeping client as the browser
// and golang.org/x/oauth2 with go-oidc as the main Foyer's relying party;
// the last one walks the same sign-in in Chromium.
func TestExternalIdentities(t *testing.T) {
	f := setupExternal(t)
	var jit jitAccount
	t.Run("JIT creation", func(t *testing.T) { f.testJIT(t, &jit) })
	t.Run("returning sign-in", func(t *testing.T) { f.testReturning(t, jit) })
	t.Run("takeover with a verified e-mail needs the password", f.testTakeover)
	t.Run("an unverified e-mail is never matched", f.testUnverified)
	t.Run("linking from the portal", f.testPortalLink)
	t.Run("unlinking the last way in is refused", func(t *testing.T) { f.testUnlinkLast(t, jit) })
	t.Run("wrong iss", f.testWrongIss)
	t.Run("replayed state", f.testReplay)
	t.Run("nonce mismatch", f.testNonce)
	t.Run("upstream down", f.testDown)
	t.Run("Chromium", f.testChromium)
	t.Run("Chromium portal connect", f.testChromiumConnect)
}

// testChromium: the relying party's sign-in page shows "Continue with
// Upstream Foyer"; clicking it leads to the upstream Foyer's sign-in, and
// after it the browser lands back signed in at the relying party, with
// an account created for the upstream identity.
func (f *extFixture) testChromium(t *testing.T) {
	email := "chromium-" + randomString(4) + "@example.com"
	f.upstreamAccount(t, email, true)
	b := newBrowserWithin(t, 90*time.Second)
	button := buttonWithText("Continue with " + upstreamName)
	b.do(t, "open the relying party", chromedp.Navigate(f.rp.srv.URL+"/start"), chromedp.WaitVisible(chromedp.ID("identifier")))
	if !strings.HasPrefix(b.location(t), f.mainIssuer+"/login?") {
		t.Fatalf("the relying party sent the browser to %s, want the main Foyer's sign-in page", b.location(t))
	}
	// The page is there (its identifier field is): look once rather than
	// wait the test's deadline for a button that is not coming.
	shown := run(t, b, "look for the button", chromedp.Evaluate[bool](fmt.Sprintf(
		`[...document.querySelectorAll("button")].some(b => b.textContent.trim() === %q)`, "Continue with "+upstreamName)))
	if !shown {
		t.Fatalf("contract (extsignin buttons): no %q button on the sign-in page", "Continue with "+upstreamName)
	}
	label := run(t, b, "read the button's aria-label", chromedp.AttributeValue(button, "aria-label"))
	if label.Exists && label.Value != "Continue with "+upstreamName {
		t.Errorf("the button's aria-label = %q, want its words", label.Value)
	}
	b.do(t, "click it", chromedp.Click(button), chromedp.WaitNotPresent(button), chromedp.WaitVisible(chromedp.ID("identifier")))
	if !strings.HasPrefix(b.location(t), f.upIssuer+"/login?") {
		t.Fatalf("the button led to %s, want the upstream Foyer's sign-in page", b.location(t))
	}
	b.do(t, "sign in at the upstream",
		chromedp.SetValue(chromedp.ID("identifier"), email), // a login_hint may have filled it
		chromedp.Click(buttonWithText(continueButton)),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), upstreamPassword),
		chromedp.Click(buttonWithText(signInButton)),
		chromedp.WaitVisible(chromedp.CSS("#result, #result-error, #accept_terms")))
	if b.count(t, "#accept_terms") > 0 {
		// The first sign-in: the application's terms are still to accept.
		if got := b.value(t, chromedp.CSS("#email")); got != email {
			t.Errorf("the registration page shows e-mail %q, want the upstream's %q", got, email)
		}
		b.do(t, "accept the terms and create the account", chromedp.Click(chromedp.ID("accept_terms")),
			chromedp.Click(buttonWithText("Create account")), chromedp.WaitVisible(chromedp.CSS("#result, #result-error")))
	}
	if b.count(t, "#result-error") > 0 {
		t.Fatalf("the relying party could not sign in: %s", b.text(t, chromedp.CSS("#details")))
	}
	if got, want := b.text(t, chromedp.CSS("#result")), "Signed in as "+email; got != want {
		t.Errorf("result = %q, want %q", got, want)
	}
	b.checkClean(t)
}

// testChromiumConnect links the upstream Foyer from the account portal in
// Chromium: the Connect button's post ends at the upstream, a hop the
// page's Content-Security-Policy form-action must allow.
func (f *extFixture) testChromiumConnect(t *testing.T) {
	email := "connect-" + randomString(4) + "@example.com"
	const password = "connect-willow-stone-38"
	f.mainAccount(t, email, password)
	upEmail := "connected-" + randomString(4) + "@example.com"
	f.upstreamAccount(t, upEmail, true)
	b := newBrowserWithin(t, 90*time.Second)
	b.do(t, "sign in to the portal", chromedp.Navigate(f.mainIssuer+"/account"),
		chromedp.WaitVisible(chromedp.ID("identifier")),
		chromedp.SendKeys(chromedp.ID("identifier"), email),
		chromedp.Click(buttonWithText(continueButton)),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(buttonWithText(signInButton)),
		chromedp.WaitNotPresent(chromedp.ID("password")))
	connect := buttonWithText("Connect " + upstreamName)
	b.do(t, "open the account settings", chromedp.Navigate(f.mainIssuer+"/account/settings"), chromedp.WaitVisible(chromedp.CSS("h1")))
	shown := run(t, b, "look for the Connect button", chromedp.Evaluate[bool](fmt.Sprintf(
		`[...document.querySelectorAll("button")].some(b => b.textContent.trim() === %q)`, "Connect "+upstreamName)))
	if !shown {
		t.Fatalf("contract (extportal): no %q button on %s", "Connect "+upstreamName, b.location(t))
	}
	b.do(t, "click Connect", chromedp.Click(connect), chromedp.WaitNotPresent(connect), chromedp.WaitVisible(chromedp.ID("identifier")))
	if !strings.HasPrefix(b.location(t), f.upIssuer+"/login?") {
		t.Fatalf("Connect led to %s, want the upstream Foyer's sign-in page", b.location(t))
	}
	b.do(t, "sign in at the upstream",
		chromedp.SetValue(chromedp.ID("identifier"), upEmail), // the portal sends the account's address as login_hint
		chromedp.Click(buttonWithText(continueButton)),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), upstreamPassword),
		chromedp.Click(buttonWithText(signInButton)),
		// The upstream's password step shows the address it signs in;
		// no page after it does.
		chromedp.WaitNotPresent(chromedp.CSS(fmt.Sprintf(`input[value=%q]`, upEmail))),
		chromedp.WaitVisible(chromedp.CSS("h1")))
	if loc := b.location(t); !strings.HasPrefix(loc, f.mainIssuer+"/account") || !strings.Contains(loc, "external=linked") {
		t.Errorf("after the upstream the browser is at %s, want the portal with external=linked; the page says: %s",
			loc, b.text(t, chromedp.CSS("main")))
	}
	b.checkClean(t)
}
