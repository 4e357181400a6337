//go:build e2e

// Package e2e holds Foyer's browser end-to-end tests, run with `make e2e`
// (go test -tags e2e ./e2e/...).
//
// TestMain builds ./cmd/foyer, starts `foyer serve` on a free loopback port
// over a temporary SQLite database, and registers a relying party served by
// httptest (golang.org/x/oauth2 and go-oidc: authorization code flow with PKCE
// S256, state and nonce, ID token verification, and a UserInfo call that must
// agree with the ID token) and two accounts with the CLI.
//
// The tests then drive Debian's Chromium (/usr/bin/chromium, headless) through
// chromedp the way a person would: start at the relying party, get redirected
// to Foyer's login page, type the e-mail, click "Continue", type the password,
// click "Sign in", and land back at the relying party, which shows the e-mail
// from the verified ID token (the email claim, granted with the email scope).
// They cover:
//
//   - the whole sign-in, across the redirect chain /login -> /oauth2/auth/resume
//     -> the client's redirect_uri;
//   - the accessibility contract of the login page: each field has a
//     <label for> naming it in words, and each button has visible text;
//   - a wrong password: the error is shown in words on the login page and the
//     browser stays there, then the right password still succeeds;
//   - the browser itself: every console error, uncaught exception, failed
//     sub-resource and Content-Security-Policy violation fails the test. The
//     CSP is strict (script-src 'self', style-src 'self', form-action 'self'
//     plus the client's origin), and Chrome enforces form-action on every hop
//     of the redirect that follows a form post, which only a real browser can
//     show;
//   - an https issuer behind a TLS-terminating proxy (hostcookies_test.go):
//     Chromium accepts the __Host- cookies and the portal sign-in works;
//   - account management as support staff use it (accounts_test.go): find
//     an account by an attribute, disable and enable it against a live
//     customer browser, send a reset, remove a passkey, end a session,
//     download the JSON;
//   - accessibility (a11y_test.go): axe-core on every page kind in the light
//     and dark colour schemes at 1280 and 390 pixels, screenshots, and a
//     keyboard-only sign-in.
//
// Each test has a 60 s deadline (newBrowserWithin gives a longer walk its
// own), so a hang fails instead of blocking CI.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/audits"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// testTimeout bounds each test, browser start included.
const testTimeout = 60 * time.Second

// What the English catalog (themes/default/locales/en.json) shows.
const (
	identifierLabel   = "Email or username"
	passwordLabel     = "Password"
	continueButton    = "Continue"
	signInButton      = "Sign in"
	invalidCredential = "Incorrect email, username or password."
)

// TestLogin signs in through the browser and checks that the relying party
// receives a valid ID token for the account.
func TestLogin(t *testing.T) {
	b := newBrowser(t)

	b.do(t, "open the relying party", chromedp.Navigate(env.rp.srv.URL+"/start"))
	b.enterIdentifier(t, aliceEmail)
	b.enterPassword(t, alicePassword)
	b.expectSignedIn(t, aliceEmail)
	b.checkLoginCSP(t)
	b.checkClean(t)
}

// TestLoginWrongPassword types a wrong password first: the error must appear
// on the login page, which the browser must not leave; the right password must
// then still sign in.
func TestLoginWrongPassword(t *testing.T) {
	b := newBrowser(t)

	b.do(t, "open the relying party", chromedp.Navigate(env.rp.srv.URL+"/start"))
	b.enterIdentifier(t, bobEmail)
	b.enterPassword(t, "not-"+bobPassword)

	b.do(t, "wait for the error message", chromedp.WaitVisible(chromedp.ID("form-error")))
	if got := b.text(t, chromedp.CSS("#form-error")); got != invalidCredential {
		t.Errorf("error message = %q, want %q", got, invalidCredential)
	}
	role := b.attribute(t, chromedp.CSS("#form-error"), "role")
	if role != "alert" {
		t.Errorf(`error message has role=%q, want "alert" so screen readers announce it`, role)
	}
	loc := b.location(t)
	if !strings.HasPrefix(loc, env.issuer+"/login") {
		t.Errorf("after a wrong password the browser is at %s, want Foyer's login page %s/login", loc, env.issuer)
	}
	if n := b.count(t, "#result, #result-error"); n != 0 {
		t.Errorf("after a wrong password the relying party's result page is showing")
	}

	// The form is shown again, with the password field empty.
	b.enterPassword(t, bobPassword)
	b.expectSignedIn(t, bobEmail)
	b.checkClean(t)
}

