package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestOrgSignInOneOrganization: an account with roles in one organization
// goes straight through; its ID token, JWT access token and UserInfo carry
// org_id, org_name and its roles there as an array, which the roles scope's
// map does not replace. Discovery lists the claims.
func TestOrgSignInOneOrganization(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		f := newOrgFixture(t, newStore(t))
		b := newBrowser(t, f.srv.Listener.Addr().String())
		tok, id := f.orgTokens(t, signInPage(t, b, f.authURL("state-0001"), "bob@example.com").location(t))
		f.wantOrgEverywhere(t, tok, id, f.acme, "viewer")

		var doc struct {
			Claims []string `json:"claims_supported"`
		}
		if err := f.rp.provider.Claims(&doc); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(doc.Claims, "org_id") || !slices.Contains(doc.Claims, "org_name") {
			t.Errorf("claims_supported = %v, want org_id and org_name", doc.Claims)
		}
	})
}

// TestOrgSignInPicker: an account with roles in two organizations chooses
// on the picker (a post without a choice is asked again, in words), gets
// the chosen organization's claims, and the used picker link is spent. The
// SSO session shows the picker again unless the client names the
// organization; prompt=select_account signs in afresh and shows it even
// with organization, the named one checked.
func TestOrgSignInPicker(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		f := newOrgFixture(t, newStore(t))
		b := newBrowser(t, f.srv.Listener.Addr().String())
		picker := wantPicker(t, signInPage(t, b, f.authURL("state-0001"), "alice@example.com"), "Acme", "Globex")
		for _, want := range []string{`<label for="organization-` + f.acme.ID + `">`, "alice@example.com", "B2B Portal", `>Continue</button>`} {
			if !strings.Contains(picker.body, want) {
				t.Errorf("picker lacks %q", want)
			}
		}
		again := b.submit(picker, map[string]string{"organization": ""})
		if again.status != http.StatusUnprocessableEntity || !strings.Contains(again.body, `id="organization-error">Choose one of the organizations in the list.</p>`) {
			t.Fatalf("a post without a choice: %d\n%s", again.status, again.body)
		}
		done := b.submit(again, map[string]string{"organization": f.globex.ID})
		tok, id := f.orgTokens(t, done.location(t))
		f.wantOrgEverywhere(t, tok, id, f.globex, "viewer")
		if p := b.submit(again, map[string]string{"organization": f.acme.ID}); p.status != http.StatusBadRequest || p.resp.Header.Get("Location") != "" {
			t.Fatalf("the used picker link: %d, Location %q", p.status, p.resp.Header.Get("Location"))
		}

		// The SSO session: the picker again, then the other organization.
		p := wantPicker(t, b.get(f.authURL("state-0002")), "Acme", "Globex")
		tok, id = f.orgTokens(t, b.submit(p, map[string]string{"organization": f.acme.ID}).location(t))
		f.wantOrgEverywhere(t, tok, id, f.acme, "admin", "viewer")

		// Naming the organization skips the picker.
		cb := b.get(f.authURL("state-0003", oauth2.SetAuthURLParam("organization", f.globex.ID))).location(t)
		_, id = f.orgTokens(t, cb)
		wantOrg(t, "ID token", id, f.globex, "viewer")

		// prompt=select_account: a fresh sign-in, then the picker with the
		// named organization checked, even though it was named.
		p = signInPage(t, b, f.authURL("state-0004", oauth2.SetAuthURLParam("prompt", "select_account"),
			oauth2.SetAuthURLParam("organization", f.globex.ID)), "alice@example.com")
		wantPicker(t, p, "Acme", "Globex")
		if !strings.Contains(p.body, `value="`+f.globex.ID+`" required checked>`) {
			t.Errorf("the named organization is not checked:\n%s", p.body)
		}
		_, id = f.orgTokens(t, b.submit(p, map[string]string{"organization": f.acme.ID}).location(t))
		wantOrg(t, "ID token", id, f.acme, "admin", "viewer")
	})
}

// TestOrgSignInSelectAccountOneOrganization: prompt=select_account shows
// the picker after the fresh sign-in even when there is one organization.
func TestOrgSignInSelectAccountOneOrganization(t *testing.T) {
	t.Parallel()
	f := newOrgFixture(t, sqltest.SQLite(t))
	b := newBrowser(t, f.srv.Listener.Addr().String())
	f.orgTokens(t, signInPage(t, b, f.authURL("state-0001"), "bob@example.com").location(t))
	p := b.get(f.authURL("state-0002", oauth2.SetAuthURLParam("prompt", "select_account")))
	if !strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("prompt=select_account did not ask to sign in again: %d at %s", p.status, p.url)
	}
	p = b.submit(b.submit(p, map[string]string{"identifier": "bob@example.com"}), map[string]string{"password": alicePass})
	p = wantPicker(t, p, "Acme")
	tok, id := f.orgTokens(t, b.submit(p, map[string]string{"organization": f.acme.ID}).location(t))
	f.wantOrgEverywhere(t, tok, id, f.acme, "viewer")
}

