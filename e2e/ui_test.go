//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
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
	// The click's handler may run after the protocol answered the click:
	// wait for the state it sets, then check everything.
	b.do(t, "show the password", chromedp.Click(buttonWithText("Show")),
		chromedp.WaitVisible(chromedp.CSS(`button.password-toggle[aria-pressed="true"]`)))
	check("shown", "text", "true", "Hide")
	if got := b.value(t, chromedp.CSS("#password")); got != alicePassword {
		t.Errorf("the shown password is %q", got)
	}
	b.do(t, "hide the password", chromedp.Click(buttonWithText("Hide")),
		chromedp.WaitVisible(chromedp.CSS(`button.password-toggle[aria-pressed="false"]`)))
	check("hidden again", "password", "false", "Show")
	b.do(t, "sign in", chromedp.Click(buttonWithText(signInButton)))
	b.expectSignedIn(t, aliceEmail)
	b.checkClean(t)
}

// checkRecoveryDownload, on the page that shows new recovery codes: ui.js
// added a "Copy" button, and the "Download as a text file" link (a data:
// URL, no script) makes Chromium save a file holding the codes shown, one
// per line, under the page's CSP.
func (b *browser) checkRecoveryDownload(t *testing.T) {
	t.Helper()
	if n := b.count(t, "ul.recovery-codes + button.copy-button"); n != 1 {
		t.Errorf("%d copy buttons after the recovery codes, want 1", n)
	}
	shown := run(t, b, "read the codes", chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll(".recovery-codes li")).map(li => li.textContent + "\n").join("")`))
	dir := t.TempDir()
	progress := chromedp.Events(b.ctx, cdpbrowser.DownloadProgress)
	b.do(t, "download the recovery codes",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptr(true)})
			return err
		}),
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Download as a text file"]`)))
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			t.Fatal("Chromium cancelled the download of the recovery codes")
		}
		if ev.State != cdpbrowser.DownloadProgressStateCompleted {
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, ev.GUID))
		if err != nil || string(got) != shown {
			t.Errorf("the downloaded file holds %q (%v), want the codes shown %q", got, err, shown)
		}
		break
	}
}

func ptr[T any](v T) *T { return &v }

// checkMenu checks the portal menu on page name at a screen width: one
// entry marked aria-current="page", the page's own; every entry inside
// the screen; at 1280px one row, at 390px a compact list (two columns).
func (b *browser) checkMenu(t *testing.T, name string, width int64) {
	t.Helper()
	current := run(t, b, "read the current menu entry", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('.account-nav [aria-current="page"]')).map(a => a.getAttribute("href"))`))
	if len(current) != 1 || !strings.HasPrefix(current[0], "/account/"+name) {
		t.Errorf("%s at %dpx: menu entries marked current %v, want its own", name, width, current)
	}
	rows := run(t, b, "measure the menu", chromedp.Evaluate[[]int](`(() => {
		const items = Array.from(document.querySelectorAll(".account-nav li"));
		const inside = items.every(li => li.getBoundingClientRect().right <= document.documentElement.clientWidth);
		const links = items;
		return [inside ? 1 : 0, new Set(links.map(li => Math.round(li.getBoundingClientRect().top))).size, links.length];
	})()`))
	if rows[0] != 1 {
		t.Errorf("%s at %dpx: a menu entry sticks out of the screen", name, width)
	}
	switch {
	case width >= 1280 && rows[1] != 1:
		t.Errorf("%s at %dpx: the menu takes %d rows, want one", name, width, rows[1])
	case width < 480 && rows[1] != (rows[2]+1)/2:
		t.Errorf("%s at %dpx: %d menu entries in %d rows, want two a row", name, width, rows[2], rows[1])
	}
}
