package console

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"

	"foyer/admin/manage"
	"foyer/storage"
)

// testRegistry stands in for authz's client validation (wired in
// cmd/foyer; the console may not import authz): names and absolute
// redirect URIs are required, secrets are random with their SHA-256
// stored, and a client keeps having a secret or not.
type testRegistry struct{}

func (testRegistry) check(in manage.ClientInput) error {
	p := manage.Problems{}
	if strings.TrimSpace(in.ClientName) == "" {
		p.Add("client_name", "a name is required")
	}
	for i, u := range in.RedirectURIs {
		if pu, err := url.Parse(u); err != nil || pu.Scheme == "" || pu.Host == "" {
			p.Add("redirect_uris["+strconv.Itoa(i)+"]", "an absolute URI")
		}
	}
	if len(in.RedirectURIs) == 0 && len(in.GrantTypes) > 0 && in.GrantTypes[0] == "authorization_code" {
		p.Add("redirect_uris", "at least one for the authorization code grant")
	}
	return p.Err()
}

func (r testRegistry) NewClient(in manage.ClientInput) (*storage.Client, string, error) {
	if err := r.check(in); err != nil {
		return nil, "", err
	}
	id, _, _ := r.NewSecret()
	c := r.apply(&storage.Client{ID: "c-" + id[:12]}, in)
	if in.Public {
		return c, "", nil
	}
	secret, digest, err := r.NewSecret()
	c.SecretHash = digest
	return c, secret, err
}

func (r testRegistry) apply(c *storage.Client, in manage.ClientInput) *storage.Client {
	out := *c
	out.ApplicationID, out.Name, out.RedirectURIs, out.PostLogoutRedirectURIs = in.ApplicationID, in.ClientName, in.RedirectURIs, in.PostLogoutRedirectURIs
	out.GrantTypes, out.Scopes, out.Public, out.FirstParty = in.GrantTypes, strings.Fields(in.Scope), in.Public, in.FirstParty
	return &out
}

func (r testRegistry) Replace(c *storage.Client, in manage.ClientInput) (*storage.Client, error) {
	if err := r.check(in); err != nil {
		return nil, err
	}
	if in.Public != c.Public {
		return nil, manage.Problems{"token_endpoint_auth_method": "a client cannot change between having a secret and not"}.Err()
	}
	return r.apply(c, in), nil
}

func (testRegistry) NewSecret() (string, []byte, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	s := hex.EncodeToString(b)
	d := sha256.Sum256([]byte(s))
	return s, d[:], nil
}

func (testRegistry) View(c *storage.Client) manage.Client {
	m := "client_secret_basic"
	if c.Public {
		m = "none"
	}
	return manage.Client{ClientID: c.ID, Version: c.Version, PreviousSecretExpiresAt: c.PreviousSecretExpiresAt,
		ClientInput: manage.ClientInput{ApplicationID: c.ApplicationID, ClientName: c.Name, RedirectURIs: c.RedirectURIs,
			PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, GrantTypes: c.GrantTypes, Scope: strings.Join(c.Scopes, " "),
			TokenEndpointAuthMethod: m, Public: c.Public, FirstParty: c.FirstParty}}
}
