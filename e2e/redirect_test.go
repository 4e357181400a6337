//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// The tests in this file check, in Chromium, that every page whose form
// post ends (through redirects) at a relying party gets there: browsers
// apply the page's CSP form-action to every hop after a form post, and a
// blocked hop leaves the browser on Foyer's page. The browser reports a
// blocked hop as a CSP violation, which fails the test at once.

// landing is a relying party that only shows where the browser landed:
// any path, GET or POST, answers with the parameters it received.
type landing struct{ srv *httptest.Server }

func newLanding(t *testing.T) *landing {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		render(w, `<h1 id="landed">{{.Path}}</h1><pre id="params">{{.Params}}</pre>`,
			map[string]string{"Path": r.URL.Path, "Params": r.Form.Encode()})
	}))
	t.Cleanup(srv.Close)
	return &landing{srv: srv}
}

// expectLanded waits for the landing page at path and returns the
// parameters it received (query or form body).
func (b *browser) expectLanded(t *testing.T, l *landing, path string) url.Values {
	t.Helper()
	b.do(t, "wait for the relying party at "+path, chromedp.WaitVisible(chromedp.ID("landed")))
	loc := b.location(t)
	if loc != l.srv.URL+path && !strings.HasPrefix(loc, l.srv.URL+path+"?") {
		t.Fatalf("the browser is at %s, want the relying party's %s%s", loc, l.srv.URL, path)
	}
	params, err := url.ParseQuery(b.text(t, chromedp.CSS("#params")))
	if err != nil {
		t.Fatalf("landing parameters: %v", err)
	}
	return params
}

// expectCode checks an authorization response for a code and the state.
func expectCode(t *testing.T, what string, params url.Values, state string) {
	t.Helper()
	if params.Get("code") == "" || params.Get("state") != state || params.Get("iss") != env.issuer {
		t.Fatalf("%s: the relying party received %v, want a code, state %q and iss", what, params, state)
	}
}

// createClient registers a client with the CLI and returns its id.
func createClient(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	args = append([]string{"client", "create", "--name", "E2E " + t.Name(), "--grant", "authorization_code",
		"--scope", "openid profile email", "--json"}, args...)
	out, err := runCLI(ctx, env.bin, env.environ, args...)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		ClientID string `json:"client_id"`
	}
	if err := json.Unmarshal(out, &c); err != nil || c.ClientID == "" {
		t.Fatalf("foyer client create printed %q: %v", out, err)
	}
	return c.ClientID
}

// createAccount makes a fresh verified account for one test.
func createAccount(t *testing.T) (email, password string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	email, password = "e2e-"+randomString(6)+"@example.com", "quartz-meadow-"+randomString(4)
	if _, err := runCLI(ctx, env.bin, env.environ, "account", "create", "--email", email, "--password", password, "--verified"); err != nil {
		t.Fatal(err)
	}
	return email, password
}

