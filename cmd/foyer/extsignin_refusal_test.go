package main

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"foyer/storage/sqlstore/sqltest"
)

// callbackURL is the first URL the browser went to at down's callback.
func (b *extBrowser) callbackURL(t *testing.T) *url.URL {
	t.Helper()
	for _, u := range b.visited {
		if strings.Contains(u.Path, "/login/external/") && strings.HasSuffix(u.Path, "/callback") {
			return u
		}
	}
	t.Fatalf("the browser never reached the callback: %v", b.visited)
	return nil
}

var returnLinkPattern = regexp.MustCompile(`href="([^"]*/oauth2/auth/refuse[^"]*)"`)

// returnToApp follows the page's "Return to {app}" link and returns where
// the relying party was sent.
func (f *flow) returnToApp(t *testing.T, p *page) *url.URL {
	t.Helper()
	m := returnLinkPattern.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no way back to the application on the page:\n%s", p.body)
	}
	target := p.url.ResolveReference(&url.URL{})
	u, _ := url.Parse(html.UnescapeString(m[1]))
	return f.b.get(target.ResolveReference(u).String()).location(t)
}

// TestExtSignInRefusals: a used state, a callback in another browser, an
// upstream's refusal and an upstream that cannot be reached are each
// answered with a page; the relying party hears access_denied or
// temporarily_unavailable.
func TestExtSignInRefusals(t *testing.T) {
	t.Parallel()
	fx := newExtFixture(t, sqltest.SQLite(t), sqltest.SQLite(t), nil)
	fx.upAccount(t, "erin@example.com", true)
	fx.down.account(t, "erin@example.com", alicePass)

	// Replayed state: the callback works once.
	f := fx.start(t, fx.browser(t), "state-replay")
	f.upstreamSignIn(t, fx.provider.ID, "erin@example.com")
	replay := f.b.get(f.b.callbackURL(t).String())
	if replay.status != http.StatusBadRequest || !strings.Contains(replay.body, "already been used or has expired") {
		t.Fatalf("replayed callback: %d\n%s", replay.status, replay.body)
	}

	// Another browser brings the answer back: refused, nothing signed in.
	a := fx.start(t, fx.browser(t), "state-other")
	a.b.CheckRedirect = stopAtUpstream(fx)
	toUpstream := a.clickProvider(t, fx.provider.ID).location(t) // a's request to the upstream
	other := fx.browser(t)
	q := other.get(toUpstream.String())
	q = other.submit(q, map[string]string{"identifier": "erin@example.com"})
	q = other.submit(q, map[string]string{"password": alicePass})
	if q.status != http.StatusBadRequest || !strings.Contains(q.body, "another browser") {
		t.Fatalf("callback in another browser: %d at %s\n%s", q.status, q.url, q.body)
	}

	// The upstream refuses: the page offers another way and the return
	// to the application, which hears access_denied.
	d := fx.start(t, fx.browser(t), "state-denied")
	follow := d.b.CheckRedirect
	d.b.CheckRedirect = stopAtUpstream(fx)
	loc := d.clickProvider(t, fx.provider.ID).location(t)
	cb := fx.down.issuer + "/login/external/" + fx.provider.ID + "/callback?" +
		url.Values{"state": {loc.Query().Get("state")}, "error": {"access_denied"}}.Encode()
	d.b.CheckRedirect = follow
	denied := d.b.get(cb)
	if denied.status != http.StatusBadRequest || !strings.Contains(denied.body, "Signing in with "+upstreamName+" did not work") ||
		!strings.Contains(denied.body, "Try another way") {
		t.Fatalf("refused: %d\n%s", denied.status, denied.body)
	}
	// The link is signed for its error: another error is refused.
	swapped := strings.Replace(returnLinkPattern.FindStringSubmatch(denied.body)[1], "error=access_denied", "error=temporarily_unavailable", 1)
	if p := d.b.get(denied.url.ResolveReference(mustURL(t, html.UnescapeString(swapped))).String()); p.status != http.StatusBadRequest {
		t.Fatalf("a refusal link with its error changed: %d", p.status)
	}
	if rp := d.returnToApp(t, denied); rp.Query().Get("error") != "access_denied" || rp.Query().Get("state") != "state-denied" ||
		rp.Query().Get("iss") != fx.down.issuer {
		t.Fatalf("relying party got %s", rp)
	}

	// An upstream that cannot be reached (discovery fails).
	broken := fx.addProvider(t, "fedcba9876543210fedcba9876543210", "Broken", "http://127.0.0.1:1", false)
	pol, err := fx.down.store.GetApplication(t.Context(), defaultApplicationID)
	if err != nil {
		t.Fatal(err)
	}
	sp := pol.SelfService
	sp.External.Providers = append(sp.External.Providers, broken.ID)
	if err := fx.down.store.SetSelfServicePolicy(t.Context(), defaultApplicationID, sp); err != nil {
		t.Fatal(err)
	}
	u := fx.start(t, fx.browser(t), "state-down")
	down := u.clickProvider(t, broken.ID)
	if down.status != http.StatusBadGateway || !strings.Contains(down.body, "Broken cannot be reached right now") {
		t.Fatalf("unreachable upstream: %d\n%s", down.status, down.body)
	}
	if rp := u.returnToApp(t, down); rp.Query().Get("error") != "temporarily_unavailable" || rp.Query().Get("state") != "state-down" {
		t.Fatalf("relying party got %s", rp)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// stopAtUpstream makes the browser stop at the redirect to the upstream.
func stopAtUpstream(fx *extFixture) func(*http.Request, []*http.Request) error {
	up, _ := url.Parse(fx.up.issuer)
	return func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host == up.Host {
			return http.ErrUseLastResponse
		}
		return nil
	}
}
