//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The administrator's side of TestAccountSupport (accounts_test.go):
// each step as support staff take it in the console.

// noticeText is the console's notice after a change ("" when none).
func (b *browser) noticeText(t *testing.T) string {
	t.Helper()
	return run(t, b, "read the notice", chromedp.Evaluate[string](
		`(document.querySelector('[role="status"], .notice') || {textContent: ""}).textContent.trim()`))
}

// waitNotice waits for a notice with these words.
func (b *browser) waitNotice(t *testing.T, what, words string) {
	t.Helper()
	b.do(t, what+": wait for the notice", chromedp.WaitVisible(chromedp.Search(`//*[normalize-space()="`+words+`"]`)))
}

// findByLoyalty opens the store's account list, searches by the loyalty
// number through the search panel and opens the one account found; it
// returns the profile's path.
func (b *browser) findByLoyalty(t *testing.T, issuer string) string {
	t.Helper()
	b.do(t, "open the account list", chromedp.Navigate(issuer+"/admin/stores/"+supportStore+"/accounts"),
		chromedp.WaitVisible(chromedp.ID("accounts-table")))
	if n := b.count(t, "#accounts-table tbody tr"); n < 4 {
		t.Errorf("the list shows %d accounts, want alice, bob, carol and dave", n)
	}
	field := chromedp.Search(`//input[@id=//label[normalize-space()="Loyalty number (exact)"]/@for]`)
	b.do(t, "search by the loyalty number", chromedp.WaitVisible(field),
		chromedp.SendKeys(field, strings.ToLower(supportLoyalty)),
		chromedp.Click(buttonWithText("Search")),
		chromedp.WaitVisible(chromedp.Search(`//a[normalize-space()="Clear search"]`)))
	rows := run(t, b, "read the rows", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("#accounts-table tbody tr")).map(r => r.textContent.replace(/\s+/g, " ").trim())`))
	if len(rows) != 1 || !strings.Contains(rows[0], aliceEmail) {
		t.Fatalf("searching loyalty number %q finds %q, want alice alone", supportLoyalty, rows)
	}
	if !strings.Contains(rows[0], "Enabled") || !strings.Contains(rows[0], "Verified email") {
		t.Errorf("alice's row lacks the Enabled and Verified email labels: %q", rows[0])
	}
	b.do(t, "open the profile", chromedp.Click(chromedp.Search(`//table[@id="accounts-table"]//a[normalize-space()="`+aliceEmail+`"]`)),
		chromedp.WaitVisible(chromedp.ID("account-overview-title")))
	p := run(t, b, "read the path", chromedp.Evaluate[string]("location.pathname"))
	if !strings.HasPrefix(p, "/admin/stores/"+supportStore+"/accounts/") {
		t.Fatalf("the profile is at %s", p)
	}
	if got := b.text(t, chromedp.CSS(".account-overview .account-facts")); !strings.Contains(got, aliceEmail) {
		t.Errorf("the overview panel reads %q", got)
	}
	return p
}

// overviewLabels are the status labels of the overview panel.
func (b *browser) overviewLabels(t *testing.T) string {
	t.Helper()
	return b.text(t, chromedp.CSS(".account-overview .account-labels"))
}

// disableAccount: the overview panel's Disable ends the customer's
// session (the portal and the relying party's next request ask her to
// sign in) and her password is refused.
func (b *browser) disableAccount(t *testing.T, issuer, profile string, cust *browser, rp *relyingParty) {
	t.Helper()
	b.do(t, "disable the account", chromedp.Navigate(issuer+profile),
		chromedp.Click(buttonWithText("Disable account")))
	b.waitNotice(t, "disable", "The account is disabled; its sessions and tokens have ended.")
	if got := b.overviewLabels(t); !strings.Contains(got, "Disabled") || strings.Contains(got, "Enabled") {
		t.Errorf("labels after disabling: %q", got)
	}
	// She used the portal before (her loyalty number): it signs her out
	// too.
	cust.do(t, "open the portal", chromedp.Navigate(issuer+"/account/profile"),
		chromedp.WaitVisible(chromedp.CSS("#identifier, #attr-loyalty_id")))
	if cust.count(t, "#identifier") == 0 {
		t.Errorf("the disabled customer still sees the portal at %s", cust.location(t))
	}
	cust.expectSignInAsked(t, rp, "disabled")
	cust.signInAt(t, aliceEmail, alicePassword)
	cust.do(t, "wait for the refusal", chromedp.WaitVisible(chromedp.CSS("#form-error, #result, #result-error")))
	if cust.count(t, "#form-error") == 0 {
		t.Fatalf("a disabled account signed in: %s", cust.text(t, chromedp.CSS("h1")))
	}
	if got := cust.text(t, chromedp.CSS("#form-error")); got != "This account is disabled." {
		t.Errorf("signing in to the disabled account says %q", got)
	}
}

