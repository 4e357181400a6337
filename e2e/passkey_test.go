//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// TestPasskey: with optional MFA, alice is offered a second factor after
// her password, creates a passkey on Chromium's virtual security key (the
// DevTools WebAuthn domain), signs out, and signs in again with the
// passkey alone: no password, and the relying party's ID token says hwk
// and mfa with acr 2.
//
// WebAuthn scopes credentials to a domain, so this test runs a Foyer of
// its own whose issuer is http://localhost:PORT (the shared one is on
// 127.0.0.1).
func TestPasskey(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	_, _, rp := ownFoyer(ctx, t, "localhost", []string{"app", "mfa", "set", "--mode", "optional"})

	b := newBrowser(t)
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

	b.do(t, "a phone-sized screen", chromedp.EmulateViewport(390, 900))
	b.do(t, "sign in with the password", chromedp.Navigate(rp.srv.URL+"/start"),
		chromedp.WaitVisible(chromedp.ID("identifier")),
		chromedp.SendKeys(chromedp.ID("identifier"), aliceEmail),
		chromedp.Click(buttonWithText(continueButton)),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), alicePassword),
		chromedp.Click(buttonWithText(signInButton)),
		chromedp.WaitVisible(buttonWithText("Create a passkey")))
	b.snap(t, "mfa-enroll-offer")
	b.do(t, "create a passkey when offered",
		chromedp.Click(buttonWithText("Create a passkey")),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), "Security key"),
		chromedp.Click(buttonWithText("Create passkey")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Save your recovery codes"]`)))
	if n := b.count(t, ".recovery-codes li"); n != 10 {
		t.Errorf("%d recovery codes shown, want 10", n)
	}
	b.snap(t, "mfa-recovery-codes")
	b.do(t, "continue to the application", chromedp.Click(buttonWithText("I have saved them")),
		chromedp.WaitVisible(chromedp.CSS("#result, #result-error")))
	b.expectClaims(t, "after enrolling", []string{"pwd", "hwk", "mfa"})

	b.do(t, "sign out (forget every cookie)", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
	b.do(t, "open the sign-in page", chromedp.Navigate(rp.srv.URL+"/start"),
		chromedp.WaitVisible(chromedp.ID("identifier")))
	b.snap(t, "login-with-passkey")
	b.do(t, "sign in with the passkey alone",
		chromedp.Click(buttonWithText("Sign in with a passkey")),
		chromedp.WaitVisible(chromedp.CSS("#result, #result-error")))
	b.expectClaims(t, "passkey sign-in", []string{"hwk", "mfa"})
	b.checkClean(t)
}

// snap saves the page as it is into e2e/screenshots/ (ignored by git)
// and checks it does not scroll sideways on a phone-sized screen.
func (b *browser) snap(t *testing.T, name string) {
	t.Helper()
	if err := os.MkdirAll("screenshots", 0o755); err != nil {
		t.Fatal(err)
	}
	png := run(t, b, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join("screenshots", name+"-390.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	if !run(t, b, "measure "+name, chromedp.Evaluate[bool]("document.documentElement.scrollWidth <= document.documentElement.clientWidth")) {
		t.Errorf("%s scrolls sideways at 390px", name)
	}
}

// expectClaims checks the relying party's result page: signed in as alice
// with exactly these amr values and acr 2.
func (b *browser) expectClaims(t *testing.T, what string, amr []string) {
	t.Helper()
	if b.count(t, "#result-error") > 0 {
		t.Fatalf("%s: the relying party could not sign in: %s", what, b.text(t, chromedp.CSS("#details")))
	}
	if got := b.text(t, chromedp.CSS("#result")); got != "Signed in as "+aliceEmail {
		t.Errorf("%s: %q", what, got)
	}
	got := strings.Fields(b.text(t, chromedp.CSS("#amr")))
	for _, want := range amr {
		if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+want+" ") {
			t.Errorf("%s: amr %v lacks %q", what, got, want)
		}
	}
	if len(got) != len(amr) {
		t.Errorf("%s: amr %v, want %v", what, got, amr)
	}
	if acr := b.text(t, chromedp.CSS("#acr")); acr != "2" {
		t.Errorf("%s: acr %q, want 2", what, acr)
	}
}
