//go:build e2e

package e2e

import (
	"context"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// erin signs in to a Foyer of her own, served over https.
const (
	erinEmail    = "erin@example.com"
	erinPassword = "quartz-meadow-lantern-42"
)

// TestHostCookiesOverHTTPS: behind a TLS-terminating proxy (as behind a
// load balancer), with an https issuer, Chromium accepts Foyer's __Host-
// cookies and the account portal's sign-in (browser binding, SSO session,
// portal flow and portal cookies) completes with them. Whether a __Host-
// cookie is valid is the browser's decision, which an HTTP test cannot
// show.
func TestHostCookiesOverHTTPS(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	proxy := httptest.NewUnstartedServer(nil)
	issuer := "https://" + proxy.Listener.Addr().String()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	environ := foyerEnviron(issuer, "127.0.0.1:"+port, filepath.Join(t.TempDir(), "foyer.db"))
	srv, err := startFoyer(ctx, env.bin, environ)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()
	target, _ := url.Parse("http://127.0.0.1:" + port)
	proxy.Config.Handler = httputil.NewSingleHostReverseProxy(target) // keeps the browser's Host
	proxy.StartTLS()
	defer proxy.Close()
	if _, err := runCLI(ctx, env.bin, environ, "account", "create", "--email", erinEmail, "--password", erinPassword, "--verified"); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, chromedp.Flag("ignore-certificate-errors", true)) // httptest's own certificate
	readCookies := func(what string) []*network.Cookie {
		var cookies []*network.Cookie
		b.do(t, what, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{issuer + "/"}})
			if err == nil {
				cookies = res.Cookies
			}
			return err
		}))
		return cookies
	}
	pending := func(cookies []*network.Cookie) []string {
		var names []string
		for _, c := range cookies {
			if strings.Contains(c.Name, "foyer_in_") {
				names = append(names, c.Name)
			}
		}
		return names
	}
	b.do(t, "open the portal's sign-in over https", chromedp.Navigate(issuer+"/account"),
		chromedp.WaitVisible(chromedp.ID("identifier")))
	// The sign-in request waits in the browser until the first submit:
	// Chromium must have taken its sealed cookie as a host cookie.
	if names := pending(readCookies("read the cookies before the first submit")); len(names) != 1 || !strings.HasPrefix(names[0], "__Host-foyer_in_") {
		t.Errorf("pending interaction cookies before the first submit: %v; want one __Host-foyer_in_ cookie", names)
	}
	b.do(t, "sign in to the portal over https",
		chromedp.SendKeys(chromedp.ID("identifier"), erinEmail),
		chromedp.Click(buttonWithText(continueButton)),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), erinPassword),
		chromedp.Click(buttonWithText(signInButton)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Your applications"]`)))
	cookies := readCookies("read the browser's cookies")
	// Stored at the first submit, the interaction's cookie is gone.
	if names := pending(cookies); len(names) != 0 {
		t.Errorf("pending interaction cookies after the sign-in: %v; want none", names)
	}
	names := map[string]bool{}
	for _, c := range cookies {
		names[c.Name] = true
		// The browser's time zone is written by ui.js, so it cannot be
		// HttpOnly; it holds nothing secret.
		script := c.Name == "__Host-foyer_tz"
		if !strings.HasPrefix(c.Name, "__Host-") || !c.Secure || c.Path != "/" || (!c.HTTPOnly && !script) {
			t.Errorf("cookie %s: secure %v, path %q, httpOnly %v; want a __Host- cookie", c.Name, c.Secure, c.Path, c.HTTPOnly)
		}
	}
	for _, want := range []string{"__Host-foyer_session", "__Host-foyer_browser", "__Host-foyer_portal"} {
		if !names[want] {
			t.Errorf("the browser holds no %s; it holds %v", want, names)
		}
	}
	b.checkClean(t)
}