// TestOrgSignInRefused: an organization the account holds no role in, or
// no role anywhere (membership alone does not count), gets the refusal
// page whose button takes access_denied with state and iss to the client;
// prompt=none gets it at once, and account_selection_required where it
// would need the picker.
func TestOrgSignInRefused(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		f := newOrgFixture(t, newStore(t))
		bob := newBrowser(t, f.srv.Listener.Addr().String())
		p := signInPage(t, bob, f.authURL("state-0001", oauth2.SetAuthURLParam("organization", f.globex.ID)), "bob@example.com")
		back := wantDenied(t, p, "bob@example.com", "is not part of any organization that can use B2B Portal", "Back to B2B Portal")
		wantAccessDenied(t, back, f.srv.issuer, "state-0001")
		p = bob.get(f.authURL("state-0002", oauth2.SetAuthURLParam("organization", "no-such-organization"), oauth2.SetAuthURLParam("ui_locales", "de")))
		wantAccessDenied(t, wantDenied(t, p, "gehört zu keiner Organisation, die B2B Portal verwenden kann"), f.srv.issuer, "state-0002")
		p = bob.get(f.authURL("state-0003", oauth2.SetAuthURLParam("organization", f.globex.ID), oauth2.SetAuthURLParam("prompt", "none")))
		wantAccessDenied(t, p.location(t), f.srv.issuer, "state-0003")

		carol := newBrowser(t, f.srv.Listener.Addr().String())
		p = signInPage(t, carol, f.authURL("state-0004"), "carol@example.com")
		wantAccessDenied(t, wantDenied(t, p, "carol@example.com", "not part of any organization"), f.srv.issuer, "state-0004")
		p = carol.get(f.authURL("state-0005", oauth2.SetAuthURLParam("prompt", "none")))
		wantAccessDenied(t, p.location(t), f.srv.issuer, "state-0005")

		alice := newBrowser(t, f.srv.Listener.Addr().String())
		wantPicker(t, signInPage(t, alice, f.authURL("state-0006"), "alice@example.com"), "Acme", "Globex")
		cb := alice.get(f.authURL("state-0007", oauth2.SetAuthURLParam("prompt", "none"))).location(t)
		if cb.Query().Get("error") != "account_selection_required" || cb.Query().Get("state") != "state-0007" || cb.Query().Get("code") != "" {
			t.Fatalf("prompt=none with two organizations: %s", cb)
		}
	})
}

