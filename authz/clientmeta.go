package authz

import (
	"cmp"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v3"

	"foyer/storage"
)

// Token endpoint authentication methods (RFC 7591 section 2).
const (
	AuthMethodBasic      = "client_secret_basic"
	AuthMethodPost       = "client_secret_post"
	AuthMethodPrivateKey = "private_key_jwt"
	AuthMethodNone       = "none"
)

// AuthMethods are the token endpoint authentication methods Foyer accepts.
var AuthMethods = []string{AuthMethodBasic, AuthMethodPost, AuthMethodPrivateKey, AuthMethodNone}

// AssertionSigningAlgs are the algorithms accepted for private_key_jwt
// assertions: fosite verifies RSA and ECDSA signatures only (no HMAC, so
// no client_secret_jwt).
var AssertionSigningAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}

// IDTokenSigningAlgs are the algorithms Foyer holds keys for.
var IDTokenSigningAlgs = []string{"RS256", "ES256"}

// InternalScopePrefix marks Foyer's own scopes (foyer:admin authorizes the
// admin API). Only an admin may grant them to a client.
const InternalScopePrefix = "foyer:"

// Upper bounds on per-client lifetimes: beyond these a leaked token is
// worth too much for too long.
const (
	maxAccessTokenLifetime  = 24 * time.Hour
	maxIDTokenLifetime      = 24 * time.Hour
	maxRefreshTokenLifetime = 365 * 24 * time.Hour
)

// authMethod is the effective method: the one given, or the default for
// the client type.
func (s ClientSpec) authMethod() string {
	switch {
	case s.TokenEndpointAuthMethod != "":
		return s.TokenEndpointAuthMethod
	case s.Public:
		return AuthMethodNone
	default:
		return AuthMethodBasic
	}
}

// isPublic: a client without credentials, whichever way it was said.
func (s ClientSpec) isPublic() bool { return s.Public || s.TokenEndpointAuthMethod == AuthMethodNone }

// usesSecret reports whether a client with this method is issued a secret.
func usesSecret(method string) bool { return method == AuthMethodBasic || method == AuthMethodPost }

// validateMetadata checks the fields beyond redirects, grants and scopes.
func (s ClientSpec) validateMetadata() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidClientMetadata}, args...)...))
	}
	method := s.authMethod()
	switch {
	case !slices.Contains(AuthMethods, method):
		bad("unsupported token_endpoint_auth_method %q (supported: %s)", method, strings.Join(AuthMethods, ", "))
	case s.Public && method != AuthMethodNone:
		bad("a public client authenticates with none, not %s", method)
	case method == AuthMethodPrivateKey && len(s.JWKS) == 0 && s.JWKSURI == "":
		bad("private_key_jwt needs jwks or jwks_uri")
	}
	if len(s.JWKS) > 0 && s.JWKSURI != "" {
		bad("jwks and jwks_uri are mutually exclusive")
	}
	alg := s.TokenEndpointAuthSigningAlg
	if alg != "" && !slices.Contains(AssertionSigningAlgs, alg) {
		bad("unsupported token_endpoint_auth_signing_alg %q (supported: %s)", alg, strings.Join(AssertionSigningAlgs, ", "))
	}
	if len(s.JWKS) > 0 {
		if err := checkJWKS(s.JWKS, cmp.Or(alg, "RS256")); err != nil {
			bad("jwks: %v", err)
		}
	}
	if s.JWKSURI != "" {
		if err := checkWebURI(s.JWKSURI); err != nil {
			bad("jwks_uri %q: %v", s.JWKSURI, err)
		}
	}
	s.validateTokenOptions(bad)
	return errs
}

// validateTokenOptions checks token formats, lifetimes and the
// informational metadata.
func (s ClientSpec) validateTokenOptions(bad func(format string, args ...any)) {
	if a := s.IDTokenSignedResponseAlg; a != "" && !slices.Contains(IDTokenSigningAlgs, a) {
		bad("unsupported id_token_signed_response_alg %q (supported: %s)", a, strings.Join(IDTokenSigningAlgs, ", "))
	}
	if f := s.AccessTokenFormat; f != "" && f != "opaque" && f != "jwt" {
		bad("access_token_format must be opaque or jwt, not %q", f)
	}
	for _, l := range []struct {
		name     string
		val, max time.Duration
	}{
		{"access token lifetime", s.AccessTokenLifetime, maxAccessTokenLifetime},
		{"refresh token lifetime", s.RefreshTokenLifetime, maxRefreshTokenLifetime},
		{"ID token lifetime", s.IDTokenLifetime, maxIDTokenLifetime},
	} {
		if l.val < 0 || l.val > l.max {
			bad("%s must be between 0 (the server's default) and %s", l.name, l.max)
		}
	}
	for _, u := range [][2]string{{"client_uri", s.ClientURI}, {"logo_uri", s.LogoURI}, {"policy_uri", s.PolicyURI}, {"tos_uri", s.TOSURI}} {
		if u[1] == "" {
			continue
		}
		if err := checkWebURI(u[1]); err != nil {
			bad("%s %q: %v", u[0], u[1], err)
		}
	}
	for _, c := range s.Contacts {
		if addr, err := mail.ParseAddress(c); err != nil || addr.Address != c {
			bad("contact %q is not an e-mail address", c)
		}
	}
}

