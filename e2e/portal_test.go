//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"foyer/selfservice/mfa"
)

// dave uses the account portal and deletes his account at the end, so no
// other test signs in with him.
const (
	daveEmail    = "dave@example.com"
	davePassword = "amber-falcon-harbour-77"
)

// portalPages are the portal's pages, each screenshotted at both widths.
var portalPages = []string{"apps", "profile", "settings", "security", "privacy"}

// TestAccountPortal: sign in to the portal, edit the profile, see two
// sessions and end the other one (whose browser is then signed out), opt
// in and out of a consent, download both exports, delete the account and
// fail to sign in afterwards; every page is screenshotted at 1280 and 390
// pixels wide and must not scroll sideways at 390.
func TestAccountPortal(t *testing.T) {
	b := newBrowser(t)
	b.portalSignIn(t)
	b.screenshots(t)

	b.do(t, "open personal information", chromedp.Navigate(env.issuer+"/account/profile"),
		chromedp.WaitVisible(chromedp.ID("attr-given_name")))
	b.checkLabel(t, "attr-given_name", "First name (optional)")
	b.do(t, "enter a first name and save",
		chromedp.SendKeys(chromedp.ID("attr-given_name"), "Dave"),
		chromedp.Click(buttonWithText("Save changes")),
		chromedp.WaitVisible(chromedp.Search(`//*[normalize-space()="Your changes are saved."]`)))
	if v := b.value(t, chromedp.CSS("#attr-given_name")); v != "Dave" {
		t.Errorf("first name after saving = %q", v)
	}

	other := newBrowser(t)
	other.portalSignIn(t)
	b.do(t, "open security settings", chromedp.Navigate(env.issuer+"/account/security"),
		chromedp.WaitVisible(chromedp.ID("sessions-title")))
	if n := b.count(t, `input[name="session_id"]`); n != 2 {
		t.Fatalf("%d sessions listed, want 2", n)
	}
	b.do(t, "sign out the other device",
		chromedp.Click(chromedp.Search(`//li[not(.//span[contains(@class,"badge")])]//button[starts-with(normalize-space(), "Sign out this device")]`)),
		chromedp.WaitVisible(chromedp.Search(`//*[normalize-space()="That device is signed out."]`)))
	other.do(t, "reload the other browser's portal", chromedp.Navigate(env.issuer+"/account/security"),
		chromedp.WaitVisible(chromedp.ID("identifier")))
	other.checkClean(t)

	b.do(t, "open privacy", chromedp.Navigate(env.issuer+"/account/privacy"),
		chromedp.Click(buttonWithText("Give consent: News and offers by email")),
		chromedp.WaitVisible(buttonWithText("Withdraw consent: News and offers by email")),
		chromedp.Click(buttonWithText("Withdraw consent: News and offers by email")),
		chromedp.WaitVisible(buttonWithText("Give consent: News and offers by email")))
	if n := b.count(t, "#history-title + ul li"); n != 2 {
		t.Errorf("consent history has %d entries, want 2", n)
	}
	b.checkExports(t)
	b.enrollTOTP(t)

	b.do(t, "delete the account", chromedp.Navigate(env.issuer+"/account/settings"),
		chromedp.Click(chromedp.ID("confirm")),
		chromedp.Click(buttonWithText("Delete my account")),
		chromedp.WaitVisible(chromedp.Search(`//*[normalize-space()="Your account is deleted."]`)))
	b.do(t, "open the portal again", chromedp.Navigate(env.issuer+"/account"))
	b.enterIdentifier(t, daveEmail)
	b.enterPassword(t, davePassword)
	b.do(t, "wait for the error message", chromedp.WaitVisible(chromedp.ID("form-error")))
	if got := b.text(t, chromedp.CSS("#form-error")); got != invalidCredential {
		t.Errorf("signing in to the deleted account: %q", got)
	}
	b.checkClean(t)
}

