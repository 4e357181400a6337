package main

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// vipFixture is an application "VIP Lounge" restricted to the group gold,
// with a first-party client, and alice, who is not (yet) in gold.
type vipFixture struct {
	srv   *testServer
	rp    *relyingParty
	gold  *storage.Group
	alice *storage.Account
}

func newVIPFixture(t *testing.T, store storage.Store) *vipFixture {
	t.Helper()
	ctx := t.Context()
	srv := startServer(t, store)
	if err := srv.store.CreateApplication(ctx, &storage.Application{ID: "vip", StoreID: defaultStoreID, Name: "VIP Lounge"}); err != nil {
		t.Fatal(err)
	}
	gold := &storage.Group{StoreID: defaultStoreID, Name: "gold"}
	if err := srv.store.CreateGroup(ctx, gold); err != nil {
		t.Fatal(err)
	}
	if err := srv.store.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: "vip", Groups: []string{"gold"}}); err != nil {
		t.Fatal(err)
	}
	id, secret := srv.client(t, authz.ClientSpec{ApplicationID: "vip", Name: "VIP", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "refresh_token", "client_credentials"}, FirstParty: true})
	return &vipFixture{srv: srv, gold: gold, alice: srv.account(t, "alice@example.com", alicePass),
		rp: newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess)}
}

func (fx *vipFixture) setMember(t *testing.T, member bool) {
	t.Helper()
	op := fx.srv.store.AddGroupMember
	if !member {
		op = fx.srv.store.RemoveGroupMember
	}
	if err := op(t.Context(), fx.gold.ID, fx.alice.ID); err != nil {
		t.Fatal(err)
	}
}

var deniedLink = regexp.MustCompile(`<a class="button button-secondary" href="([^"]+)">`)

// wantDenied checks the refusal page and returns where its button goes.
func wantDenied(t *testing.T, p *page, texts ...string) *url.URL {
	t.Helper()
	for _, s := range texts {
		if p.status != http.StatusForbidden || !strings.Contains(html.UnescapeString(p.body), s) {
			t.Fatalf("want the refusal page (403) saying %q, got %d:\n%s", s, p.status, p.body)
		}
	}
	m := deniedLink.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("refusal page without a way back to the application:\n%s", p.body)
	}
	u, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// wantAccessDenied checks an error response to the client.
func wantAccessDenied(t *testing.T, u *url.URL, issuer, state string) {
	t.Helper()
	q := u.Query()
	if !strings.HasPrefix(u.String(), rpCallback+"?") || q.Get("error") != "access_denied" || q.Get("state") != state || q.Get("iss") != issuer || q.Get("code") != "" {
		t.Fatalf("want access_denied with state %q and iss at the client, got %s", state, u)
	}
}

// TestGroupRestrictionAuthorize: an account outside the application's
// groups is refused after an interactive sign-in and on the SSO shortcut,
// with a page in its language whose button takes access_denied (with state
// and iss) to the client; prompt=none gets access_denied at once. Joining
// the group lets the SSO session answer with a code.
func TestGroupRestrictionAuthorize(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		fx := newVIPFixture(t, newStore(t))
		b := newBrowser(t, fx.srv.Listener.Addr().String())
		verifier := oauth2.GenerateVerifier()
		authURL := func(state string, extra ...oauth2.AuthCodeOption) string {
			return fx.rp.oauth.AuthCodeURL(state, append(extra, oauth2.S256ChallengeOption(verifier))...)
		}
		p := b.get(authURL("state-0001"))
		p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
		p = b.submit(p, map[string]string{"password": alicePass})
		back := wantDenied(t, p, "No access to this application", "alice@example.com", "may not use VIP Lounge", "Back to VIP Lounge")
		wantAccessDenied(t, back, fx.srv.issuer, "state-0001")

		// The SSO session: refused at once, in German when asked for.
		p = b.get(authURL("state-0002", oauth2.SetAuthURLParam("ui_locales", "de")))
		back = wantDenied(t, p, "Kein Zugriff auf diese Anwendung", "darf VIP Lounge nicht verwenden")
		wantAccessDenied(t, back, fx.srv.issuer, "state-0002")
		p = b.get(authURL("state-0003", oauth2.SetAuthURLParam("prompt", "none")))
		wantAccessDenied(t, p.location(t), fx.srv.issuer, "state-0003")

		fx.setMember(t, true)
		p = b.get(authURL("state-0004"))
		if cb := p.location(t); cb.Query().Get("code") == "" || cb.Query().Get("state") != "state-0004" {
			t.Fatalf("a member's SSO request: %s", cb)
		}
		events, err := fx.srv.store.ListEvents(t.Context(), fx.alice.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		denied := 0
		for _, e := range events {
			if e.Kind == "authorize.denied_group" {
				denied++
			}
		}
		if denied != 3 {
			t.Errorf("%d authorize.denied_group events, want 3", denied)
		}
	})
}

