package storage

import (
	"context"
	"time"
)

// Upstream provider kinds.
const (
	// UpstreamOIDC is an OpenID Connect provider: discovery from its
	// issuer, an ID token checked against its JWKS, nonce and PKCE.
	UpstreamOIDC = "oidc"
	// UpstreamOAuth2 is a plain OAuth 2.0 provider whose user comes from a
	// user-info URL (GitHub).
	UpstreamOAuth2 = "oauth2"
)

// Upstream provider presets: a kind with the provider's known endpoints,
// scopes and claim mapping filled in.
const (
	PresetGoogle = "google"
	PresetEntra  = "entra" // Microsoft Entra ID, multi-tenant issuers
	PresetApple  = "apple" // form_post, client secret as a signed JWT
	PresetGitHub = "github"
)

// UpstreamProvider is a social or enterprise identity provider the
// customers of one identity store may sign in with. Its ID is the Provider
// of the ExternalIdentity rows it creates.
type UpstreamProvider struct {
	ID      string
	StoreID string
	Name    string // shown on the button: "Google", "Contoso"
	Kind    string // UpstreamOIDC or UpstreamOAuth2
	Preset  string // "" or a Preset* constant
	// Issuer is the OpenID Connect issuer (UpstreamOIDC); for Entra's
	// multi-tenant endpoints ("common", "organizations") the ID token's iss
	// names the tenant instead.
	Issuer string
	// AuthURL, TokenURL and UserInfoURL are the UpstreamOAuth2 endpoints
	// (UpstreamOIDC discovers them).
	AuthURL     string
	TokenURL    string
	UserInfoURL string
	ClientID    string
	// ClientSecretSealed is the client secret sealed with the system
	// secret (storage/seal); nil when the provider uses none (Apple).
	ClientSecretSealed []byte
	// Apple's client secret is a JWT signed with the team's key:
	// TeamID, KeyID and the PEM private key sealed.
	TeamID           string
	KeyID            string
	PrivateKeySealed []byte
	Scopes           []string
	// ClaimMapping maps a Foyer target to the upstream claim that fills
	// it: "subject", "email", "email_verified", "phone", "username",
	// "language", or the name of one of the store's attributes. Targets
	// left out take the preset's (or OpenID Connect's standard) claims.
	ClaimMapping map[string]string
	// Enabled: a disabled provider shows no button and refuses callbacks;
	// its identities stay linked.
	Enabled bool
	// Version counts updates from 1: UpdateUpstreamProvider with another
	// Version is ErrStale (zero: no check).
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Upstream attempt purposes.
const (
	UpstreamSignIn = "signin" // a sign-in or registration flow (an interaction)
	UpstreamLink   = "link"   // the portal links an identity to the signed-in account
)

// UpstreamAttempt is one round trip to an upstream provider: what the
// callback needs to check the answer (RFC 9700 §4.5, §4.7: state, nonce
// and PKCE of this browser's request). It is used once.
type UpstreamAttempt struct {
	// StateHash is the SHA-256 of the state parameter sent upstream.
	StateHash  []byte
	ProviderID string
	Purpose    string
	// InteractionID is the sign-in flow that started it (UpstreamSignIn),
	// whose browser binding the callback checks.
	InteractionID string
	// AccountID and SessionID are the signed-in account and SSO session
	// that started it (UpstreamLink).
	AccountID    string
	SessionID    string
	Nonce        string
	CodeVerifier string
	// ReturnTo is the local path to go back to (UpstreamLink).
	ReturnTo  string
	ExpiresAt time.Time
	CreatedAt time.Time
}

// Upstreams stores upstream identity providers, the round trips to them
// and the sign-ins of the external identities they vouch for.
type Upstreams interface {
	// CreateUpstreamProvider inserts p, filling in ID (unless set: the
	// admin side seals secrets bound to it first), Version (1), CreatedAt
	// and UpdatedAt. An unknown store is ErrNotFound, a name
	// (case-insensitive) the store already uses ErrConflict.
	CreateUpstreamProvider(ctx context.Context, p *UpstreamProvider) error
	// GetUpstreamProvider reads one; ErrNotFound when there is none.
	GetUpstreamProvider(ctx context.Context, id string) (*UpstreamProvider, error)
	// ListUpstreamProviders returns the store's providers by name.
	ListUpstreamProviders(ctx context.Context, storeID string) ([]UpstreamProvider, error)
	// UpdateUpstreamProvider writes every field of p but ID, StoreID and
	// CreatedAt, and sets p.Version to the new version. A stale Version is
	// ErrStale, a name taken ErrConflict, an unknown ID ErrNotFound.
	UpdateUpstreamProvider(ctx context.Context, p *UpstreamProvider) error
	// DeleteUpstreamProvider removes it. While accounts still have
	// identities of it, it is ErrConflict (disable it instead, or unlink
	// them first): deleting it would strand accounts whose only way in it
	// is. Unknown: ErrNotFound.
	DeleteUpstreamProvider(ctx context.Context, id string) error
	// CountExternalIdentities counts the identities of a provider.
	CountExternalIdentities(ctx context.Context, provider string) (int64, error)

	// CreateUpstreamAttempt inserts a, replacing the attempt the same
	// interaction (or, for a link, the same session) had started, so one
	// flow holds at most one row.
	CreateUpstreamAttempt(ctx context.Context, a *UpstreamAttempt) error
	// TakeUpstreamAttempt deletes and returns the attempt whose state
	// digest is stateHash: a state works once. Unknown, used or expired
	// (ExpiresAt not after now) is ErrNotFound.
	TakeUpstreamAttempt(ctx context.Context, stateHash []byte, now time.Time) (*UpstreamAttempt, error)

	// GetExternalIdentity finds the link of (provider, subject), the
	// only way a returning external sign-in finds its account; ErrNotFound
	// when there is none.
	GetExternalIdentity(ctx context.Context, provider, subject string) (*ExternalIdentity, error)
	// RecordExternalSignIn notes a sign-in with the identity: the
	// upstream's amr and acr, and when. ErrNotFound when not linked.
	RecordExternalSignIn(ctx context.Context, provider, subject string, amr []string, acr string, at time.Time) error
}
