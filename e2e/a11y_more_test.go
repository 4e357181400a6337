//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"foyer/selfservice/mfa"
)

// a11yConsolePages are the console pages checked besides its sign-in.
var a11yConsolePages = []struct{ name, path string }{
	{"dashboard", "/admin"},
	{"stores", "/admin/stores"},
	{"applications", "/admin/applications"},
	{"administrators", "/admin/administrators"},
	{"audit", "/admin/audit"},
}

// TestAccessibilityConsole checks the console's sign-in and a few of its
// pages with an administrator of the test's own, on a Foyer of its own
// (TestAdminConsole counts the shared server's administrators).
func TestAccessibilityConsole(t *testing.T) {
	c := newA11yCheck(t, "en", a11ySchemes)
	b := newBrowserWithin(t, 3*time.Minute)
	email, pw := "a11y-admin-"+randomString(4)+"@example.com", "indigo-ferry-thistle-"+randomString(2)
	issuer, _, _ := ownFoyer(t.Context(), t, "127.0.0.1",
		[]string{"admin", "create", "--email", email, "--role", "owner", "--password", pw})
	b.do(t, "open the console", chromedp.Navigate(issuer+"/admin"), chromedp.WaitVisible(chromedp.ID("identifier")))
	c.page(t, b, "admin-signin")
	b.consoleSignInWith(t, issuer, email, pw)
	for _, p := range a11yConsolePages {
		b.do(t, "open "+p.path, chromedp.Navigate(issuer+p.path))
		c.page(t, b, "admin-"+p.name)
	}
	b.checkClean(t)
}

// TestKeyboardSignIn signs in with the keyboard alone: the first Tab
// reaches the skip link, which moves the focus to the content; every
// control the Tab key reaches shows a focus outline; typing and Enter
// submit each step.
func TestKeyboardSignIn(t *testing.T) {
	b := newBrowser(t)
	// A headless page never has the window's focus, so :focus would not
	// match at all; a person's browser window has it.
	b.do(t, "emulate a focused window", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	b.do(t, "open the relying party", chromedp.Navigate(env.rp.srv.URL+"/start"),
		chromedp.WaitVisible(chromedp.ID("identifier")))
	// The page focuses the identifier field on load; Shift+Tab goes back
	// to the skip link, the only control before it.
	if got := focusedID(t, b); got != "identifier" {
		t.Errorf("the sign-in page opens with the focus on %q, want the identifier field", got)
	}
	b.do(t, "press Shift+Tab", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	if got := run(t, b, "read the focus", chromedp.Evaluate[string]("document.activeElement.className")); got != "skip-link" {
		t.Fatalf("Shift+Tab from the identifier focuses %q, want the skip link", got)
	}
	b.checkFocusVisible(t, "the skip link")
	if !run(t, b, "see the skip link", chromedp.Evaluate[bool](
		`(r => r.width > 0 && r.left >= 0 && r.top >= 0)(document.activeElement.getBoundingClientRect())`)) {
		t.Error("the focused skip link is off screen")
	}
	b.do(t, "follow the skip link", chromedp.KeyEvent(kb.Enter))
	if got := focusedID(t, b); got != "main" {
		t.Errorf("after the skip link the focus is on %q, want main", got)
	}
	b.do(t, "press Tab", chromedp.KeyEvent(kb.Tab))
	if got := focusedID(t, b); got != "identifier" {
		t.Fatalf("the Tab after the skip link focuses %q, want the identifier field", got)
	}
	b.checkFocusVisible(t, "the identifier field")
	b.do(t, "type the e-mail", chromedp.KeyEvent(bobEmail))
	b.do(t, "press Tab", chromedp.KeyEvent(kb.Tab))
	b.checkFocusVisible(t, "the control after the identifier")
	if run(t, b, "read the focus", chromedp.Evaluate[string]("document.activeElement.type")) != "submit" {
		t.Fatalf("the Tab after the identifier reaches %q, want the Continue button", focusedID(t, b))
	}
	b.do(t, "press Enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("password")))
	if got := focusedID(t, b); got != "password" {
		t.Errorf("the password step opens with the focus on %q, want the password field", got)
	}
	b.checkFocusVisible(t, "the password field")
	b.do(t, "type the password and press Enter", chromedp.KeyEvent(bobPassword), chromedp.KeyEvent(kb.Enter))
	b.expectSignedIn(t, bobEmail)
	b.checkClean(t)
}

func focusedID(t *testing.T, b *browser) string {
	t.Helper()
	return run(t, b, "read the focus", chromedp.Evaluate[string]("document.activeElement.id"))
}

// checkFocusVisible: the focused element draws an outline (the content
// area, the skip link's target, is only focused).
func (b *browser) checkFocusVisible(t *testing.T, what string) {
	t.Helper()
	var got struct {
		Tag     string `json:"tag"`
		Visible bool   `json:"visible"`
		Outline string `json:"outline"`
	}
	raw := run(t, b, "read the focus style", chromedp.Evaluate[string](`(() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return JSON.stringify({tag: e.tagName + (e.id ? "#" + e.id : ""), visible: e.matches(":focus-visible"),
    outline: s.outlineStyle === "none" ? "none" : s.outlineWidth + " " + s.outlineStyle});
})()`))
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	if got.Tag == "MAIN#main" {
		return // the skip link's target, focused by script, not a control
	}
	if got.Outline == "none" || got.Outline[0] == '0' {
		t.Errorf("%s (%s) has the focus without a visible outline: :focus-visible %v, outline %s", what, got.Tag, got.Visible, got.Outline)
	}
}

// totpNow is the current code of the key an enrolment page shows.
func totpNow(t *testing.T, secret string) string {
	t.Helper()
	// The page shows the key in groups of four for reading aloud.
	code, err := mfa.TOTPCode(strings.ReplaceAll(secret, " ", ""), time.Now())
	if err != nil {
		t.Fatalf("the page's key %q: %v", secret, err)
	}
	return code
}

// jsonField reads one string field of a CLI's JSON output.
func jsonField(t *testing.T, out []byte, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	s, ok := m[name].(string)
	if !ok || s == "" {
		t.Fatalf("%s has no %s", out, name)
	}
	return fmt.Sprint(s)
}

// TestAxeReportsViolations: the harness itself fails a page with a
// serious and a critical problem (text below 4.5:1, a field without a
// label), so a clean run means clean pages, not a silent checker.
func TestAxeReportsViolations(t *testing.T) {
	source := axeSource(t)
	b := newBrowser(t)
	const page = `<!doctype html><html lang="en"><head><title>Broken</title></head><body><main><h1>Broken</h1>` +
		`<p style="color:#aaaaaa;background:#ffffff">Pale text</p><input type="text"></main></body></html>`
	b.do(t, "open a broken page", chromedp.Navigate("data:text/html,"+url.PathEscape(page)), chromedp.WaitVisible(chromedp.CSS("h1")))
	got := strings.Join(b.axeCheck(t, source), "\n")
	for _, want := range []string{"color-contrast (serious)", "label (critical)", "input"} {
		if !strings.Contains(got, want) {
			t.Errorf("axe-core's report lacks %q:\n%s", want, got)
		}
	}
}
