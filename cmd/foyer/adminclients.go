package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"foyer/admin"
	"foyer/authz"
	"foyer/storage"
)

// clientStore is what client management needs from storage.
type clientStore interface {
	storage.Clients
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
}

// registerClient is the one way clients are created by an admin, from the
// CLI and from the admin API: validated and given a secret by authz, the
// application checked, stored.
func registerClient(ctx context.Context, store clientStore, spec authz.ClientSpec) (*storage.Client, string, error) {
	if spec.ApplicationID == "" {
		spec.ApplicationID = defaultApplicationID
	}
	c, secret, err := authz.NewClient(spec)
	if err != nil {
		return nil, "", err
	}
	if err := checkApplication(ctx, store, spec.ApplicationID); err != nil {
		return nil, "", err
	}
	if err := store.CreateClient(ctx, c); err != nil {
		return nil, "", fmt.Errorf("create client: %w", err)
	}
	return c, secret, nil
}

func checkApplication(ctx context.Context, store clientStore, id string) error {
	_, err := store.GetApplication(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: application %q does not exist", authz.ErrInvalidClientMetadata, id)
	}
	if err != nil {
		return fmt.Errorf("check application %q: %w", id, err)
	}
	return nil
}

// adminClients is the admin API's ClientService over the same code as the
// CLI.
type adminClients struct{ store clientStore }

var _ admin.ClientService = adminClients{}

func (a adminClients) CreateClient(ctx context.Context, in admin.ClientInput) (*admin.Client, error) {
	c, secret, err := registerClient(ctx, a.store, applyInput(authz.ClientSpec{}, in))
	if err != nil {
		return nil, adminError(err)
	}
	out := toAdminClient(c)
	out.ClientSecret = secret
	return &out, nil
}

func (a adminClients) ListClients(ctx context.Context) ([]admin.Client, error) {
	clients, err := a.store.ListClients(ctx)
	if err != nil {
		return nil, fmt.Errorf("list clients: %w", err)
	}
	out := make([]admin.Client, len(clients))
	for i := range clients {
		out[i] = toAdminClient(&clients[i])
	}
	return out, nil
}

func (a adminClients) GetClient(ctx context.Context, id string) (*admin.Client, error) {
	c, err := a.store.GetClient(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get client: %w", err)
	}
	out := toAdminClient(c)
	return &out, nil
}

// UpdateClient replaces what the API shows of the client and keeps the
// rest (keys, token options, informational metadata) as they were, so
// that a PUT of what a GET returned changes nothing. It refuses to move a
// client between secret and no secret: the API never shows a secret
// outside a create, and taking one away silently would lock the client out.
func (a adminClients) UpdateClient(ctx context.Context, id string, in admin.ClientInput) (*admin.Client, error) {
	c, err := a.store.GetClient(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("update client: %w", err)
	}
	spec := applyInput(specOf(c), in)
	if spec.ApplicationID == "" {
		spec.ApplicationID = defaultApplicationID
	}
	updated := *c
	secret, err := authz.UpdateClient(&updated, spec)
	if err != nil {
		return nil, adminError(err)
	}
	if secret != "" || len(c.SecretHash) > 0 && len(updated.SecretHash) == 0 {
		return nil, fmt.Errorf("%w: a client cannot change between having a secret and not (public, none, private_key_jwt); register a new client instead",
			admin.ErrInvalidClientMetadata)
	}
	// authz.UpdateClient leaves these to the caller: dynamic registration
	// must not change them, an admin may.
	updated.ApplicationID, updated.FirstParty = spec.ApplicationID, spec.FirstParty
	updated.ResourceServer = spec.ResourceServer
	if updated.FirstParty && !c.FirstParty {
		// Vouching for a self-registered client takes it over: its
		// registrant could otherwise repoint a client that skips consent.
		updated.RegistrationTokenHash = nil
	}
	if err := checkApplication(ctx, a.store, updated.ApplicationID); err != nil {
		return nil, adminError(err)
	}
	if err := a.store.UpdateClient(ctx, &updated); err != nil {
		return nil, fmt.Errorf("update client: %w", err)
	}
	out := toAdminClient(&updated)
	return &out, nil
}

func (a adminClients) DeleteClient(ctx context.Context, id string) error {
	if err := a.store.DeleteClient(ctx, id); err != nil {
		return fmt.Errorf("delete client: %w", err)
	}
	return nil
}

