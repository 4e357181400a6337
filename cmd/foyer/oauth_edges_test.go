package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestConsentForRequestWithoutScopes: a third-party client that asks for
// no scope at all still needs the user's consent the first time. Without
// it, any third-party client (a dynamically registered one too) could
// silently get a token for the signed-in account — its sub readable by
// introspection or in a JWT access token — with no grant the user could
// later see or revoke.
func TestConsentForRequestWithoutScopes(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		f := newConsentFixture(t, newStore(t))
		p := f.signInToConsent(t, f.authURL("state-0001", nil))
		expectCode(t, f.b.submit(p, map[string]string{"decision": "allow"}), "state-0001")
		if _, err := f.srv.store.GetGrant(context.Background(), f.alice.ID, f.clientID); err != nil {
			t.Fatalf("no grant after allow: %v", err)
		}
		// allowed once: remembered
		expectCode(t, f.b.get(f.authURL("state-0002", nil)), "state-0002")
	})
}

// TestRegistrationRefusesControlCharacters: a client_name or scope with a
// control character is invalid_client_metadata, not a server error (a NUL
// is refused by PostgreSQL), and spends no use of the initial access token.
func TestRegistrationRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		tok := srv.initialToken(t, 1, time.Hour)
		for _, body := range []map[string]any{
			{"client_name": "Travel\x00Agent", "redirect_uris": []string{"https://travel.example/cb"}},
			{"client_name": "Travel", "redirect_uris": []string{"https://travel.example/cb"}, "scope": "openid pro\x00file"},
		} {
			r := call(t, http.MethodPost, srv.issuer+authz.RegistrationPath, tok, body)
			if r.status != http.StatusBadRequest || r.str("error") != "invalid_client_metadata" {
				t.Errorf("%q: got %d %v, want 400 invalid_client_metadata", body, r.status, r.body)
			}
		}
		r := call(t, http.MethodPost, srv.issuer+authz.RegistrationPath, tok,
			map[string]any{"client_name": "Travel", "redirect_uris": []string{"https://travel.example/cb"}})
		if r.status != http.StatusCreated {
			t.Fatalf("a valid registration after the refused ones: %d %v", r.status, r.body)
		}
	})
}

// TestClientAuthBudgetIgnoresEncoding: the budget of failed client
// authentications counts the client as fosite authenticates it, so
// percent-encoding the client_id in the Basic credentials differently
// (RFC 6749 section 2.3.1 form-encodes them) does not open a fresh budget.
func TestClientAuthBudgetIgnoresEncoding(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		id, _ := srv.client(t, authz.ClientSpec{Name: "Batch", GrantTypes: []string{"client_credentials"}})
		post := func(basicID string) int {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPost, srv.issuer+authz.TokenPath,
				strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(basicID, "wrong-secret")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			return resp.StatusCode
		}
		for i := range 20 {
			if got := post(id); got != http.StatusUnauthorized {
				t.Fatalf("wrong secret %d: %d", i+1, got)
			}
		}
		for _, variant := range []string{fmt.Sprintf("%%%02x", id[0]) + id[1:], fmt.Sprintf("%%%02x%%%02x", id[0], id[1]) + id[2:]} {
			if got := post(variant); got != http.StatusTooManyRequests {
				t.Errorf("client_id sent as %q after the budget was used: %d, want 429", variant, got)
			}
		}
	})
}

// TestConsentNotYouForPAROnlyClient: the consent page's "Not you?" sends
// the request again with prompt=login as a plain authorization request,
// which a client that must use PAR is refused: the link must not lead the
// user into that error.
func TestConsentNotYouForPAROnlyClient(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		srv.account(t, "alice@example.com", alicePass)
		clientID, secret := parRequiredClient(t, srv, authz.ClientSpec{Name: "Partner Travel",
			RedirectURIs: []string{rpCallback}, GrantTypes: []string{"authorization_code"}})
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "email")
		b := newBrowser(t, srv.Listener.Addr().String())
		p := b.get(pushAuthCodeURL(t, srv, rp, "state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
		p = expectConsentPage(t, b.submit(p, map[string]string{"password": alicePass}))
		// "Not you?" would start the request again without PAR, which the
		// client is refused: the page offers no such link.
		if strings.Contains(p.body, `class="identity-change"`) {
			t.Fatalf(`the consent page of a PAR-only client offers "Not you?":\n%s`, p.body)
		}
	})
}

// TestRegistrationUpdateKeepsOperatorSettings: a registrant's RFC 7592
// update replaces its RFC 7591 metadata, not what only an operator can set
// (token format and lifetimes, which registration metadata has no names
// for): an operator's shorter lifetimes for a registered client must not
// be undone by the registrant.
func TestRegistrationUpdateKeepsOperatorSettings(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		meta := map[string]any{"client_name": "Partner Travel", "redirect_uris": []string{rpCallback},
			"grant_types": []string{"authorization_code", "refresh_token"}, "scope": "openid offline_access"}
		reg := call(t, http.MethodPost, srv.issuer+authz.RegistrationPath, srv.initialToken(t, 1, time.Hour), meta)
		if reg.status != http.StatusCreated {
			t.Fatalf("registration: %d %v", reg.status, reg.body)
		}
		id := reg.str("client_id")
		c, err := srv.store.GetClient(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		// what an operator sets (admin API, console)
		c.AccessTokenFormat = authz.AccessTokenFormatJWT
		c.AccessTokenLifetime, c.RefreshTokenLifetime, c.IDTokenLifetime = 5*time.Minute, time.Hour, 10*time.Minute
		if err := srv.store.UpdateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		meta["client_name"] = "Partner Travel (EU)"
		up := call(t, http.MethodPut, reg.str("registration_client_uri"), reg.str("registration_access_token"), meta)
		if up.status != http.StatusOK || up.str("client_name") != "Partner Travel (EU)" {
			t.Fatalf("update: %d %v", up.status, up.body)
		}
		got, err := srv.store.GetClient(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.AccessTokenFormat != authz.AccessTokenFormatJWT || got.AccessTokenLifetime != 5*time.Minute ||
			got.RefreshTokenLifetime != time.Hour || got.IDTokenLifetime != 10*time.Minute {
			t.Fatalf("after the registrant's update: format %q, lifetimes %s %s %s; want the operator's",
				got.AccessTokenFormat, got.AccessTokenLifetime, got.RefreshTokenLifetime, got.IDTokenLifetime)
		}
	})
}