// enableAccount: Enable lets the customer in again (password, then her
// passkey as the second factor).
func (b *browser) enableAccount(t *testing.T, profileURL string, cust *browser, rp *relyingParty) {
	t.Helper()
	b.do(t, "enable the account", chromedp.Navigate(profileURL),
		chromedp.Click(buttonWithText("Enable account")))
	b.waitNotice(t, "enable", "The account is enabled.")
	if got := b.overviewLabels(t); !strings.Contains(got, "Enabled") {
		t.Errorf("labels after enabling: %q", got)
	}
	cust.do(t, "open the relying party", chromedp.Navigate(rp.srv.URL+"/start"))
	cust.signInAt(t, aliceEmail, alicePassword)
	cust.secondFactorPasskey(t)
	cust.expectResult(t, "after enabling")
}

// secondFactorPasskey answers the second-factor step with the passkey,
// if the step comes.
func (b *browser) secondFactorPasskey(t *testing.T) {
	t.Helper()
	next := `//*[@id="result" or @id="result-error" or @id="form-error"] | //button[normalize-space()="Use a passkey" or normalize-space()="Use passkey"]`
	b.do(t, "wait for the next step", chromedp.WaitVisible(chromedp.Search(next)))
	if b.count(t, "#form-error") > 0 {
		t.Fatalf("the sign-in was refused: %s", b.text(t, chromedp.CSS("#form-error")))
	}
	if b.count(t, "#result, #result-error") > 0 {
		return
	}
	choose := run(t, b, "look for the method choice", chromedp.Evaluate[bool](
		`Array.from(document.querySelectorAll("button")).some(b => b.textContent.trim().startsWith("Use a passkey"))`))
	if choose {
		b.do(t, "choose the passkey", chromedp.Click(chromedp.Search(`//button[starts-with(normalize-space(),"Use a passkey")]`)),
			chromedp.WaitVisible(buttonWithText("Use passkey")))
	}
	b.do(t, "confirm with the passkey", chromedp.Click(buttonWithText("Use passkey")))
}

// openTab opens one tab of the profile through its navigation.
func (b *browser) openTab(t *testing.T, profileURL, tab string, ready chromedp.Search) {
	t.Helper()
	b.do(t, "open the "+tab+" tab", chromedp.Navigate(profileURL),
		chromedp.Click(chromedp.Search(`//nav[contains(@class,"account-tabs")]//a[normalize-space()="`+tab+`"]`)),
		chromedp.WaitVisible(ready))
}

// sendReset: Authenticators → Send reset email through the relying
// party's client; the message is in the dev outbox and its link opens
// the reset page in the customer's browser.
func (b *browser) sendReset(t *testing.T, issuer, profile string, cust *browser) {
	t.Helper()
	b.openTab(t, issuer+profile, "Authenticators", chromedp.Search(`//*[@id="auth-password-title"]`))
	if got := b.text(t, chromedp.CSS("#auth-password-title + p")); got == "" || !strings.HasPrefix(got, "A password is set") {
		t.Errorf("the password line reads %q", got)
	}
	b.do(t, "send the reset e-mail", chromedp.Click(buttonWithText("Send reset email")))
	b.waitNotice(t, "reset", "The password-reset email is on its way.")
	link := outboxLinkAt(t, issuer, "password_reset", aliceEmail, "/recover/reset?")
	cust.do(t, "open the reset link", chromedp.Navigate(link),
		chromedp.WaitVisible(buttonWithText("Continue to set a new password")))
}

// removePasskey: Authenticators → Remove on the passkey's row, confirmed
// in the browser's dialog; the row goes.
func (b *browser) removePasskey(t *testing.T, profileURL string, dialogs *dialogLog) {
	t.Helper()
	const row = `//section[@aria-labelledby="auth-methods-title"]//tr[td[normalize-space()="Passkey"]]`
	b.openTab(t, profileURL, "Authenticators", chromedp.Search(`//*[@id="auth-methods-title"]`))
	b.do(t, "find the passkey", chromedp.WaitVisible(chromedp.Search(row)))
	if got := run(t, b, "read the passkey row", chromedp.Text(chromedp.Search(row))); !strings.Contains(got, "Lost key") {
		t.Errorf("the passkey row reads %q", got)
	}
	b.do(t, "remove the passkey", chromedp.Click(chromedp.Search(row+`//button[normalize-space()="Remove"]`)),
		chromedp.WaitNotPresent(chromedp.Search(row)), chromedp.WaitVisible(chromedp.ID("auth-methods-title")))
	if got := dialogs.list(); len(got) == 0 || !strings.Contains(got[len(got)-1], "Remove this sign-in method?") {
		t.Errorf("the removal asked %q, want the confirmation", got)
	}
	if got := b.noticeText(t); got != "The sign-in method was removed." {
		t.Errorf("the notice after removing the customer's passkey reads %q", got)
	}
}

