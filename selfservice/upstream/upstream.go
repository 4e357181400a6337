package upstream

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"foyer/storage"
)

// The errors Finish and Begin return, wrapped with the details for the
// log; the customer sees a page and the relying party an OAuth error.
var (
	// ErrDenied: the person or the upstream refused, or the answer
	// failed a check (state, iss, nonce, signature). The relying party
	// hears access_denied.
	ErrDenied = errors.New("upstream: sign-in refused")
	// ErrUnavailable: the upstream could not be reached, timed out or
	// answered with a server error. The relying party hears
	// temporarily_unavailable.
	ErrUnavailable = errors.New("upstream: provider unavailable")
)

// Sealed secret fields of a provider (Secrets.OpenUpstreamSecret).
const (
	FieldClientSecret = "client_secret"
	FieldPrivateKey   = "private_key"
)

// Secrets opens a provider's sealed secrets (cmd/foyer seals them bound
// to the provider and the field).
type Secrets interface {
	OpenUpstreamSecret(providerID, field string, sealed []byte) ([]byte, error)
}

// Config is what a Client needs.
type Config struct {
	// HTTPClient calls the upstream; nil: one with a 10 s timeout. Its
	// answers are cut off at maxResponse (New wraps its transport).
	HTTPClient *http.Client
	Secrets    Secrets
	Now        func() time.Time
	// DiscoveryTTL is how long a provider's discovery document and keys
	// are reused; 0: an hour.
	DiscoveryTTL time.Duration
}

// Client talks to upstream providers. It is safe for concurrent use.
type Client struct {
	cfg Config

	mu        sync.Mutex
	providers map[string]*discovery // discoveryKey → document
}

// New returns a Client.
func New(cfg Config) *Client {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	hc := *cfg.HTTPClient
	hc.Transport = limitedTransport{base: hc.Transport}
	cfg.HTTPClient = &hc
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DiscoveryTTL == 0 {
		cfg.DiscoveryTTL = time.Hour
	}
	return &Client{cfg: cfg, providers: map[string]*discovery{}}
}

// maxResponse bounds every answer read from an upstream (discovery
// document, key set, token, user info): go-oidc reads its documents whole,
// and a provider's are a few kilobytes.
const maxResponse = 1 << 20

// errResponseTooLarge ends the read of an answer over maxResponse.
var errResponseTooLarge = fmt.Errorf("upstream: answer larger than %d bytes", maxResponse)

// limitedTransport cuts every response body off at maxResponse with an
// error, so that a decoder sees a failure rather than a truncated document.
type limitedTransport struct{ base http.RoundTripper }

func (t limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	res, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	res.Body = &limitedBody{ReadCloser: res.Body, left: maxResponse}
	return res, nil
}

type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body that ends at the limit from one
		// that goes on.
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, errResponseTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// Request is one round trip: the URL to send the browser to and the
// secrets the callback checks (store the state's digest, not the state).
type Request struct {
	URL      string
	State    string
	Nonce    string
	Verifier string
}

// Callback is what the upstream sent to the redirect URI.
type Callback struct {
	Code             string
	State            string
	Error            string
	ErrorDescription string
	// Iss is RFC 9207's issuer identification, when the upstream sends it.
	Iss string
	// User is Apple's first-sign-in JSON with the person's name (form_post).
	User string
}

// ParseCallback reads a callback's parameters (query or form_post body).
func ParseCallback(v url.Values) Callback {
	return Callback{Code: v.Get("code"), State: v.Get("state"), Error: v.Get("error"),
		ErrorDescription: v.Get("error_description"), Iss: v.Get("iss"), User: v.Get("user")}
}

// Identity is the person the upstream vouches for, its claims mapped by
// the provider's ClaimMapping.
type Identity struct {
	Subject       string
	Email         string
	EmailVerified bool
	Phone         string
	Username      string
	Language      string
	// Attributes are the store attributes the mapping names, as strings.
	Attributes map[string]string
	// AMR and ACR are what the upstream said of how it signed the person in.
	AMR []string
	ACR string
}

// randomToken is 32 random bytes, base64url: a state or a nonce.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// context carries the Client's HTTP client to go-oidc and x/oauth2.
func (c *Client) context(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.cfg.HTTPClient)
}

// EffectiveProvider is p with its preset's defaults filled in where p
// leaves a field empty (endpoints, scopes, claim mapping).
func EffectiveProvider(p *storage.UpstreamProvider) *storage.UpstreamProvider {
	q := *p
	pre, ok := Presets()[p.Preset]
	if !ok {
		pre = genericPreset(p.Kind)
	}
	if q.Kind == "" {
		q.Kind = pre.Kind
	}
	for _, f := range []struct {
		got *string
		def string
	}{
		{&q.Issuer, pre.Issuer}, {&q.AuthURL, pre.AuthURL}, {&q.TokenURL, pre.TokenURL}, {&q.UserInfoURL, pre.UserInfoURL},
	} {
		if *f.got == "" {
			*f.got = f.def
		}
	}
	if len(q.Scopes) == 0 {
		q.Scopes = pre.Scopes
	}
	mapping := map[string]string{}
	for k, v := range pre.ClaimMapping {
		mapping[k] = v
	}
	for k, v := range p.ClaimMapping {
		mapping[k] = v
	}
	q.ClaimMapping = mapping
	return &q
}
