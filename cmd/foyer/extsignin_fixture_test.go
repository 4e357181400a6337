package main

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice/upstream"
	"foyer/storage"
)

// extFixture is a Foyer (down) whose default application offers sign-in
// with another, in-process Foyer (up) as its upstream OpenID provider.
// The two listen on different host names (127.0.0.1 and localhost), so a
// cookie jar keeps their cookies apart as a browser would.
type extFixture struct {
	up, down *testServer
	provider *storage.UpstreamProvider
	rp       *relyingParty
	mail     *inbox // what down sends
}

const upstreamName = "Upstream Foyer"

func newExtFixture(t *testing.T, upStore, downStore storage.Store, mod func(*storage.SelfServicePolicy)) *extFixture {
	t.Helper()
	ctx := context.Background()
	up := startServerWith(t, upStore, func(c *Config) { c.Issuer = strings.Replace(c.Issuer, "127.0.0.1", "localhost", 1) })
	mail, withMail := withInbox(t)
	down := startServerWith(t, downStore, withMail)
	fx := &extFixture{up: up, down: down, mail: mail}
	fx.provider = fx.addProvider(t, "0123456789abcdef0123456789abcdef", upstreamName, up.issuer, true)
	pol := storage.DefaultSelfServicePolicy()
	pol.External.Providers = []string{fx.provider.ID}
	if mod != nil {
		mod(&pol)
	}
	if err := downStore.SetSelfServicePolicy(ctx, defaultApplicationID, pol); err != nil {
		t.Fatal(err)
	}
	id, secret := down.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	fx.rp = newRelyingParty(t, down.issuer, id, secret, oidc.ScopeOpenID, "email")
	return fx
}

// addProvider configures an upstream provider at down; with register,
// up gets the client whose redirect URI is down's callback.
func (fx *extFixture) addProvider(t *testing.T, id, name, issuer string, register bool) *storage.UpstreamProvider {
	t.Helper()
	p := &storage.UpstreamProvider{ID: id, StoreID: defaultStoreID, Name: name, Kind: storage.UpstreamOIDC, Issuer: issuer,
		ClientID: "unregistered", Scopes: []string{"openid", "email", "profile"}, Enabled: true}
	if register {
		callback := fx.down.issuer + "/login/external/" + id + "/callback"
		clientID, secret := fx.up.client(t, authz.ClientSpec{Name: "Downstream", RedirectURIs: []string{callback},
			GrantTypes: []string{"authorization_code"}, FirstParty: true})
		sealer, err := newUpstreamSealer([]byte(testSecret))
		if err != nil {
			t.Fatal(err)
		}
		p.ClientID = clientID
		if p.ClientSecretSealed, err = sealer.SealUpstreamSecret(id, upstream.FieldClientSecret, []byte(secret)); err != nil {
			t.Fatal(err)
		}
	}
	if err := fx.down.store.CreateUpstreamProvider(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// upAccount creates an account at the upstream; verified says whether
// its address is confirmed (the upstream's email_verified).
func (fx *extFixture) upAccount(t *testing.T, email string, verified bool) *storage.Account {
	t.Helper()
	a, err := createAccount(context.Background(), fx.up.store, accountSpec{Email: email, Password: alicePass, Verified: verified})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// extBrowser follows redirects between the two servers and stops at any
// other host (the relying party), remembering every URL it went to.
type extBrowser struct {
	*browser
	visited []*url.URL
}

func (fx *extFixture) browser(t *testing.T) *extBrowser {
	jar, _ := cookiejar.New(nil)
	b := &extBrowser{}
	hosts := map[string]bool{fx.up.Listener.Addr().String(): true, fx.down.Listener.Addr().String(): true}
	upURL, _ := url.Parse(fx.up.issuer)
	hosts[upURL.Host] = true
	b.browser = &browser{t: t, Client: &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		b.visited = append(b.visited, req.URL)
		if !hosts[req.URL.Host] {
			return http.ErrUseLastResponse
		}
		return nil
	}}}
	return b
}

// flow is one authorization request of the relying party at down.
type flow struct {
	b        *extBrowser
	verifier string
	state    string
	page     *page
}

// start opens the relying party's authorization request at down: the
// sign-in page.
func (fx *extFixture) start(t *testing.T, b *extBrowser, state string) *flow {
	t.Helper()
	f := &flow{b: b, verifier: oauth2.GenerateVerifier(), state: state}
	f.page = b.get(fx.rp.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(f.verifier)))
	if f.page.status != http.StatusOK {
		t.Fatalf("sign-in page: %d (Location %s, visited %v)\n%s", f.page.status, f.page.resp.Header.Get("Location"), b.visited, f.page.body)
	}
	return f
}

var externalFormPattern = regexp.MustCompile(`(?s)<form method="post" action="([^"]*/login/external/[^"]*)">(.*?)</form>`)

// clickProvider posts the button form of the provider on the page.
func (f *flow) clickProvider(t *testing.T, providerID string) *page {
	t.Helper()
	for _, m := range externalFormPattern.FindAllStringSubmatch(f.page.body, -1) {
		action := html.UnescapeString(m[1])
		if !strings.HasSuffix(action, "/"+providerID) {
			continue
		}
		values := url.Values{}
		for _, in := range regexp.MustCompile(`name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(m[2], -1) {
			values.Set(in[1], html.UnescapeString(in[2]))
		}
		target := f.page.url.ResolveReference(&url.URL{Path: action})
		req, _ := http.NewRequest(http.MethodPost, target.String(), strings.NewReader(values.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", f.page.url.Scheme+"://"+f.page.url.Host)
		resp, err := f.b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		f.page = readPage(t, resp)
		return f.page
	}
	t.Fatalf("no button of provider %s on the page:\n%s", providerID, f.page.body)
	return nil
}

// upstreamSignIn clicks the provider's button and signs in at the
// upstream with email and the test password; the page after is down's
// answer (or the relying party's redirect).
func (f *flow) upstreamSignIn(t *testing.T, providerID, email string) *page {
	t.Helper()
	p := f.clickProvider(t, providerID)
	if !strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("expected the upstream's sign-in page, got %d at %s:\n%s", p.status, p.url, p.body)
	}
	p = f.b.submit(p, map[string]string{"identifier": email})
	f.page = f.b.submit(p, map[string]string{"password": alicePass})
	return f.page
}

// idClaims exchanges the code the flow ended with and returns the ID
// token's subject, acr and amr.
func (fx *extFixture) idClaims(t *testing.T, f *flow) (sub, acr string, amr []string) {
	t.Helper()
	if got := f.page.location(t).Query().Get("state"); got != f.state {
		t.Fatalf("sign-in came back with state %q, want %q", got, f.state)
	}
	sub, acr, amr = fx.rp.idTokenClaims(t, f.page, f.verifier)
	checkRegisteredAMR(t, "ID token", amr)
	return sub, acr, amr
}

// linked is the down account the upstream account's identity is linked
// to ("" for none).
func (fx *extFixture) linked(t *testing.T, upAcct *storage.Account) string {
	t.Helper()
	x, err := fx.down.store.GetExternalIdentity(context.Background(), fx.provider.ID, upAcct.ID)
	if err != nil {
		return ""
	}
	return x.AccountID
}

// events are the kinds of the down account's events.
func (fx *extFixture) events(t *testing.T, accountID string) string {
	t.Helper()
	evs, err := fx.down.store.ListEvents(context.Background(), accountID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		raw, _ := json.Marshal(e.Data)
		kinds = append(kinds, e.Kind+string(raw))
	}
	return strings.Join(kinds, "\n")
}