// TestOrgPickerLinkRefused: a picker link with a forged signature, one
// signed for another step, an expired one, and one opened by a browser
// other than the one that signed in are all refused without a code.
func TestOrgPickerLinkRefused(t *testing.T) {
	t.Parallel()
	f := newOrgFixture(t, sqltest.SQLite(t))
	b := newBrowser(t, f.srv.Listener.Addr().String())
	p := wantPicker(t, signInPage(t, b, f.authURL("state-0001"), "alice@example.com"), "Acme", "Globex")
	id := p.url.Query().Get("interaction")
	link := func(id, sig string) string {
		return f.srv.URL + authz.OrganizationPath + "?" + url.Values{"interaction": {id}, "sig": {sig}}.Encode()
	}
	for what, u := range map[string]string{
		"forged signature":  link(id, "forged"),
		"consent signature": link(id, stepSig(t, f.srv, id, "consent")),
	} {
		if got := b.get(u); got.status != http.StatusBadRequest || strings.Contains(got.body, "Choose an organization") {
			t.Errorf("%s: %d\n%s", what, got.status, got.body)
		}
	}
	other := newBrowser(t, f.srv.Listener.Addr().String())
	signInPage(t, other, f.authURL("state-0002"), "alice@example.com")
	if got := other.get(p.url.String()); got.status != http.StatusBadRequest || strings.Contains(got.body, "Choose an organization") {
		t.Errorf("another browser's picker: %d\n%s", got.status, got.body)
	}

	// An expired picker interaction, correctly signed.
	in, err := f.srv.store.GetInteraction(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	in.ID = "expired-organization-step-0001"
	in.CreatedAt, in.ExpiresAt = time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour)
	if err := f.srv.store.CreateInteraction(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	got := b.get(link(in.ID, stepSig(t, f.srv, in.ID, "organization")))
	if got.status != http.StatusBadRequest || strings.Contains(got.body, "Choose an organization") {
		t.Errorf("an expired picker: %d\n%s", got.status, got.body)
	}
	// The genuine link still works for its own browser.
	tok, claims := f.orgTokens(t, b.submit(b.get(p.url.String()), map[string]string{"organization": f.acme.ID}).location(t))
	f.wantOrgEverywhere(t, tok, claims, f.acme, "admin", "viewer")
}

// TestOrgSignInCrossSitePost: a cross-site post to the picker is refused.
func TestOrgSignInCrossSitePost(t *testing.T) {
	t.Parallel()
	f := newOrgFixture(t, sqltest.SQLite(t))
	b := newBrowser(t, f.srv.Listener.Addr().String())
	p := wantPicker(t, signInPage(t, b, f.authURL("state-0001"), "alice@example.com"), "Acme", "Globex")
	_, values := parseForm(t, p.body)
	values.Set("organization", f.acme.ID)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+authz.OrganizationPath, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := readPage(t, resp); got.status != http.StatusForbidden {
		t.Fatalf("a cross-site post: %d, Location %q", got.status, got.resp.Header.Get("Location"))
	}
}

// TestOrgSignInRefresh: a refresh reads the roles in the grant's
// organization again: a role added appears, and with none left the
// refresh fails invalid_grant and UserInfo refuses the access token.
func TestOrgSignInRefresh(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		f := newOrgFixture(t, newStore(t))
		b := newBrowser(t, f.srv.Listener.Addr().String())
		tok, _ := f.orgTokens(t, signInPage(t, b, f.authURL("state-0001"), "bob@example.com").location(t))
		ctx := context.Background()
		refresh := func() (*oauth2.Token, error) {
			return f.rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		}
		f.grant(t, f.bob, f.acme, f.admin)
		f.grant(t, f.bob, f.globex, f.admin) // another organization's role stays out
		next, err := refresh()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		f.wantOrgEverywhere(t, next, idTokenClaims(t, f.rp, next), f.acme, "admin", "viewer")
		tok = next

		f.revoke(t, f.bob, f.acme, f.admin)
		f.revoke(t, f.bob, f.acme, f.viewer)
		_, err = refresh()
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("refresh without a role in the organization: %v, want invalid_grant", err)
		}
		if _, err := f.rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("UserInfo without a role in the organization: %v, want 401", err)
		}
		f.grant(t, f.bob, f.acme, f.viewer) // the refusal spent nothing
		if next, err := refresh(); err != nil {
			t.Fatalf("refresh with the role back: %v", err)
		} else {
			wantOrg(t, "ID token", idTokenClaims(t, f.rp, next), f.acme, "viewer")
		}
	})
}

// TestOrgSignInThenConsent: a third-party client of the organizational
// application asks for consent after the picker, and the code carries the
// chosen organization.
func TestOrgSignInThenConsent(t *testing.T) {
	t.Parallel()
	f := newOrgFixture(t, sqltest.SQLite(t))
	id, secret := f.srv.client(t, authz.ClientSpec{ApplicationID: "b2b", Name: "Partner tool", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, Scopes: []string{"openid"}})
	f.rp = newRelyingParty(t, f.srv.issuer, id, secret, oidc.ScopeOpenID)
	b := newBrowser(t, f.srv.Listener.Addr().String())
	p := wantPicker(t, signInPage(t, b, f.authURL("state-0001"), "alice@example.com"), "Acme", "Globex")
	p = expectConsentPage(t, b.submit(p, map[string]string{"organization": f.globex.ID}))
	_, claims := f.orgTokens(t, b.submit(p, map[string]string{"decision": "allow"}).location(t))
	wantOrg(t, "ID token", claims, f.globex, "viewer")
}

// TestOrgSignInNonOrganizationalUnchanged: a client of a non-organizational
// application never sees the picker and gets no org_id; its roles claim is
// the roles scope's map.
func TestOrgSignInNonOrganizationalUnchanged(t *testing.T) {
	t.Parallel()
	f := newOrgFixture(t, sqltest.SQLite(t))
	rp := newRelyingParty(t, f.srv.issuer, f.nonOrgID, f.nonOrgSe, oidc.ScopeOpenID, "roles")
	v := oauth2.GenerateVerifier()
	b := newBrowser(t, f.srv.Listener.Addr().String())
	cb := signInPage(t, b, rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com").location(t)
	tok, err := rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	for where, claims := range map[string]map[string]any{"ID token": idTokenClaims(t, rp, tok), "UserInfo": userInfoClaims(t, rp, tok)} {
		if _, ok := claims["org_id"]; ok {
			t.Errorf("%s: org_id %v for a non-organizational client", where, claims["org_id"])
		}
		roles, _ := json.Marshal(claims["roles"])
		if _, ok := claims["roles"].(map[string]any); !ok || !strings.Contains(string(roles), `"Globex"`) {
			t.Errorf("%s: roles = %s, want the map per organization", where, roles)
		}
	}
}
