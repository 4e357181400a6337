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
	b.do(t, "sign in to the portal over https", chromedp.Navigate(issuer+"/account"),
		chromedp.WaitVisible(chromedp.ID("identifier")),
		chromedp.SendKeys(chromedp.ID("identifier"), erinEmail),
		chromedp.Click(buttonWithText(continueButton)),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), erinPassword),
		chromedp.Click(buttonWithText(signInButton)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Your applications"]`)))
	var cookies []*network.Cookie
	b.do(t, "read the browser's cookies", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{issuer + "/"}})
		if err == nil {
			cookies = res.Cookies
		}
		return err
	}))
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
