package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"foyer/admin"
	"foyer/admin/manage"
	"foyer/authz"
	"foyer/storage"
)

// clientRegistry is manage's ClientRegistry over authz: the validation
// and secret generation of the CLI, the admin API and dynamic
// registration alike.
type clientRegistry struct{}

var _ manage.ClientRegistry = clientRegistry{}

// NewClient starts from in.Base when the CLI sets it (an authz.ClientSpec
// with the metadata the API does not show).
func (clientRegistry) NewClient(in manage.ClientInput) (*storage.Client, string, error) {
	var spec authz.ClientSpec
	if base, ok := in.Base.(authz.ClientSpec); ok {
		spec = base
	}
	spec = applyInput(spec, in)
	if spec.ApplicationID == "" {
		spec.ApplicationID = defaultApplicationID
	}
	c, secret, err := authz.NewClient(spec)
	if err != nil {
		return nil, "", validationError(err)
	}
	return c, secret, nil
}

// Replace applies what the API shows of the client and keeps the rest
// (keys, token options, informational metadata) as they were, so that a
// PUT of what a GET returned changes nothing. It refuses to move a client
// between secret and no secret: the API never shows a secret outside a
// create or a rotation, and taking one away silently would lock the
// client out.
func (clientRegistry) Replace(c *storage.Client, in manage.ClientInput) (*storage.Client, error) {
	spec := applyInput(specOf(c), in)
	if spec.ApplicationID == "" {
		spec.ApplicationID = defaultApplicationID
	}
	updated := *c
	secret, err := authz.UpdateClient(&updated, spec)
	if err != nil {
		return nil, validationError(err)
	}
	if secret != "" || len(c.SecretHash) > 0 && len(updated.SecretHash) == 0 {
		return nil, manage.Problems{"token_endpoint_auth_method": "a client cannot change between having a secret and not " +
			"(public, none, private_key_jwt); register a new client instead"}.Err()
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
	return &updated, nil
}

func (clientRegistry) NewSecret() (string, []byte, error) { return authz.NewClientSecret() }

func (clientRegistry) View(c *storage.Client) manage.Client { return clientView(c) }

// applyInput sets the fields the API exposes on spec, leaving the others.
func applyInput(spec authz.ClientSpec, in manage.ClientInput) authz.ClientSpec {
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

func clientView(c *storage.Client) manage.Client {
	orEmpty := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return slices.Clone(s)
	}
	return manage.Client{
		ClientID: c.ID,
		ClientInput: manage.ClientInput{
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
		PreviousSecretExpiresAt: c.PreviousSecretExpiresAt,
		Version:                 c.Version,
		CreatedAt:               c.CreatedAt,
		UpdatedAt:               c.UpdatedAt,
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

// validationError turns authz's validation errors into manage's, each
// problem under the ClientInput field it is about; other errors pass.
func validationError(err error) error {
	if !errors.Is(err, authz.ErrInvalidClientMetadata) {
		return err
	}
	p := manage.Problems{}
	for line := range strings.SplitSeq(err.Error(), "\n") {
		msg := strings.TrimPrefix(strings.TrimPrefix(line, authz.ErrInvalidClientMetadata.Error()+": "), authz.ErrInvalidRedirectURI.Error()+": ")
		field := clientField(msg)
		if prev, ok := p[field]; ok {
			p[field] = prev + "; " + msg
			continue
		}
		p.Add(field, msg)
	}
	return p.Err()
}

// clientFields maps what authz's messages start with or mention to the
// API's field names, most specific first.
var clientFields = []struct{ mention, field string }{
	{"post-logout redirect URI", "post_logout_redirect_uris"},
	{"redirect URI", "redirect_uris"},
	{"a name is required", "client_name"},
	{"initiate_login_uri", "initiate_login_uri"},
	{"backchannel_logout_session_required", "backchannel_logout_session_required"},
	{"backchannel_logout_uri", "backchannel_logout_uri"},
	{"scope", "scope"},
	{"token_endpoint_auth_method", "token_endpoint_auth_method"},
	{"public client authenticates", "token_endpoint_auth_method"},
	{"grant type", "grant_types"},
	{"refresh_token needs", "grant_types"},
	{"client_credentials", "grant_types"},
}

// clientField is the field an authz validation message is about; a
// field the API does not show (the CLI's) is named by its first word.
func clientField(msg string) string {
	for _, f := range clientFields {
		if strings.Contains(msg, f.mention) {
			return f.field
		}
	}
	if word, _, ok := strings.Cut(msg, " "); ok && strings.Trim(word, "abcdefghijklmnopqrstuvwxyz_:") == "" {
		return strings.TrimSuffix(word, ":")
	}
	return "client"
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