func (b *browser) portalSignIn(t *testing.T) {
	t.Helper()
	b.do(t, "open the portal", chromedp.Navigate(env.issuer+"/account"))
	b.enterIdentifier(t, daveEmail)
	b.enterPassword(t, davePassword)
	b.do(t, "wait for Your applications", chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Your applications"]`)))
}

// enrollTOTP adds an authenticator app from the security page: the link
// signs in again (identifier and password), the enrollment page shows a
// QR code and the key, the code computed from the key is accepted, the
// recovery codes are shown once, and the security page lists the app.
func (b *browser) enrollTOTP(t *testing.T) {
	t.Helper()
	b.do(t, "open security settings", chromedp.Navigate(env.issuer+"/account/security"),
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Add an authenticator app"]`)))
	b.enterIdentifier(t, daveEmail)
	b.enterPassword(t, davePassword)
	b.do(t, "choose the authenticator app", chromedp.Click(buttonWithText("Use an authenticator app")),
		chromedp.WaitVisible(chromedp.CSS("img.qr")))
	secret := strings.ReplaceAll(b.text(t, chromedp.CSS("code.secret")), " ", "")
	code, err := mfa.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatalf("the page's key %q: %v", secret, err)
	}
	b.checkLabel(t, "code", "Code")
	b.do(t, "enter the app's code", chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Click(buttonWithText("Verify")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Save your recovery codes"]`)))
	if n := b.count(t, ".recovery-codes li"); n != 10 {
		t.Errorf("%d recovery codes shown, want 10", n)
	}
	b.checkRecoveryDownload(t)
	b.do(t, "back to the portal", chromedp.Click(buttonWithText("I have saved them")),
		chromedp.WaitVisible(chromedp.ID("mfa-title")))
	if got := b.text(t, chromedp.CSS("#mfa-title + ul li p")); !strings.HasPrefix(got, "Authenticator app") {
		t.Errorf("the security page lists %q, want the authenticator app", got)
	}
}

// screenshots saves every page at both widths into e2e/screenshots/
// (ignored by git) and checks that nothing scrolls sideways on a phone.
func (b *browser) screenshots(t *testing.T) {
	t.Helper()
	dir := "screenshots"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{1280, 390} {
		b.do(t, fmt.Sprintf("emulate a %dpx wide screen", width), chromedp.EmulateViewport(width, 900))
		for _, name := range portalPages {
			b.do(t, "open "+name, chromedp.Navigate(env.issuer+"/account/"+name), chromedp.WaitVisible(chromedp.CSS("h1")))
			png := run(t, b, "screenshot "+name, chromedp.FullScreenshot(100))
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("account-%s-%d.png", name, width)), png, 0o644); err != nil {
				t.Fatal(err)
			}
			b.checkMenu(t, name, width)
			if width != 390 {
				continue
			}
			scroll := run(t, b, "measure "+name, chromedp.Evaluate[bool](
				"document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
			if !scroll {
				t.Errorf("%s scrolls sideways at 390px", name)
			}
		}
	}
	b.do(t, "back to a desktop screen", chromedp.EmulateViewport(1280, 900))
}

// checkExports downloads both exports with the page's own cookies.
func (b *browser) checkExports(t *testing.T) {
	t.Helper()
	fetch := func(path string) string {
		return run(t, b, "download "+path, chromedp.Evaluate[string](
			`fetch("`+path+`").then(r => r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status)))`,
			chromedp.EvalAwaitPromise))
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(fetch("/account/export.json")), &doc); err != nil {
		t.Fatalf("JSON export: %v", err)
	}
	for _, k := range []string{"profile", "authenticators", "sessions", "consents", "consent_history", "grants", "activity"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON export lacks %q", k)
		}
	}
	page := fetch("/account/export.html")
	if !strings.Contains(page, "Dave") || !strings.Contains(page, "marketing") {
		t.Errorf("HTML export lacks the profile or consents")
	}
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|<script|<link`).FindString(page); m != "" {
		t.Errorf("HTML export loads %q", m)
	}
}