// browser is one headless Chromium with a fresh profile, and everything it
// reported that must fail the test.
type browser struct {
	ctx context.Context

	mu       sync.Mutex
	problems []string                     // console errors, exceptions, CSP issues, failed sub-resources
	docs     map[string]*network.Response // document responses by URL path
}

// newBrowser starts Chromium for one test; the test's cleanup stops it.
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	return newBrowserWithin(t, testTimeout, extra...)
}

// newBrowserWithin is newBrowser with a deadline of its own, for a test
// that walks more pages than testTimeout allows.
func newBrowserWithin(t *testing.T, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser tests need Debian's Chromium at %s: apt-get install chromium chromium-driver (%v)", chromiumPath, err)
	}
	profile := t.TempDir()

	ctx, cancelTimeout := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancelTimeout)
	// A problem the browser reports cancels everything at once with the
	// problem as the cause: a blocked form post would otherwise only show
	// up as a timeout.
	ctx, cancelCause := context.WithCancelCause(ctx)
	t.Cleanup(func() { cancelCause(nil) })

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(profile),
	)
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)

	b := &browser{ctx: bctx, docs: map[string]*network.Response{}}
	if err := chromedp.Listen(bctx, func(ev any) {
		if p := b.observe(ev); p != "" {
			b.mu.Lock()
			b.problems = append(b.problems, p)
			b.mu.Unlock()
			cancelCause(errors.New("the browser reported: " + p))
		}
	}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	// The Audits domain reports CSP violations as structured issues, in
	// addition to the console message.
	enableAudits := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, audits.Enable, cdp.Empty{})
		return err
	})
	b.do(t, "enable the Audits domain", enableAudits)
	return b
}

// observe records document responses and returns a description of an event
// that must fail the test, or "".
func (b *browser) observe(ev any) string {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			return fmt.Sprintf("console.%s: %s", ev.Type, remoteArgs(ev.Args))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		return fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, msg)
	case *log.EventEntryAdded:
		e := ev.Entry
		csp := strings.Contains(e.Text, "Content Security Policy") || strings.Contains(e.Text, "Content-Security-Policy")
		// A page answered with an error status (400 for a wrong
		// password) is logged as a network error; sub-resources are
		// checked through their responses below instead.
		if csp || (e.Level == log.EntryLevelError && e.Source != log.EntrySourceNetwork) {
			return fmt.Sprintf("console %s (%s) at %s: %s", e.Level, e.Source, e.URL, e.Text)
		}
	case *audits.EventIssueAdded:
		if ev.Issue != nil && ev.Issue.Code == audits.InspectorIssueCodeContentSecurityPolicyIssue {
			d := ev.Issue.Details.ContentSecurityPolicyIssueDetails
			if d == nil {
				return "Content-Security-Policy issue (no details)"
			}
			return fmt.Sprintf("Content-Security-Policy violation: directive %q blocked %q (%s)",
				d.ViolatedDirective, d.BlockedURL, d.ContentSecurityPolicyViolationType)
		}
	case *network.EventResponseReceived:
		r := ev.Response
		if ev.Type == network.ResourceTypeDocument {
			if u, err := url.Parse(r.URL); err == nil {
				b.mu.Lock()
				b.docs[u.Host+u.Path] = r
				b.mu.Unlock()
			}
		} else if r.Status >= 400 && !isFavicon(r.URL) {
			return fmt.Sprintf("%s %s failed: HTTP %d", ev.Type, r.URL, r.Status)
		}
	}
	return ""
}

// isFavicon reports whether u is the /favicon.ico that Chromium fetches on its
// own for every origin; no page asks for it, so a 404 there is no page error.
func isFavicon(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Path == "/favicon.ico"
}

// remoteArgs formats the arguments of a console call.
func remoteArgs(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		switch {
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, strings.Trim(string(a.Value), `"`))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// do runs browser steps, failing the test with the reason if one fails.
func (b *browser) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fatal(t, what, err)
	}
}

// fatal fails the test at step what, naming the browser's problems, the
// deadline or the action's error, and where the browser was.
func (b *browser) fatal(t *testing.T, what string, err error) {
	t.Helper()
	if cause := context.Cause(b.ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause
	}
	b.mu.Lock()
	problems := strings.Join(b.problems, "\n  ")
	b.mu.Unlock()
	if problems != "" {
		t.Fatalf("%s: %v\nbrowser problems:\n  %s", what, err, problems)
	}
	t.Fatalf("%s: %v", what, err)
}

