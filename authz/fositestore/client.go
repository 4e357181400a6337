package fositestore

import (
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"

	"foyer/storage"
)

// Client adapts a storage.Client to fosite's client interfaces.
type Client struct {
	c *storage.Client
	// now decides whether the previous secret of a rotation still works.
	now func() time.Time
}

// NewClient wraps c; the previous secret of a rotation is judged by the
// wall clock.
func NewClient(c *storage.Client) *Client { return &Client{c: c, now: time.Now} }

// newClientAt wraps c with the store's clock.
func newClientAt(c *storage.Client, now func() time.Time) *Client { return &Client{c: c, now: now} }

// GetRotatedHashes is the previous secret of a rotation while its overlap
// lasts, and nothing after: fosite accepts a secret matching the current
// hash or one of these (each compared in constant time by the hasher).
func (c *Client) GetRotatedHashes() [][]byte {
	exp := c.c.PreviousSecretExpiresAt
	if len(c.c.PreviousSecretHash) == 0 || exp == nil || !c.now().Before(*exp) {
		return nil
	}
	return [][]byte{c.c.PreviousSecretHash}
}

// Storage returns the wrapped client.
func (c *Client) Storage() *storage.Client { return c.c }

func (c *Client) GetID() string                       { return c.c.ID }
func (c *Client) GetHashedSecret() []byte             { return c.c.SecretHash }
func (c *Client) GetRedirectURIs() []string           { return c.c.RedirectURIs }
func (c *Client) GetGrantTypes() fosite.Arguments     { return c.c.GrantTypes }
func (c *Client) GetScopes() fosite.Arguments         { return c.c.Scopes }
func (c *Client) IsPublic() bool                      { return c.c.Public }
func (c *Client) GetAudience() fosite.Arguments       { return c.c.Audience }
func (c *Client) GetRequestURIs() []string            { return nil }
func (c *Client) GetJSONWebKeys() *jose.JSONWebKeySet { return signingKeys(c.c.JWKS) }
func (c *Client) GetJSONWebKeysURI() string           { return c.c.JWKSURI }

// GetResponseTypes defaults to "code": Foyer's clients use the code flow.
func (c *Client) GetResponseTypes() fosite.Arguments {
	if len(c.c.ResponseTypes) == 0 {
		return fosite.Arguments{"code"}
	}
	return c.c.ResponseTypes
}

// GetRequestObjectSigningAlgorithm: request objects are not supported yet.
func (c *Client) GetRequestObjectSigningAlgorithm() string { return "" }

// GetTokenEndpointAuthMethod defaults per client type: "none" for public
// clients, "client_secret_basic" for confidential ones.
func (c *Client) GetTokenEndpointAuthMethod() string {
	switch {
	case c.c.TokenEndpointAuthMethod != "":
		return c.c.TokenEndpointAuthMethod
	case c.c.Public:
		return "none"
	default:
		return "client_secret_basic"
	}
}

// GetTokenEndpointAuthSigningAlgorithm is the algorithm fosite demands of
// private_key_jwt assertions; RS256 unless the client registered another.
func (c *Client) GetTokenEndpointAuthSigningAlgorithm() string {
	if c.c.TokenEndpointAuthSigningAlg == "" {
		return "RS256"
	}
	return c.c.TokenEndpointAuthSigningAlg
}

// GetResponseModes: the code flow answers by query or form_post; fragment
// is for implicit flows, which Foyer does not offer.
func (c *Client) GetResponseModes() []fosite.ResponseModeType {
	return []fosite.ResponseModeType{fosite.ResponseModeDefault, fosite.ResponseModeQuery, fosite.ResponseModeFormPost}
}

var (
	_ fosite.Client                   = (*Client)(nil)
	_ fosite.OpenIDConnectClient      = (*Client)(nil)
	_ fosite.ResponseModeClient       = (*Client)(nil)
	_ fosite.ClientWithSecretRotation = (*Client)(nil)
)