// authURL is an authorization request (PKCE S256) for the client, with
// extra parameters as name, value pairs; it returns the URL and its state.
func authURL(clientID, redirectURI string, extra ...string) (string, string) {
	state := randomString(8)
	q := url.Values{"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"},
		"scope": {"openid"}, "state": {state}, "code_challenge_method": {"S256"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return env.issuer + "/oauth2/auth?" + q.Encode(), state
}

// TestLogoutConfirmationReachesRP: RP-initiated logout without
// id_token_hint asks to confirm; "Sign out" posts the form, and the
// redirect that answers it must take the browser to the registered
// post_logout_redirect_uri with the state.
func TestLogoutConfirmationReachesRP(t *testing.T) {
	l := newLanding(t)
	id := createClient(t, "--redirect-uri", l.srv.URL+"/cb", "--post-logout-redirect-uri", l.srv.URL+"/bye", "--first-party")
	email, pw := createAccount(t)
	b := newBrowser(t)
	u, state := authURL(id, l.srv.URL+"/cb")
	b.do(t, "start at the authorization endpoint", chromedp.Navigate(u))
	b.enterIdentifier(t, email)
	b.enterPassword(t, pw)
	expectCode(t, "sign-in", b.expectLanded(t, l, "/cb"), state)

	logout := env.issuer + "/oauth2/logout?" + url.Values{"client_id": {id},
		"post_logout_redirect_uri": {l.srv.URL + "/bye"}, "state": {"bye-1"}}.Encode()
	b.do(t, "open the logout endpoint", chromedp.Navigate(logout), chromedp.WaitVisible(buttonWithText("Sign out")))
	b.do(t, "click Sign out", chromedp.Click(buttonWithText("Sign out")))
	if got := b.expectLanded(t, l, "/bye"); got.Get("state") != "bye-1" {
		t.Errorf("post-logout redirect carried %v, want state bye-1", got)
	}
	u, _ = authURL(id, l.srv.URL+"/cb")
	b.do(t, "the session is gone: a new request asks to sign in", chromedp.Navigate(u), chromedp.WaitVisible(chromedp.ID("identifier")))
	b.checkClean(t)
}

// TestConsentReachesRP: a third-party client's consent page; "Allow"
// and "Deny" both post the form and are answered by a redirect to the
// client, with a code or access_denied.
func TestConsentReachesRP(t *testing.T) {
	l := newLanding(t)
	id := createClient(t, "--redirect-uri", l.srv.URL+"/cb")
	email, pw := createAccount(t)
	b := newBrowser(t)
	u, state := authURL(id, l.srv.URL+"/cb")
	b.do(t, "start at the authorization endpoint", chromedp.Navigate(u))
	b.enterIdentifier(t, email)
	b.enterPassword(t, pw)
	b.do(t, "allow on the consent page", chromedp.WaitVisible(buttonWithText("Allow")), chromedp.Click(buttonWithText("Allow")))
	expectCode(t, "allow", b.expectLanded(t, l, "/cb"), state)

	u, state = authURL(id, l.srv.URL+"/cb", "prompt", "consent")
	b.do(t, "ask again with prompt=consent", chromedp.Navigate(u), chromedp.WaitVisible(buttonWithText("Deny")))
	b.do(t, "deny", chromedp.Click(buttonWithText("Deny")))
	if got := b.expectLanded(t, l, "/cb"); got.Get("error") != "access_denied" || got.Get("state") != state {
		t.Errorf("deny: the relying party received %v, want access_denied and state %q", got, state)
	}
	b.checkClean(t)
}

// TestFormPostReachesRP: with response_mode=form_post the sign-in's last
// post is followed by a page that posts the code to the client.
func TestFormPostReachesRP(t *testing.T) {
	l := newLanding(t)
	id := createClient(t, "--redirect-uri", l.srv.URL+"/cb", "--first-party")
	email, pw := createAccount(t)
	b := newBrowser(t)
	u, state := authURL(id, l.srv.URL+"/cb", "response_mode", "form_post")
	b.do(t, "start at the authorization endpoint", chromedp.Navigate(u))
	b.enterIdentifier(t, email)
	b.enterPassword(t, pw)
	expectCode(t, "form_post", b.expectLanded(t, l, "/cb"), state)
	b.checkClean(t)
}

// TestMFAStepsReachRP: acr_values=2 makes every sign-in of a fresh account
// take a second factor. The last post of each way through the MFA step
// (enrolling codes by e-mail and saving the recovery codes, a magic link's
// confirmation button, a recovery code) is followed by redirects through
// /oauth2/auth/resume to the client, which the browser must reach.
func TestMFAStepsReachRP(t *testing.T) {
	l := newLanding(t)
	id := createClient(t, "--redirect-uri", l.srv.URL+"/cb", "--first-party")
	email, pw := createAccount(t)
	b := newBrowser(t)
	signIn := func(what string, extra ...string) string {
		u, state := authURL(id, l.srv.URL+"/cb", append([]string{"acr_values", "2"}, extra...)...)
		b.do(t, what, chromedp.Navigate(u))
		b.enterIdentifier(t, email)
		b.enterPassword(t, pw)
		return state
	}

	state := signIn("sign in and enroll")
	b.do(t, "choose codes by e-mail", chromedp.Click(buttonWithText("Codes by email")), chromedp.WaitVisible(chromedp.ID("code")))
	code := outboxCode(t, "sign_in_code", email)
	b.do(t, "enter the code", chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Click(buttonWithText("Verify")),
		chromedp.WaitVisible(chromedp.CSS(".recovery-codes li")))
	recovery := b.text(t, chromedp.CSS(".recovery-codes li"))
	b.do(t, "save the recovery codes", chromedp.Click(buttonWithText("I have saved them")))
	expectCode(t, "enrollment", b.expectLanded(t, l, "/cb"), state)

	state = signIn("sign in again with a magic link", "prompt", "login")
	b.do(t, "choose the sign-in link", chromedp.Click(buttonStartingWith("Sign-in link by email")))
	link := outboxLink(t, "sign_in_code", email, "/login/link?")
	b.do(t, "open the magic link", chromedp.Navigate(link), chromedp.WaitVisible(buttonWithText("Continue")))
	b.do(t, "confirm the magic link", chromedp.Click(buttonWithText("Continue")))
	expectCode(t, "magic link", b.expectLanded(t, l, "/cb"), state)

	state = signIn("sign in again with a recovery code", "prompt", "login")
	b.do(t, "choose a recovery code", chromedp.Click(buttonStartingWith("Use a recovery code")),
		chromedp.WaitVisible(chromedp.ID("code")), chromedp.SendKeys(chromedp.ID("code"), recovery),
		chromedp.Click(buttonWithText("Verify")))
	expectCode(t, "recovery code", b.expectLanded(t, l, "/cb"), state)
	b.checkClean(t)
}

// outboxCode reads the six-digit code of the newest message of the kind
// to email from the dev outbox.
func outboxCode(t *testing.T, kind, email string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	digits := regexp.MustCompile(`\b[0-9]{6}\b`)
	for {
		for _, article := range strings.Split(readOutbox(ctx, t), "<article>") {
			if strings.Contains(article, "<h2>"+kind+" ") && strings.Contains(article, " to "+email+"</h2>") {
				_, text, _ := strings.Cut(article, "<pre>")
				if code := digits.FindString(text); code != "" {
					return code
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no %s code for %s in the dev outbox", kind, email)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// buttonStartingWith selects a button by the start of its visible text
// (method buttons add a masked address after their name).
func buttonStartingWith(text string) chromedp.Search {
	return chromedp.Search(`//button[starts-with(normalize-space(), "` + text + `")]`)
}

// TestBrandPortalReached: an activation link opened in another browser
// than the one that registered activates the account and, from its
// confirmation post, redirects to the client's brand portal
// (initiate_login_uri); the account portal's launcher tile (a link, no
// form post) goes there through /oauth2/initiate too.
func TestBrandPortalReached(t *testing.T) {
	l := newLanding(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := runCLI(ctx, env.bin, env.environ, "app", "portal", "set", "default", "--launcher=true"); err != nil {
		t.Fatal(err)
	}
	id := createClient(t, "--redirect-uri", l.srv.URL+"/cb", "--initiate-login-uri", l.srv.URL+"/portal", "--first-party")
	email, pw := "brand-"+randomString(6)+"@example.com", "cobalt-lantern-"+randomString(4)

	a := newBrowser(t)
	u, _ := authURL(id, l.srv.URL+"/cb")
	a.do(t, "open the registration page", chromedp.Navigate(u), chromedp.WaitVisible(chromedp.ID("identifier")),
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Create an account"]`)),
		chromedp.WaitVisible(chromedp.ID("password_confirm")))
	a.do(t, "register",
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.SendKeys(chromedp.ID("password_confirm"), pw),
		chromedp.Click(chromedp.ID("accept_terms")),
		chromedp.Click(buttonWithText("Create account")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Check your email"]`)))

	b := newBrowser(t)
	link := outboxLink(t, "activation", email, "/register/activate?token=")
	b.do(t, "open the activation link elsewhere", chromedp.Navigate(link), chromedp.WaitVisible(buttonWithText("Activate my account")))
	b.do(t, "activate", chromedp.Click(buttonWithText("Activate my account")))
	if got := b.expectLanded(t, l, "/portal"); got.Get("iss") != env.issuer || got.Get("login_hint") != email {
		t.Errorf("the brand portal received %v, want iss and the address as login_hint", got)
	}

	b.do(t, "open the account portal", chromedp.Navigate(env.issuer+"/account"))
	b.enterIdentifier(t, email)
	b.enterPassword(t, pw)
	b.do(t, "open the launcher tile", chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Your applications"]`)),
		chromedp.Click(chromedp.Search(`//ul[@class="tiles"]//a[normalize-space()="Foyer"]`)))
	if got := b.expectLanded(t, l, "/portal"); got.Get("iss") != env.issuer || got.Get("login_hint") != email {
		t.Errorf("the launcher reached the brand portal with %v", got)
	}
	a.checkClean(t)
	b.checkClean(t)
}