// endSession: Sessions → End session on the customer's one session; the
// row goes and her browser must sign in again.
func (b *browser) endSession(t *testing.T, profileURL string, cust *browser, rp *relyingParty) {
	t.Helper()
	b.openTab(t, profileURL, "Sessions", chromedp.Search(`//h2[normalize-space()="Sessions"]`))
	n := b.count(t, "#account-sessions tbody tr")
	if n != 1 {
		t.Fatalf("%d sessions listed, want the one from the sign-in after enabling", n)
	}
	b.do(t, "end the session", chromedp.Click(chromedp.Search(`//table[@id="account-sessions"]//button[starts-with(normalize-space(),"End session")]`)))
	b.waitNotice(t, "end session", "The session is ended. That browser must sign in again.")
	if n := b.count(t, "#account-sessions tbody tr"); n != 0 {
		t.Errorf("%d sessions still listed", n)
	}
	cust.expectSignInAsked(t, rp, "session ended")
}

// exportDownload is what the JSON link answered, fetched with the
// administrator's cookies.
type exportDownload struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Body        string `json:"body"`
}

// checkAccountExport follows the overview panel's JSON link: an
// attachment holding the account's e-mail and no secret.
func (b *browser) checkAccountExport(t *testing.T, profileURL string) {
	t.Helper()
	link := chromedp.Search(`//aside[contains(@class,"account-overview")]//a[normalize-space()="JSON"]`)
	b.do(t, "open the profile", chromedp.Navigate(profileURL), chromedp.WaitVisible(link))
	href := run(t, b, "read the JSON link", chromedp.AttributeValue(link, "href")).Value
	raw := run(t, b, "download "+href, chromedp.Evaluate[string](`fetch(`+jsString(href)+`).then(async r => JSON.stringify({
		status: r.status, type: r.headers.get("Content-Type") || "", disposition: r.headers.get("Content-Disposition") || "",
		body: await r.text()}))`, chromedp.EvalAwaitPromise))
	var d exportDownload
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		t.Fatal(err)
	}
	if d.Status != 200 || !strings.Contains(d.Type, "json") || !strings.Contains(d.Disposition, "attachment") {
		t.Errorf("the JSON download answered %d, %q, %q", d.Status, d.Type, d.Disposition)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(d.Body), &doc); err != nil {
		t.Fatalf("the download is no JSON: %v\n%.300s", err, d.Body)
	}
	if !strings.Contains(d.Body, `"`+aliceEmail+`"`) {
		t.Errorf("the download lacks the account's e-mail")
	}
	if _, ok := doc["admin"]; !ok {
		t.Errorf("the download lacks the admin side (keys %v)", keys(doc))
	}
	for _, secret := range []string{"password_hash", "$argon2", "$2a$", alicePassword, "secret_hash", "token_hash"} {
		if strings.Contains(strings.ToLower(d.Body), strings.ToLower(secret)) {
			t.Errorf("the download holds %q", secret)
		}
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// accountScreenshots saves the account list and every profile tab at
// 1280 and 390 px into e2e/screenshots/ (git-ignored) and checks that
// none scrolls sideways at 390.
func (b *browser) accountScreenshots(t *testing.T, issuer, profile string) {
	t.Helper()
	dir, err := filepath.Abs("screenshots")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b.do(t, "open the profile", chromedp.Navigate(issuer+profile), chromedp.WaitVisible(chromedp.CSS("nav.account-tabs")))
	tabs := run(t, b, "read the tabs", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("nav.account-tabs a")).map(a => a.getAttribute("href"))`))
	pages := []consolePage{{"accounts", "/admin/stores/" + supportStore + "/accounts"}}
	for _, href := range tabs {
		name := path.Base(href)
		if href == profile {
			name = "attributes"
		}
		pages = append(pages, consolePage{"account-" + name, href})
	}
	t.Logf("%d pages (list and %d tabs) in %s", len(pages), len(tabs), dir)
	for _, width := range []int64{1280, 390} {
		b.do(t, fmt.Sprintf("emulate a %dpx wide screen", width), chromedp.EmulateViewport(width, 900))
		for _, p := range pages {
			b.do(t, "open "+p.name, chromedp.Navigate(issuer+p.path), chromedp.WaitVisible(chromedp.CSS("h1")))
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

// checkSupportActions: the Activity tab's support view lists each change
// the walk made, with the administrator.
func (b *browser) checkSupportActions(t *testing.T, profileURL string) {
	t.Helper()
	b.openTab(t, profileURL, "Activity", chromedp.Search(`//a[normalize-space()="Support actions"]`))
	b.do(t, "open the support actions", chromedp.Click(chromedp.Search(`//a[normalize-space()="Support actions"]`)),
		chromedp.WaitVisible(chromedp.ID("support-actions")))
	got := b.text(t, chromedp.CSS("#support-actions tbody"))
	for _, action := range []string{"account.disabled", "account.enabled", "account.password_reset_sent",
		"account.authenticator_removed", "account.session_ended"} {
		if !strings.Contains(got, action) {
			t.Errorf("the support actions lack %s", action)
		}
	}
	if !strings.Contains(got, consoleAdminEmail) && !strings.Contains(got, "Administrator") {
		t.Logf("the support actions do not name the administrator: %.300s", got)
	}
}
