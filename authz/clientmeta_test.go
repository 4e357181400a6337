package authz_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"

	"foyer/authz"
)

func TestClientMetadataValidation(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	publicSet, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &ec.PublicKey, KeyID: "k"}}})
	privateSet, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: ec, KeyID: "k"}}})
	pkj := func(s *authz.ClientSpec) { s.TokenEndpointAuthMethod = authz.AuthMethodPrivateKey }
	for _, tc := range []struct {
		name   string
		mutate func(*authz.ClientSpec)
		ok     bool
		secret bool // a secret is issued
	}{
		{"default is client_secret_basic", func(*authz.ClientSpec) {}, true, true},
		{"client_secret_post", func(s *authz.ClientSpec) { s.TokenEndpointAuthMethod = authz.AuthMethodPost }, true, true},
		{"none is public", func(s *authz.ClientSpec) { s.TokenEndpointAuthMethod = authz.AuthMethodNone }, true, false},
		{"public with a secret method", func(s *authz.ClientSpec) { s.Public, s.TokenEndpointAuthMethod = true, authz.AuthMethodPost }, false, false},
		{"unknown method", func(s *authz.ClientSpec) { s.TokenEndpointAuthMethod = "client_secret_jwt" }, false, false},
		{"private_key_jwt by value", func(s *authz.ClientSpec) {
			pkj(s)
			s.JWKS, s.TokenEndpointAuthSigningAlg = publicSet, "ES256"
		}, true, false},
		{"private_key_jwt by URI", func(s *authz.ClientSpec) { pkj(s); s.JWKSURI = "https://rp.example/jwks" }, true, false},
		{"private_key_jwt, loopback http URI", func(s *authz.ClientSpec) { pkj(s); s.JWKSURI = "http://127.0.0.1:9/jwks" }, true, false},
		{"private_key_jwt without keys", pkj, false, false},
		{"jwks_uri over http", func(s *authz.ClientSpec) { pkj(s); s.JWKSURI = "http://rp.example/jwks" }, false, false},
		{"both jwks and jwks_uri", func(s *authz.ClientSpec) {
			pkj(s)
			s.JWKS, s.JWKSURI, s.TokenEndpointAuthSigningAlg = publicSet, "https://rp.example/jwks", "ES256"
		}, false, false},
		{"a private key in jwks", func(s *authz.ClientSpec) {
			pkj(s)
			s.JWKS, s.TokenEndpointAuthSigningAlg = privateSet, "ES256"
		}, false, false},
		{"jwks without a key for the algorithm", func(s *authz.ClientSpec) { pkj(s); s.JWKS = publicSet }, false, false},
		{"jwks not JSON", func(s *authz.ClientSpec) { pkj(s); s.JWKS = []byte("{") }, false, false},
		{"HMAC assertions", func(s *authz.ClientSpec) { s.TokenEndpointAuthSigningAlg = "HS256" }, false, true},
		{"ES256 ID tokens, JWT access tokens", func(s *authz.ClientSpec) {
			s.IDTokenSignedResponseAlg, s.AccessTokenFormat = "ES256", "jwt"
		}, true, true},
		{"unknown ID token alg", func(s *authz.ClientSpec) { s.IDTokenSignedResponseAlg = "none" }, false, false},
		{"unknown access token format", func(s *authz.ClientSpec) { s.AccessTokenFormat = "paseto" }, false, false},
		{"lifetimes", func(s *authz.ClientSpec) {
			s.AccessTokenLifetime, s.RefreshTokenLifetime, s.IDTokenLifetime = time.Minute, 24*time.Hour, time.Hour
		}, true, true},
		{"negative lifetime", func(s *authz.ClientSpec) { s.AccessTokenLifetime = -time.Second }, false, false},
		{"week-long access tokens", func(s *authz.ClientSpec) { s.AccessTokenLifetime = 7 * 24 * time.Hour }, false, false},
		{"informational URIs", func(s *authz.ClientSpec) {
			s.ClientURI, s.LogoURI, s.PolicyURI, s.TOSURI = "https://rp.example", "https://rp.example/l.png", "https://rp.example/p", "https://rp.example/t"
			s.Contacts = []string{"ops@rp.example"}
		}, true, true},
		{"javascript: logo", func(s *authz.ClientSpec) { s.LogoURI = "javascript:alert(1)" }, false, false},
		{"contact not an address", func(s *authz.ClientSpec) { s.Contacts = []string{"call me"} }, false, false},
		{"public client credentials", func(s *authz.ClientSpec) {
			s.TokenEndpointAuthMethod, s.GrantTypes = authz.AuthMethodNone, []string{"client_credentials"}
		}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := authz.ClientSpec{Name: "RP", GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"https://rp.example/cb"}}
			tc.mutate(&spec)
			c, secret, err := authz.NewClient(spec)
			if !tc.ok {
				if !errors.Is(err, authz.ErrInvalidClientMetadata) {
					t.Fatalf("error %v, want ErrInvalidClientMetadata", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (secret != "") != tc.secret || (len(c.SecretHash) > 0) != tc.secret || c.Public != (c.TokenEndpointAuthMethod == authz.AuthMethodNone) {
				t.Fatalf("secret %q, stored %+v", secret, c)
			}
		})
	}
}