// applyInput sets the fields the API exposes on spec, leaving the others.
func applyInput(spec authz.ClientSpec, in admin.ClientInput) authz.ClientSpec {
	spec.ApplicationID = in.ApplicationID
	spec.Name = in.ClientName
	spec.RedirectURIs = in.RedirectURIs
	spec.PostLogoutRedirectURIs = in.PostLogoutRedirectURIs
	spec.GrantTypes = in.GrantTypes
	if len(spec.GrantTypes) == 0 {
		spec.GrantTypes = []string{"authorization_code", "refresh_token"} // as the CLI
	}
	spec.Scopes = strings.Fields(in.Scope)
	spec.TokenEndpointAuthMethod = in.TokenEndpointAuthMethod
	spec.Public = in.Public
	spec.FirstParty = in.FirstParty
	spec.ResourceServer = in.ResourceServer
	spec.InitiateLoginURI = in.InitiateLoginURI
	spec.BackchannelLogoutURI = in.BackchannelLogoutURI
	spec.BackchannelLogoutSessionRequired = in.BackchannelLogoutSessionRequired
	return spec
}

// specOf is the spec a stored client was registered with, for the fields
// the admin API does not show.
func specOf(c *storage.Client) authz.ClientSpec {
	return authz.ClientSpec{
		JWKS:                               c.JWKS,
		JWKSURI:                            c.JWKSURI,
		TokenEndpointAuthSigningAlg:        c.TokenEndpointAuthSigningAlg,
		IDTokenSignedResponseAlg:           c.IDTokenSignedResponseAlg,
		AccessTokenFormat:                  c.AccessTokenFormat,
		AccessTokenLifetime:                c.AccessTokenLifetime,
		RefreshTokenLifetime:               c.RefreshTokenLifetime,
		IDTokenLifetime:                    c.IDTokenLifetime,
		RequirePushedAuthorizationRequests: c.RequirePushedAuthorizationRequests,
		ClientURI:                          c.ClientURI,
		LogoURI:                            c.LogoURI,
		PolicyURI:                          c.PolicyURI,
		TOSURI:                             c.TOSURI,
		Contacts:                           c.Contacts,
	}
}

func toAdminClient(c *storage.Client) admin.Client {
	orEmpty := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return slices.Clone(s)
	}
	return admin.Client{
		ClientID: c.ID,
		ClientInput: admin.ClientInput{
			ApplicationID:                    c.ApplicationID,
			ClientName:                       c.Name,
			RedirectURIs:                     orEmpty(c.RedirectURIs),
			PostLogoutRedirectURIs:           orEmpty(c.PostLogoutRedirectURIs),
			GrantTypes:                       orEmpty(c.GrantTypes),
			Scope:                            strings.Join(c.Scopes, " "),
			TokenEndpointAuthMethod:          authMethodOf(c),
			FirstParty:                       c.FirstParty,
			ResourceServer:                   c.ResourceServer,
			Public:                           c.Public,
			InitiateLoginURI:                 c.InitiateLoginURI,
			BackchannelLogoutURI:             c.BackchannelLogoutURI,
			BackchannelLogoutSessionRequired: c.BackchannelLogoutSessionRequired,
		},
		CreatedAt: c.CreatedAt,
		UpdatedAt: c.UpdatedAt,
	}
}

// authMethodOf is the method the client authenticates with; clients
// stored before the method was recorded have none, and the type decides.
func authMethodOf(c *storage.Client) string {
	switch {
	case c.TokenEndpointAuthMethod != "":
		return c.TokenEndpointAuthMethod
	case c.Public:
		return authz.AuthMethodNone
	default:
		return authz.AuthMethodBasic
	}
}

// adminError turns authz's validation errors into the admin API's, with a
// description that lists every problem once, without the sentinel's text
// on each.
func adminError(err error) error {
	if !errors.Is(err, authz.ErrInvalidClientMetadata) {
		return err
	}
	sentinel := admin.ErrInvalidClientMetadata
	if errors.Is(err, authz.ErrInvalidRedirectURI) {
		sentinel = admin.ErrInvalidRedirectURI
	}
	var problems []string
	for line := range strings.SplitSeq(err.Error(), "\n") {
		problems = append(problems, strings.TrimPrefix(line, authz.ErrInvalidClientMetadata.Error()+": "))
	}
	return fmt.Errorf("%w: %s", sentinel, strings.Join(problems, "; "))
}

// adminTokens adapts authz's token validation to the admin API.
type adminTokens struct{ oauth *authz.Handler }

func (a adminTokens) ValidateAccessToken(ctx context.Context, token string) (admin.Principal, error) {
	subject, clientID, scopes, err := a.oauth.ValidateAccessToken(ctx, token)
	if errors.Is(err, authz.ErrInvalidToken) {
		return admin.Principal{}, fmt.Errorf("%w: %w", admin.ErrInvalidToken, err)
	}
	if err != nil {
		return admin.Principal{}, err
	}
	return admin.Principal{Subject: subject, ClientID: clientID, Scopes: scopes}, nil
}