// TestGroupRestrictionFormPost: with response_mode=form_post the refusal
// page's button posts access_denied, state and iss to the client.
func TestGroupRestrictionFormPost(t *testing.T) {
	t.Parallel()
	fx := newVIPFixture(t, sqltest.SQLite(t))
	b := newBrowser(t, fx.srv.Listener.Addr().String())
	authURL := fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("response_mode", "form_post"))
	p := b.get(authURL)
	p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
	p = b.submit(p, map[string]string{"password": alicePass})
	if p.status != http.StatusForbidden {
		t.Fatalf("want the refusal page, got %d:\n%s", p.status, p.body)
	}
	action, values := parseForm(t, p.body)
	if action != rpCallback || values.Get("error") != "access_denied" || values.Get("state") != "state-0001" || values.Get("iss") != fx.srv.issuer {
		t.Fatalf("form_post refusal posts %v to %q", values, action)
	}
	if csp := p.resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action") || !strings.Contains(csp, strings.TrimSuffix(rpCallback, "/callback")) {
		t.Errorf("CSP does not allow the post to the client: %q", csp)
	}
}

// TestGroupRestrictionRefresh: a refresh token issued while the account
// was a member stops working when it leaves the groups (invalid_grant), and
// the refusal spends nothing: back in the group, the same token refreshes.
// Client-credentials tokens have no account and are not affected.
func TestGroupRestrictionRefresh(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		fx := newVIPFixture(t, newStore(t))
		fx.setMember(t, true)
		b := newBrowser(t, fx.srv.Listener.Addr().String())
		verifier := oauth2.GenerateVerifier()
		cb := b.signIn(fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(verifier)), "alice@example.com", alicePass)
		ctx := context.Background()
		tok, err := fx.rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil || tok.RefreshToken == "" {
			t.Fatalf("exchange: %v (refresh token %q)", err, tok.RefreshToken)
		}
		refresh := func() (*oauth2.Token, error) {
			return fx.rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		}

		fx.setMember(t, false)
		_, err = refresh()
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("refresh after leaving the group: %v, want invalid_grant", err)
		}
		cc := clientcredentials.Config{ClientID: fx.rp.oauth.ClientID, ClientSecret: fx.rp.oauth.ClientSecret,
			TokenURL: fx.rp.oauth.Endpoint.TokenURL, AuthStyle: oauth2.AuthStyleInHeader}
		if _, err := cc.Token(ctx); err != nil {
			t.Fatalf("client credentials of a restricted application: %v", err)
		}

		fx.setMember(t, true)
		if next, err := refresh(); err != nil || next.AccessToken == "" {
			t.Fatalf("refresh back in the group: %v", err)
		}
	})
}

// TestGroupRestrictionConsent: a third-party client's consent page does
// not outlast the membership. Removed while the page was open, the account
// is refused at "Allow", and no grant is remembered.
func TestGroupRestrictionConsent(t *testing.T) {
	t.Parallel()
	fx := newVIPFixture(t, sqltest.SQLite(t))
	fx.setMember(t, true)
	id, secret := fx.srv.client(t, authz.ClientSpec{ApplicationID: "vip", Name: "Partner", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}})
	rp := newRelyingParty(t, fx.srv.issuer, id, secret, oidc.ScopeOpenID)
	b := newBrowser(t, fx.srv.Listener.Addr().String())
	p := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
	p = b.submit(p, map[string]string{"password": alicePass})
	if !strings.Contains(p.body, `value="allow"`) {
		t.Fatalf("want the consent page, got %d:\n%s", p.status, p.body)
	}
	fx.setMember(t, false)
	p = b.submit(p, map[string]string{"decision": "allow"})
	wantAccessDenied(t, wantDenied(t, p, "may not use VIP Lounge"), fx.srv.issuer, "state-0001")
	if _, err := fx.srv.store.GetGrant(t.Context(), fx.alice.ID, id); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a refused consent was remembered: %v", err)
	}
}

// TestGroupRestrictionSparesPortal: the account portal's client belongs to
// the default application, but restricting that application does not keep
// a customer from their own account; its other clients refuse them.
func TestGroupRestrictionSparesPortal(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	ctx := t.Context()
	if err := srv.store.CreateGroup(ctx, &storage.Group{StoreID: defaultStoreID, Name: "gold"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.store.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: defaultApplicationID, Groups: []string{"gold"}}); err != nil {
		t.Fatal(err)
	}
	u := newPortalUser(t, srv, "alice@example.com")
	if p := u.get("/account/security"); p.status != http.StatusOK || strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("a non-member could not open the portal: %d at %s", p.status, p.url)
	}
	id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)
	p := u.b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	wantAccessDenied(t, wantDenied(t, p, "may not use Foyer"), srv.issuer, "state-0001")
}