// TestRedirectURIErrorsAreMarked: RFC 7591 reports these as
// invalid_redirect_uri.
func TestRedirectURIErrorsAreMarked(t *testing.T) {
	for _, uri := range []string{"javascript:alert(1)", "data:text/html,x", "https://rp.example/cb#f", "https://*.rp.example/cb", "http://rp.example/cb"} {
		_, _, err := authz.NewClient(authz.ClientSpec{Name: "RP", GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{uri}})
		if !errors.Is(err, authz.ErrInvalidRedirectURI) {
			t.Errorf("%s: %v, want ErrInvalidRedirectURI", uri, err)
		}
	}
	_, _, err := authz.NewClient(authz.ClientSpec{Name: "RP", GrantTypes: []string{"authorization_code"},
		RedirectURIs: []string{"https://rp.example/cb"}, AccessTokenFormat: "x"})
	if errors.Is(err, authz.ErrInvalidRedirectURI) {
		t.Errorf("a metadata error marked as a redirect URI error: %v", err)
	}
}

// TestUpdateClient: the secret is kept across updates, issued when a
// public client becomes confidential and dropped the other way.
func TestUpdateClient(t *testing.T) {
	spec := authz.ClientSpec{Name: "RP", GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"https://rp.example/cb"}}
	c, _, err := authz.NewClient(spec)
	if err != nil {
		t.Fatal(err)
	}
	id, hash := c.ID, c.SecretHash
	spec.Name = "RP 2"
	if secret, err := authz.UpdateClient(c, spec); err != nil || secret != "" || string(c.SecretHash) != string(hash) || c.ID != id || c.Name != "RP 2" {
		t.Fatalf("rename: %q %v %+v", secret, err, c)
	}
	spec.TokenEndpointAuthMethod = authz.AuthMethodNone
	if secret, err := authz.UpdateClient(c, spec); err != nil || secret != "" || c.SecretHash != nil || !c.Public {
		t.Fatalf("to public: %q %v %+v", secret, err, c)
	}
	spec.TokenEndpointAuthMethod = authz.AuthMethodPost
	if secret, err := authz.UpdateClient(c, spec); err != nil || secret == "" || c.SecretHash == nil || c.Public {
		t.Fatalf("to client_secret_post: %q %v %+v", secret, err, c)
	}
	spec.RedirectURIs = []string{"javascript:x"}
	if _, err := authz.UpdateClient(c, spec); !errors.Is(err, authz.ErrInvalidRedirectURI) || c.RedirectURIs[0] != "https://rp.example/cb" {
		t.Fatalf("invalid update: %v, client %+v", err, c)
	}
}