// apply copies the spec's metadata onto c, leaving identity (ID,
// application, first-party and resource-server flags) and credentials
// alone.
func (s ClientSpec) apply(c *storage.Client) {
	c.Name = s.Name
	c.Public = s.isPublic()
	c.RedirectURIs = s.RedirectURIs
	c.PostLogoutRedirectURIs = s.PostLogoutRedirectURIs
	c.InitiateLoginURI = s.InitiateLoginURI
	c.GrantTypes = s.GrantTypes
	c.ResponseTypes = []string{"code"}
	c.Scopes = s.Scopes
	if len(c.Scopes) == 0 {
		c.Scopes = slices.Clone(DefaultScopes)
	}
	c.TokenEndpointAuthMethod = s.authMethod()
	c.BackchannelLogoutURI = s.BackchannelLogoutURI
	c.BackchannelLogoutSessionRequired = s.BackchannelLogoutSessionRequired
	c.JWKS, c.JWKSURI = s.JWKS, s.JWKSURI
	c.TokenEndpointAuthSigningAlg = s.TokenEndpointAuthSigningAlg
	c.IDTokenSignedResponseAlg = s.IDTokenSignedResponseAlg
	c.AccessTokenFormat = s.AccessTokenFormat
	c.AccessTokenLifetime = s.AccessTokenLifetime
	c.RefreshTokenLifetime = s.RefreshTokenLifetime
	c.IDTokenLifetime = s.IDTokenLifetime
	c.RequirePushedAuthorizationRequests = s.RequirePushedAuthorizationRequests
	c.ClientURI, c.LogoURI, c.PolicyURI, c.TOSURI = s.ClientURI, s.LogoURI, s.PolicyURI, s.TOSURI
	c.Contacts = s.Contacts
}

// UpdateClient replaces c's metadata with the spec's, after validating it
// like NewClient; c's id, application, first-party and resource-server
// flags stay. A client
// that moves to a secret-based method without having a secret is issued
// one (returned, shown once); one that moves away from them loses its
// secret. Either way a rotated-out previous secret stops working at once.
// Nothing else is rotated.
func UpdateClient(c *storage.Client, spec ClientSpec) (secret string, err error) {
	if err := spec.validate(); err != nil {
		return "", err
	}
	hadSecret := usesSecret(c.TokenEndpointAuthMethod) && len(c.SecretHash) > 0
	spec.apply(c)
	switch {
	case !usesSecret(c.TokenEndpointAuthMethod):
		c.SecretHash = nil
		clearPreviousSecret(c)
	case !hadSecret:
		secret, c.SecretHash, err = NewClientSecret()
		clearPreviousSecret(c)
	}
	return secret, err
}

// clearPreviousSecret ends a rotation's overlap: when the secret is
// removed or replaced other than by a rotation, the secret it replaced
// must stop working too.
func clearPreviousSecret(c *storage.Client) {
	c.PreviousSecretHash, c.PreviousSecretExpiresAt = nil, nil
}

// checkJWKS: a JSON Web Key Set of valid public signing keys, at least one
// of which fits the assertion algorithm.
func checkJWKS(raw []byte, alg string) error {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		return fmt.Errorf("not a JSON Web Key Set: %w", err)
	}
	if len(set.Keys) == 0 {
		return errors.New("holds no keys")
	}
	fits := false
	for _, k := range set.Keys {
		if !k.Valid() || !k.IsPublic() {
			return fmt.Errorf("key %q must be a valid public key (never send private keys)", k.KeyID)
		}
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		switch k.Key.(type) {
		case *rsa.PublicKey:
			fits = fits || alg[0] == 'R' || alg[0] == 'P'
		case *ecdsa.PublicKey:
			fits = fits || alg[0] == 'E'
		}
	}
	if !fits {
		return fmt.Errorf("no signing key for %s", alg)
	}
	return nil
}

// checkWebURI: an absolute https URI, or http on loopback (for local
// development and native apps), without a fragment. Back-channel logout
// URIs follow it too: the logout token travels in the request body.
func checkWebURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "":
		return errors.New("must be an absolute URI")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("must not contain a fragment")
	case u.Scheme != "https" && !isLoopback(u):
		return errors.New("must be https (or http on loopback)")
	}
	return nil
}
