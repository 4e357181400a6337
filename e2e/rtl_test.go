//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// arabicCatalog is a partial Arabic translation package: enough for the
// sign-in page's identifier step; what it lacks falls back to English.
var arabicCatalog = map[string]string{
	"login.title":            "تسجيل الدخول",
	"login.identifier_label": "البريد الإلكتروني أو اسم المستخدم",
	"login.continue":         "متابعة",
	"footer.text":            "محمي بواسطة Foyer",
	"footer.language":        "اللغة",
	"footer.language_submit": "تغيير",
}

// TestRightToLeftSignIn uploads an Arabic package with the CLI, picks
// العربية in the footer's language picker and checks that the sign-in page
// is dir=rtl and mirrored: the identifier's label starts at the input's
// right edge, where in English it starts at its left edge. Screenshots at
// 1280 and 390 px go to FOYER_E2E_SCREENSHOTS when it is set.
func TestRightToLeftSignIn(t *testing.T) {
	ctx := t.Context()
	file := filepath.Join(t.TempDir(), "ar.json")
	b, err := json.Marshal(arabicCatalog)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, rp := ownFoyer(ctx, t, "127.0.0.1", []string{"translations", "import", "--lang", "ar", "--file", file})
	br := newBrowser(t)

	br.do(t, "open the relying party", chromedp.Navigate(rp.srv.URL+"/start"), chromedp.WaitVisible(chromedp.ID("identifier")))
	if dir := br.attribute(t, chromedp.CSS("html"), "dir"); dir != "ltr" {
		t.Errorf("English page: dir=%q", dir)
	}
	enStart := labelOffset(t, br)
	if enStart > 2 {
		t.Errorf("English: the label starts %.1fpx from the input's left edge, want 0", enStart)
	}

	// The picker is a plain GET form: choose Arabic and submit it.
	br.do(t, "pick Arabic", chromedp.SetValue(chromedp.ID("language-picker"), "ar"),
		chromedp.Click(chromedp.CSS("form.language-picker button")), chromedp.WaitVisible(chromedp.CSS(`html[dir="rtl"]`)))
	if lang := br.attribute(t, chromedp.CSS("html"), "lang"); lang != "ar" {
		t.Errorf("after picking Arabic: lang=%q", lang)
	}
	if got := br.text(t, chromedp.CSS(`label[for="identifier"]`)); got != arabicCatalog["login.identifier_label"] {
		t.Errorf("label = %q", got)
	}
	if off := labelOffset(t, br); off > 2 {
		t.Errorf("Arabic: the label ends %.1fpx from the input's right edge, want 0 (not mirrored)", off)
	}
	shots := os.Getenv("FOYER_E2E_SCREENSHOTS")
	for _, width := range []int64{1280, 390} {
		// Laid out afresh at that width, as a phone would load it.
		br.do(t, fmt.Sprintf("load at %dpx", width), chromedp.EmulateViewport(width, 900), chromedp.Reload(),
			chromedp.WaitVisible(chromedp.ID("identifier")))
		if !run(t, br, "measure the page", chromedp.Evaluate[bool](
			"document.documentElement.scrollWidth <= document.documentElement.clientWidth")) {
			t.Errorf("the Arabic sign-in page scrolls sideways at %dpx", width)
		}
		if off := labelOffset(t, br); off > 2 {
			t.Errorf("Arabic at %dpx: the label ends %.1fpx from the input's right edge", width, off)
		}
		if shots == "" {
			continue
		}
		// The viewport, not FullScreenshot: its clip is measured from the
		// left, which cuts a right-to-left page off.
		png := run(t, br, "screenshot", chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join(shots, fmt.Sprintf("login-rtl-ar-%d.png", width)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	br.checkClean(t)
}

// labelOffset is how far the identifier label's text starts from the
// input's starting edge in the page's direction: the left edge for ltr,
// the right edge for rtl. The text's own box is measured (a Range), not
// the label's block box, which spans the whole width either way.
func labelOffset(t *testing.T, br *browser) float64 {
	t.Helper()
	return run(t, br, "measure the label", chromedp.Evaluate[float64](`(() => {
		const label = document.querySelector('label[for="identifier"]');
		const input = document.getElementById("identifier");
		const range = document.createRange();
		range.selectNodeContents(label);
		const text = range.getBoundingClientRect(), box = input.getBoundingClientRect();
		return document.documentElement.dir === "rtl" ? Math.abs(box.right - text.right) : Math.abs(text.left - box.left);
	})()`))
}
