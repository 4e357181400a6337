package authz

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"foyer/storage"
)

// ClientSpec is a client to register, as an admin describes it.
type ClientSpec struct {
	ApplicationID          string
	Name                   string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	InitiateLoginURI       string
	GrantTypes             []string
	Scopes                 []string
	Public                 bool
	FirstParty             bool
	// ResourceServer may introspect tokens issued to other clients. Like
	// FirstParty it is an administrator's decision: dynamic registration
	// never sets it.
	ResourceServer bool

	// BackchannelLogoutURI receives logout tokens (OIDC Back-Channel
	// Logout 1.0); BackchannelLogoutSessionRequired asks for sid in them.
	BackchannelLogoutURI             string
	BackchannelLogoutSessionRequired bool

	// TokenEndpointAuthMethod is client_secret_basic (the default for
	// confidential clients), client_secret_post, private_key_jwt, or none
	// (implied by Public, and implying it).
	TokenEndpointAuthMethod string
	// JWKS (a JSON Web Key Set) or JWKSURI: the public keys that verify
	// the client's private_key_jwt assertions; never both.
	JWKS    []byte
	JWKSURI string
	// TokenEndpointAuthSigningAlg is its assertions' algorithm (RS256 when
	// empty).
	TokenEndpointAuthSigningAlg string
	// IDTokenSignedResponseAlg is RS256 (when empty) or ES256.
	IDTokenSignedResponseAlg string
	// AccessTokenFormat is opaque (when empty) or jwt (RFC 9068).
	AccessTokenFormat string
	// Lifetimes override the server's defaults when non-zero.
	AccessTokenLifetime  time.Duration
	RefreshTokenLifetime time.Duration
	IDTokenLifetime      time.Duration
	// RequirePushedAuthorizationRequests: authorization requests only
	// through PAR (RFC 9126).
	RequirePushedAuthorizationRequests bool
	// Informational metadata (RFC 7591 section 2).
	ClientURI string
	LogoURI   string
	PolicyURI string
	TOSURI    string
	Contacts  []string
}

// ErrInvalidClientMetadata wraps every problem with a ClientSpec.
var ErrInvalidClientMetadata = errors.New("invalid client metadata")

// ErrInvalidRedirectURI also marks the problems with (post-logout)
// redirect URIs, which RFC 7591 reports as invalid_redirect_uri.
var ErrInvalidRedirectURI = errors.New("invalid redirect URI")

// redirectURIError is a metadata problem that is also ErrInvalidRedirectURI,
// without changing its message.
type redirectURIError struct{ error }

func (e redirectURIError) Unwrap() error        { return e.error }
func (e redirectURIError) Is(target error) bool { return target == ErrInvalidRedirectURI }

var supportedGrants = []string{"authorization_code", "refresh_token", "client_credentials"}

// DefaultScopes are what a client may request when none are given.
var DefaultScopes = []string{"openid", "profile", "email", "phone", "offline_access"}

// NewClient validates the spec and returns the client to store and, for a
// confidential client, its secret (shown once; only its digest is stored).
func NewClient(spec ClientSpec) (*storage.Client, string, error) {
	if err := spec.validate(); err != nil {
		return nil, "", err
	}
	id, err := newClientID()
	if err != nil {
		return nil, "", err
	}
	c := &storage.Client{ID: id, ApplicationID: spec.ApplicationID, FirstParty: spec.FirstParty,
		ResourceServer: spec.ResourceServer}
	spec.apply(c)
	if !usesSecret(c.TokenEndpointAuthMethod) {
		return c, "", nil
	}
	secret, digest, err := NewClientSecret()
	if err != nil {
		return nil, "", err
	}
	c.SecretHash = digest
	return c, secret, nil
}

func (s ClientSpec) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidClientMetadata}, args...)...))
	}
	if strings.TrimSpace(s.Name) == "" {
		bad("a name is required")
	} else if strings.IndexFunc(s.Name, unicode.IsControl) >= 0 {
		// A NUL is refused by PostgreSQL (a 500), and no name needs one.
		bad("the name must not contain control characters")
	}
	if len(s.GrantTypes) == 0 {
		bad("at least one grant type is required")
	}
	for _, g := range s.GrantTypes {
		if !slices.Contains(supportedGrants, g) {
			bad("unsupported grant type %q (supported: %s)", g, strings.Join(supportedGrants, ", "))
		}
	}
	code := slices.Contains(s.GrantTypes, "authorization_code")
	if code && len(s.RedirectURIs) == 0 {
		bad("authorization_code needs at least one redirect URI")
	}
	if slices.Contains(s.GrantTypes, "refresh_token") && !code {
		bad("refresh_token needs authorization_code")
	}
	if s.isPublic() && slices.Contains(s.GrantTypes, "client_credentials") {
		bad("a public client cannot use client_credentials")
	}
	for _, u := range s.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			bad("redirect URI %q: %v", u, err)
			errs[len(errs)-1] = redirectURIError{errs[len(errs)-1]}
		}
	}
	for _, u := range s.PostLogoutRedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			bad("post-logout redirect URI %q: %v", u, err)
			errs[len(errs)-1] = redirectURIError{errs[len(errs)-1]}
		}
	}
	if s.InitiateLoginURI != "" {
		if u, err := url.Parse(s.InitiateLoginURI); err != nil || u.Scheme != "https" && !isLoopback(u) {
			bad("initiate_login_uri %q: must be https (or http on loopback)", s.InitiateLoginURI)
		}
	}
	if s.BackchannelLogoutURI != "" {
		if err := checkWebURI(s.BackchannelLogoutURI); err != nil {
			bad("backchannel_logout_uri %q: %v", s.BackchannelLogoutURI, err)
		}
	} else if s.BackchannelLogoutSessionRequired {
		bad("backchannel_logout_session_required needs a backchannel_logout_uri")
	}
	for _, sc := range s.Scopes {
		if sc == "" || strings.ContainsAny(sc, " \"\\") || strings.IndexFunc(sc, unicode.IsControl) >= 0 {
			bad("invalid scope %q", sc)
		}
	}
	errs = append(errs, s.validateMetadata()...)
	return errors.Join(errs...)
}

// checkRedirectURI enforces RFC 9700 and RFC 8252: absolute, https (or http
// on a loopback host for native apps) or a private-use scheme, no fragment,
// no wildcard.
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs():
		return errors.New("must be an absolute URI")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("must not contain a fragment")
	case strings.Contains(raw, "*"):
		return errors.New("must not contain a wildcard")
	case u.Scheme == "https":
		if u.Host == "" {
			return errors.New("needs a host")
		}
		return nil
	case u.Scheme == "http":
		if !isLoopback(u) {
			return errors.New("http is only allowed on loopback (127.0.0.1, [::1], localhost)")
		}
		return nil
	case strings.Contains(u.Scheme, "."):
		// A private-use scheme in reverse-domain form (RFC 8252 section 7.1).
		return nil
	default:
		return fmt.Errorf("scheme %q is not allowed", u.Scheme)
	}
}

func isLoopback(u *url.URL) bool {
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