// enterIdentifier expects the first login step and submits the identifier.
func (b *browser) enterIdentifier(t *testing.T, identifier string) {
	t.Helper()
	b.do(t, "wait for the identifier field", chromedp.WaitVisible(chromedp.ID("identifier")))
	if loc := b.location(t); !strings.HasPrefix(loc, env.issuer+"/login?") {
		t.Errorf("the identifier step is at %s, want %s/login?...", loc, env.issuer)
	}
	b.checkLabel(t, "identifier", identifierLabel)
	b.do(t, "type the identifier and click "+continueButton,
		chromedp.SendKeys(chromedp.ID("identifier"), identifier),
		chromedp.Click(buttonWithText(continueButton)),
	)
}

// enterPassword expects the password step and submits the password.
func (b *browser) enterPassword(t *testing.T, password string) {
	t.Helper()
	b.do(t, "wait for the password field", chromedp.WaitVisible(chromedp.ID("password")))
	b.checkLabel(t, "password", passwordLabel)
	if v := b.value(t, chromedp.CSS("#password")); v != "" {
		t.Errorf("the password field is pre-filled with %d characters", len(v))
	}
	b.do(t, "type the password and click "+signInButton,
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(buttonWithText(signInButton)),
	)
}

// expectSignedIn waits for the relying party's result page.
func (b *browser) expectSignedIn(t *testing.T, email string) {
	t.Helper()
	b.do(t, "wait for the relying party's result page", chromedp.WaitVisible(chromedp.CSS("#result, #result-error")))
	if b.count(t, "#result-error") > 0 {
		t.Fatalf("the relying party could not sign in: %s", b.text(t, chromedp.CSS("#details")))
	}
	want := "Signed in as " + email
	if got := b.text(t, chromedp.CSS("#result")); got != want {
		t.Errorf("result = %q, want %q", got, want)
	}
	if loc := b.location(t); !strings.HasPrefix(loc, env.rp.srv.URL+"/callback?") {
		t.Errorf("result page at %s, want the redirect_uri %s/callback", loc, env.rp.srv.URL)
	}
}

// checkLoginCSP checks that the login page was served with the strict CSP, so
// that a clean run means the policy held rather than that there was none.
func (b *browser) checkLoginCSP(t *testing.T) {
	t.Helper()
	u, _ := url.Parse(env.issuer)
	b.mu.Lock()
	r := b.docs[u.Host+"/login"]
	b.mu.Unlock()
	if r == nil {
		t.Errorf("the browser saw no document response for %s/login", env.issuer)
		return
	}
	var csp string
	for k, v := range r.Headers {
		if strings.EqualFold(k, "Content-Security-Policy") {
			csp = fmt.Sprint(v)
		}
	}
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "form-action 'self' " + env.rp.srv.URL} {
		if !strings.Contains(csp, want) {
			t.Errorf("login page Content-Security-Policy = %q, want it to contain %q", csp, want)
		}
	}
}

// checkClean fails the test if the browser reported a problem that did not
// already stop it.
func (b *browser) checkClean(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Errorf("browser problem: %s", p)
	}
}

// checkLabel checks that the field has a <label for> with the expected words.
func (b *browser) checkLabel(t *testing.T, id, want string) {
	t.Helper()
	sel := chromedp.CSS(`label[for="` + id + `"]`)
	if b.count(t, string(sel)) == 0 {
		t.Errorf("no <label for=%q> on %s", id, b.location(t))
		return
	}
	if got := b.text(t, sel); got != want {
		t.Errorf("<label for=%q> = %q, want %q", id, got, want)
	}
}

// buttonWithText selects a button by its visible text.
func buttonWithText(text string) chromedp.Search {
	return chromedp.Search(`//button[normalize-space()="` + text + `"]`)
}

func (b *browser) text(t *testing.T, sel chromedp.CSS) string {
	t.Helper()
	return run(t, b, "read the text of "+string(sel), chromedp.Text(sel))
}

func (b *browser) value(t *testing.T, sel chromedp.CSS) string {
	t.Helper()
	return run(t, b, "read the value of "+string(sel), chromedp.Value(sel))
}

func (b *browser) attribute(t *testing.T, sel chromedp.CSS, name string) string {
	t.Helper()
	return run(t, b, "read "+name+" of "+string(sel), chromedp.AttributeValue(sel, name)).Value
}

func (b *browser) location(t *testing.T) string {
	t.Helper()
	return run(t, b, "read location", chromedp.Location())
}

// count is the number of elements matching a CSS selector right now.
func (b *browser) count(t *testing.T, css string) int {
	t.Helper()
	return run(t, b, "count "+css, chromedp.Evaluate[int](
		fmt.Sprintf("document.querySelectorAll(%q).length", css)))
}

// run runs one action that returns a value.
func run[T any](t *testing.T, b *browser, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.fatal(t, what, err)
	}
	return v
}
