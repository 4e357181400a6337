//go:build e2e

package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// consolePage is a console page to screenshot: a name for the file and
// the path.
type consolePage = struct{ name, path string }

// configureApplication, in the store "members": creates the application
// members-web, registers a confidential client of it (its secret shown
// once), creates an MFA policy requiring a second factor and assigns it
// to the application. It returns the pages it made that have generated
// ids, for the screenshots.
func (b *browser) configureApplication(t *testing.T) []consolePage {
	t.Helper()
	b.do(t, "open the applications", chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Applications"]`)),
		chromedp.WaitVisible(chromedp.ID("app-name")))
	b.do(t, "create an application",
		chromedp.SendKeys(chromedp.ID("app-name"), "Members web"),
		chromedp.SetValue(chromedp.ID("app-store"), "members"),
		chromedp.SendKeys(chromedp.ID("app-id"), "members-web"),
		chromedp.Click(buttonWithText("Create application")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Members web"]`)))
	b.checkLabel(t, "client-name", "Name")
	b.do(t, "register a client",
		chromedp.SendKeys(chromedp.ID("client-name"), "Members site"),
		chromedp.SendKeys(chromedp.ID("client-redirects"), "https://members.example/callback"),
		chromedp.Click(buttonWithText("Register client")),
		chromedp.WaitVisible(chromedp.ID("client-secret")))
	if secret := b.value(t, chromedp.CSS("#client-secret")); len(secret) < 20 {
		t.Errorf("the client's secret reads %q", secret)
	}
	b.do(t, "leave the secret", chromedp.Click(chromedp.Search(`//a[normalize-space()="I have copied it"]`)),
		chromedp.WaitVisible(chromedp.ID("client-name")))
	clientPage := b.path(t)

	b.do(t, "open the policies", chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Policies"]`)),
		chromedp.WaitVisible(chromedp.ID("policy-name")))
	b.do(t, "create an MFA policy",
		chromedp.SetValue(chromedp.ID("policy-kind"), "mfa"),
		chromedp.SendKeys(chromedp.ID("policy-name"), "Members MFA"),
		chromedp.Click(buttonWithText("Create policy")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Members MFA"]`)))
	policyPage := b.path(t)
	b.do(t, "require a second factor", chromedp.Click(chromedp.CSS(`input[name="mode"][value="required"]`)),
		chromedp.Click(buttonWithText("Save settings")),
		chromedp.WaitVisible(chromedp.Search(`//*[normalize-space()="Your changes are saved."]`)))
	policyID := strings.TrimPrefix(policyPage, "/admin/policies/")

	b.do(t, "assign it to the application", chromedp.Navigate(env.issuer+"/admin/applications/members-web"),
		chromedp.WaitVisible(chromedp.ID("policy-mfa")),
		chromedp.SetValue(chromedp.ID("policy-mfa"), policyID),
		chromedp.Click(chromedp.Search(`//select[@id="policy-mfa"]/ancestor::form//button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[normalize-space()="Your changes are saved."]`)))
	if got := b.value(t, chromedp.CSS("#policy-mfa")); got != policyID {
		t.Errorf("the application's MFA policy is %q, want %q", got, policyID)
	}
	return []consolePage{{"client", clientPage}, {"policy", policyPage}}
}

// path is the current page's path.
func (b *browser) path(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(b.location(t))
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}
