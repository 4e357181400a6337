//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pquerna/otp/totp"
)

// consolePages are the admin console's pages, each screenshotted at both
// widths: a name for the file and the path.
var consolePages = []struct{ name, path string }{
	{"dashboard", "/admin"},
	{"stores", "/admin/stores"},
	{"store", "/admin/stores/members"},
	{"attribute", "/admin/stores/members/attributes/loyalty_id"},
	{"confirm", "/admin/stores/members/delete"},
	{"groups", "/admin/stores/members/groups"},
	{"roles", "/admin/stores/members/roles"},
	{"organizations", "/admin/stores/members/organizations"},
	{"applications", "/admin/applications"},
	{"application", "/admin/applications/members-web"},
	{"messages", "/admin/applications/members-web/messages"},
	{"message", "/admin/applications/members-web/messages/edit?message=email%2Fpassword_reset&language=de"},
	{"policies", "/admin/policies?kind=mfa"},
	{"administrators", "/admin/administrators"},
	{"audit", "/admin/audit"},
}

// TestAdminConsole: the bootstrap administrator signs in to /admin
// through Foyer's own sign-in, enrolling an authenticator app on the way
// (the console's application requires MFA), sees the dashboard, creates
// an identity store with a custom attribute, an application in it with
// a client and an MFA policy (a customer then registers through that
// client, is asked for the custom attribute and enrols a second factor),
// invites an administrator and finds those changes in the audit log;
// every page
// is screenshotted at 1280 and 390 pixels and must not scroll sideways on
// the phone. A customer's sign-in to /admin is refused.
func TestAdminConsole(t *testing.T) {
	b := newBrowser(t)
	b.consoleSignIn(t)
	b.do(t, "wait for the dashboard", chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Dashboard"]`)))
	if got := b.text(t, chromedp.CSS(".admin-who span")); got != "Signed in as "+consoleAdminEmail {
		t.Errorf("header says %q", got)
	}
	b.checkSkipLink(t)

	b.createStore(t)
	rp, configured := b.configureApplication(t)
	b.do(t, "open the administrators", chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Administrators"]`)),
		chromedp.WaitVisible(chromedp.ID("invite-email")))
	b.checkLabel(t, "invite-email", "Email")
	b.do(t, "invite an auditor",
		chromedp.SendKeys(chromedp.ID("invite-email"), "auditor@example.com"),
		chromedp.SetValue(chromedp.ID("invite-role"), "auditor"),
		chromedp.Click(buttonWithText("Invite")),
		chromedp.WaitVisible(chromedp.Search(`//*[normalize-space()="The administrator is invited."]`)))
	if n := b.count(t, `#admins-table tbody tr`); n != 2 {
		t.Errorf("%d administrators listed, want 2", n)
	}

	b.do(t, "open the audit log", chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Audit log"]`)),
		chromedp.WaitVisible(chromedp.ID("audit-table")))
	if got := b.text(t, chromedp.CSS("#audit-table tbody tr:first-child")); !strings.Contains(got, "administrator.invited") ||
		!strings.Contains(got, consoleAdminEmail) {
		t.Errorf("the newest audit entry reads %q", got)
	}
	log := b.text(t, chromedp.CSS("#audit-table tbody"))
	for _, action := range []string{"store.created", "store.updated"} {
		if !strings.Contains(log, action) {
			t.Errorf("the audit log lacks %s", action)
		}
	}
	b.do(t, "filter by action and target", chromedp.SendKeys(chromedp.ID("f-action"), "store."),
		chromedp.SendKeys(chromedp.ID("f-target-id"), "members"), chromedp.Click(buttonWithText("Apply filters")),
		// The filtered page's field carries the value in its markup; the
		// page it replaces had it only typed in.
		chromedp.WaitVisible(chromedp.CSS(`#f-target-id[value="members"]`)))
	if n := b.count(t, "#audit-table tbody tr"); n != 2 {
		t.Errorf("filtering by store. and members shows %d entries, want 2", n)
	}
	b.consoleScreenshots(t, configured...)
	b.checkClean(t)
	registerThroughClient(t, rp)

	customerEmail, customerPassword := createAccount(t)
	c := newBrowser(t)
	c.do(t, "open the console as a customer", chromedp.Navigate(env.issuer+"/admin"))
	c.enterIdentifier(t, customerEmail)
	c.enterPassword(t, customerPassword)
	c.do(t, "wait for the refusal", chromedp.WaitVisible(chromedp.ID("form-error")))
	if got := c.text(t, chromedp.CSS("#form-error")); got != invalidCredential {
		t.Errorf("a customer signing in to the console: %q", got)
	}
	if loc := c.location(t); strings.HasPrefix(loc, env.issuer+"/admin") {
		t.Errorf("the customer reached %s", loc)
	}
}

const consoleAdminEmail = "admin@example.com"

// createStore creates the identity store "members" and gives it the
// custom attribute loyalty_id through the schema editor.
func (b *browser) createStore(t *testing.T) {
	t.Helper()
	b.do(t, "open the identity stores", chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Identity stores"]`)),
		chromedp.WaitVisible(chromedp.ID("store-name")))
	b.checkLabel(t, "store-name", "Name")
	b.do(t, "create a store",
		chromedp.SendKeys(chromedp.ID("store-name"), "Members"),
		chromedp.SendKeys(chromedp.ID("store-id"), "members"),
		chromedp.Click(buttonWithText("Create store")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Members"]`)))
	b.do(t, "add an attribute", chromedp.Click(chromedp.Search(`//a[normalize-space()="Add an attribute"]`)),
		chromedp.WaitVisible(chromedp.ID("attr-name")))
	b.checkLabel(t, "attr-name", "Name")
	b.do(t, "save the attribute",
		chromedp.SendKeys(chromedp.ID("attr-name"), "loyalty_id"),
		chromedp.SendKeys(chromedp.ID("attr-label"), "Loyalty number"),
		chromedp.Click(buttonWithText("Save attribute")),
		chromedp.WaitVisible(chromedp.ID("schema-table")))
	if got := b.text(t, chromedp.CSS("#schema-table tbody")); !strings.Contains(got, "loyalty_id") || !strings.Contains(got, "Loyalty number") {
		t.Errorf("the schema reads %q", got)
	}
	if got := b.value(t, chromedp.CSS("#store-switch")); got != "members" {
		t.Errorf("the store switcher has %q chosen, want the new store", got)
	}
}

// consoleAdminPassword is the bootstrap administrator's password, which
// TestMain put in the server's environment.
func consoleAdminPassword(t *testing.T) string {
	t.Helper()
	for _, kv := range env.environ {
		if p, ok := strings.CutPrefix(kv, "FOYER_BOOTSTRAP_ADMIN_PASSWORD="); ok {
			return p
		}
	}
	t.Fatal("no bootstrap administrator password in the environment")
	return ""
}

// consoleSignIn signs the bootstrap administrator in to the console: the
// sign-in pages, then (MFA being required and none enrolled) enrolment
// of an authenticator app whose codes come from the key on the page.
func (b *browser) consoleSignIn(t *testing.T) {
	t.Helper()
	b.do(t, "open the console", chromedp.Navigate(env.issuer+"/admin"))
	b.enterIdentifier(t, consoleAdminEmail)
	b.enterPassword(t, consoleAdminPassword(t))
	b.do(t, "choose the authenticator app", chromedp.Click(buttonWithText("Use an authenticator app")),
		chromedp.WaitVisible(chromedp.CSS("img.qr")))
	secret := b.text(t, chromedp.CSS("code.secret"))
	code, err := totp.GenerateCode(strings.ReplaceAll(secret, " ", ""), time.Now())
	if err != nil {
		t.Fatalf("the page's key %q: %v", secret, err)
	}
	b.do(t, "enter the app's code", chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Click(buttonWithText("Verify")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Save your recovery codes"]`)),
		chromedp.Click(buttonWithText("I have saved them")))
}

// checkSkipLink: the first Tab reaches the skip link, and following it
// puts the keyboard focus on the page's content.
func (b *browser) checkSkipLink(t *testing.T) {
	t.Helper()
	b.do(t, "press Tab", chromedp.KeyEvent(kb.Tab))
	if got := run(t, b, "read the focus", chromedp.Evaluate[string]("document.activeElement.className")); got != "skip-link" {
		t.Fatalf("the first Tab focuses %q, want the skip link", got)
	}
	b.do(t, "follow the skip link", chromedp.KeyEvent(kb.Enter))
	if got := run(t, b, "read the focus", chromedp.Evaluate[string]("document.activeElement.id")); got != "main" {
		t.Errorf("after the skip link the focus is on %q, want main", got)
	}
}

// consoleScreenshots saves every console page at both widths into
// e2e/screenshots/ (ignored by git; the path is in the test log) and
// checks that nothing scrolls sideways at 390 pixels.
func (b *browser) consoleScreenshots(t *testing.T, extra ...consolePage) {
	t.Helper()
	dir, err := filepath.Abs("screenshots")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("console screenshots in %s", dir)
	for _, width := range []int64{1280, 390} {
		b.do(t, fmt.Sprintf("emulate a %dpx wide screen", width), chromedp.EmulateViewport(width, 900))
		for _, p := range append(consolePages, extra...) {
			b.do(t, "open "+p.name, chromedp.Navigate(env.issuer+p.path), chromedp.WaitVisible(chromedp.CSS("h1")))
			png := run(t, b, "screenshot "+p.name, chromedp.FullScreenshot(100))
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("admin-%s-%d.png", p.name, width)), png, 0o644); err != nil {
				t.Fatal(err)
			}
			if width == 390 && !run(t, b, "measure "+p.name, chromedp.Evaluate[bool](
				"document.documentElement.scrollWidth <= document.documentElement.clientWidth")) {
				t.Errorf("%s scrolls sideways at 390px", p.name)
			}
		}
	}
	b.do(t, "back to a desktop screen", chromedp.EmulateViewport(1280, 900))
}
