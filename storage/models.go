package storage

import (
	"strings"
	"time"
)

// IdentifierType names a way an account can be identified at sign-in.
type IdentifierType string

const (
	IdentifierEmail    IdentifierType = "email"
	IdentifierUsername IdentifierType = "username"
	IdentifierPhone    IdentifierType = "phone"
)

// IdentityStore is a population of accounts. Version counts its updates
// (optimistic concurrency: UpdateIdentityStore names the version it read).
type IdentityStore struct {
	ID              string
	Name            string
	IdentifierTypes []IdentifierType
	Attributes      []AttributeDef // the attribute schema (storage/attributes.go)
	// OrganizationAttributes is the schema of the company information an
	// organization holds (asked at B2B self-registration).
	OrganizationAttributes []AttributeDef
	Version                int64
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// AccountStatus is whether an account may sign in.
type AccountStatus string

const (
	AccountEnabled  AccountStatus = "enabled"
	AccountDisabled AccountStatus = "disabled"
	// AccountPending is a self-registered account whose e-mail address is
	// not yet confirmed by its activation link; it cannot sign in.
	AccountPending AccountStatus = "pending"
)

// AccountIDLength is the length of an account id: 128 random bits in hex.
const AccountIDLength = 32

// IsAccountIDForm reports whether s has the form of an account id (32 hex
// digits, in any case, since username lookups ignore case). Such a string
// is refused as a username everywhere one is set: operators name accounts
// by id, and a username that reads like another account's id could make a
// command act on the wrong account.
func IsAccountIDForm(s string) bool {
	if len(s) != AccountIDLength {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// Account is one customer (or admin) in an identity store. Email and
// Username are stored as given; lookups are case-insensitive for both.
type Account struct {
	ID             string
	StoreID        string
	Status         AccountStatus
	Username       string // empty when unset
	Email          string // empty when unset
	EmailConfirmed bool
	// EmailUnproven: the address was confirmed at registration without an
	// activation step, and nobody has proved the mailbox yet. The first
	// proof (a password reset through it) takes the account over from
	// whoever registered it: their factors and phone go with their password.
	EmailUnproven  bool
	Phone          string // E.164, empty when unset
	PhoneConfirmed bool
	Attributes     map[string]string
	Language       string // BCP 47 tag, empty when unset
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastLoginAt    *time.Time
	// Version counts the writes of the account's row (optimistic
	// concurrency of the console's edits); a sign-in's LastLoginAt does
	// not count.
	Version int64
}

// PasswordCredential is an account's password authenticator.
type PasswordCredential struct {
	AccountID string
	Hash      string // argon2id PHC string
	UpdatedAt time.Time
}

// Application groups clients and carries the policies and branding their
// users see.
type Application struct {
	ID           string
	StoreID      string // identity store its self-registered users land in
	Name         string // display name shown on pages
	LogoURL      string
	PrimaryColor string // CSS color, "#rrggbb"
	// Branding is the rest of its look (see OrganizationBranding).
	Branding       Branding
	Organizational bool
	// LoginSteps is the ordered sign-in steps the step engine runs, e.g.
	// ["identifier", "password"]. Empty means the default sequence.
	LoginSteps []string
	CreatedAt  time.Time
	// SelfService is what its customers may do on their own; the zero
	// value reads back as DefaultSelfServicePolicy.
	SelfService SelfServicePolicy
	// MFA is its multi-factor policy; the zero value reads back as
	// DefaultMFAPolicy.
	MFA MFAPolicy
	// Consents is its consent policy; nil means DefaultConsentPolicy (see
	// ConsentPolicyOf), an empty list a policy without documents.
	Consents []ConsentDocument
	// The named policies it is assigned (see Policies); SelfService, MFA,
	// Consents and its portal launcher and groups are copies of their
	// bodies. Empty on creation: the kind's Default, or a policy of its
	// own when the body above is set.
	SelfServicePolicyID string
	MFAPolicyID         string
	ConsentPolicyID     string
	PortalPolicyID      string
	// Version counts updates of the application itself (optimistic
	// concurrency); a change of a policy's body does not move it.
	Version   int64
	UpdatedAt time.Time
}

// Client is an OAuth 2.0 / OpenID Connect client of an application.
type Client struct {
	ID            string
	ApplicationID string
	Name          string
	SecretHash    []byte // SHA-256 of the secret; nil for public clients
	// PreviousSecretHash is the secret a rotation replaced, accepted at
	// the token endpoint until PreviousSecretExpiresAt (the overlap that
	// lets the client's deployments switch); nil when none is.
	PreviousSecretHash      []byte
	PreviousSecretExpiresAt *time.Time
	// Version counts updates from 1: UpdateClient with a Version that is
	// no longer the stored one is ErrStale (zero: no check).
	Version    int64
	Public     bool
	FirstParty bool
	// ResourceServer lets the client introspect tokens issued to other
	// clients of its identity store (an API that accepts them); any other
	// client may introspect only its own. Only an administrator sets it.
	ResourceServer          bool
	RedirectURIs            []string
	PostLogoutRedirectURIs  []string
	InitiateLoginURI        string
	GrantTypes              []string
	ResponseTypes           []string
	Scopes                  []string
	Audience                []string
	TokenEndpointAuthMethod string // client_secret_basic, client_secret_post, none
	CreatedAt               time.Time
	UpdatedAt               time.Time

	// BackchannelLogoutURI receives a logout token when an SSO session the
	// client took part in ends (OIDC Back-Channel Logout 1.0); empty: none.
	BackchannelLogoutURI string
	// BackchannelLogoutSessionRequired is the client's wish that logout
	// tokens carry sid; Foyer always sends sid, so it changes nothing.
	BackchannelLogoutSessionRequired bool

	// JWKS (a JSON Web Key Set, JSON) or JWKSURI hold the keys the client
	// signs private_key_jwt assertions with; at most one is set.
	JWKS    []byte
	JWKSURI string
	// TokenEndpointAuthSigningAlg is the algorithm of its assertions
	// (RS256, ES256, ...); empty means RS256.
	TokenEndpointAuthSigningAlg string
	// IDTokenSignedResponseAlg is RS256 (the default, when empty) or ES256.
	IDTokenSignedResponseAlg string
	// AccessTokenFormat is "opaque" (the default, when empty) or "jwt"
	// (RFC 9068).
	AccessTokenFormat string
	// Lifetimes override the server's defaults when non-zero.
	AccessTokenLifetime  time.Duration
	RefreshTokenLifetime time.Duration
	IDTokenLifetime      time.Duration
	// RequirePushedAuthorizationRequests makes /oauth2/auth accept this
	// client's requests only through PAR (RFC 9126).
	RequirePushedAuthorizationRequests bool
	// Informational metadata (RFC 7591).
	ClientURI string
	LogoURI   string
	PolicyURI string
	TOSURI    string
	Contacts  []string
	// RegistrationTokenHash is the SHA-256 of the registration access
	// token of a dynamically registered client (RFC 7592); nil otherwise.
	RegistrationTokenHash []byte
}

// InitialAccessToken authorizes dynamic client registration (RFC 7591).
// Only its SHA-256 is stored.
type InitialAccessToken struct {
	ID            string
	TokenHash     []byte
	Description   string
	RemainingUses int // how many registrations it still allows
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

// Session is an SSO browser session. ID is the SHA-256 (hex) of the random
// cookie value, so a database read does not yield usable cookies.
type Session struct {
	ID         string
	AccountID  string
	AuthTime   time.Time
	AMR        []string
	ACR        string
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// LogoutNotice is one back-channel logout token still to deliver: the SSO
// session that ended and one client that took part in it. Notices live in
// the database (an outbox) so a restart loses none and any node may send
// them; a node claims a notice by setting LockedUntil.
type LogoutNotice struct {
	ID            string
	SessionID     string
	AccountID     string
	ClientID      string
	Attempts      int // failed deliveries so far
	NextAttemptAt time.Time
	LockedUntil   *time.Time // a node is delivering it until then
	LastError     string
	CreatedAt     time.Time
}

// Notification is one e-mail, SMS or voice message in the outbox. It is
// rendered before it is queued, so a retry sends exactly what the flow
// asked for and needs neither templates nor branding. A node claims a row
// by setting LockedUntil; SentAt is set once a provider accepted it (kept
// only where the message stays visible, e.g. the dev outbox).
type Notification struct {
	ID            string
	Channel       string // "email", "sms" or "voice"
	To            string
	Subject       string
	Text          string
	HTML          string
	AccountID     string
	Kind          string // e.g. "activation", "password_reset"
	Attempts      int    // failed sends so far
	NextAttemptAt time.Time
	LockedUntil   *time.Time
	LastError     string
	SentAt        *time.Time
	CreatedAt     time.Time
}

// Interaction is a paused authorization request waiting for the user (login,
// consent, ...). It lives in the database so any node can resume it.
type Interaction struct {
	ID        string
	ClientID  string
	Request   string // the authorization request's parameters, URL-encoded
	State     []byte // the step engine's state, JSON
	SessionID string // SSO session established for it, when done
	// Browser binds it to the browser that started it (the SHA-256 of that
	// browser's cookie, see selfservice/session.BindBrowser): a sign-in
	// finishes only there.
	Browser   string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// TokenKind separates fosite's records that share one table.
type TokenKind string

const (
	TokenAuthorizeCode TokenKind = "authorize_code"
	TokenAccess        TokenKind = "access_token"
	TokenRefresh       TokenKind = "refresh_token"
	TokenPKCE          TokenKind = "pkce"
	TokenOIDC          TokenKind = "oidc"
	// TokenPAR is a pushed authorization request (RFC 9126), filed under
	// the SHA-256 of its request_uri until it is used or expires.
	TokenPAR TokenKind = "par"
)

// Token is one fosite record: an authorization code, access or refresh
// token (by signature), or the PKCE / OpenID Connect data kept with a code.
type Token struct {
	Kind      TokenKind
	Signature string
	RequestID string // shared by every token of one grant (the family)
	ClientID  string
	Subject   string // account id, empty for client credentials
	SessionID string // SSO session it was issued under, if any
	Active    bool
	Data      []byte // the serialized fosite requester
	CreatedAt time.Time
	ExpiresAt time.Time
}

// KeyStatus is a signing key's life stage.
type KeyStatus string

const (
	KeyActive  KeyStatus = "active"
	KeyRetired KeyStatus = "retired"
)

// SigningKey is a JWS signing key; the private part is encrypted at rest.
type SigningKey struct {
	ID                  string // kid
	Algorithm           string // ES256, RS256
	Status              KeyStatus
	PrivateKeyEncrypted []byte
	PublicJWK           []byte // JSON
	CreatedAt           time.Time
	RetiredAt           *time.Time
}

// Event is an entry in an account's activity log or the admin audit log.
type Event struct {
	ID        string
	AccountID string // empty for events not about one account
	Kind      string // e.g. "login.succeeded", "login.failed", "client.created"
	Actor     string // account id of whoever acted, or "system"
	IP        string
	Data      map[string]string
	CreatedAt time.Time
	// Seq is the append order the store assigns (it breaks ties between
	// events of the same time); zero until appended.
	Seq int64
}

// OAuthGrant is what an account allowed a third-party client: the scopes
// it consented to. It is separate from consent records (terms, privacy
// notices), which are versioned documents, not OAuth scopes.
type OAuthGrant struct {
	AccountID string
	ClientID  string
	Scopes    []string // sorted, no duplicates
	CreatedAt time.Time
	UpdatedAt time.Time
}

// OneTimeSecret is an activation, reset, magic-link or OTP secret. Only the
// SHA-256 of the secret is stored, so a database read yields no usable
// links; UsedAt makes it single-use.
type OneTimeSecret struct {
	ID        string
	Purpose   string // e.g. "activation"
	Hash      []byte // SHA-256 of the secret
	AccountID string
	Data      string // what the flow needs back, e.g. the interaction to resume
	Attempts  int    // wrong guesses so far (for short codes)
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// ConsentRecord is an account's acceptance of one version of a consent
// document (terms of service, privacy policy).
type ConsentRecord struct {
	AccountID string
	Consent   string // e.g. "terms_of_service", "privacy_policy"
	Version   string
	GrantedAt time.Time
	// RevokedAt is when the customer withdrew it.
	RevokedAt *time.Time
	// OutdatedAt is when a newer version of the document was published,
	// which ended this acceptance; accepting the version again clears it.
	OutdatedAt *time.Time
}

// Active reports whether the acceptance still holds: neither withdrawn
// nor replaced by a newer version.
func (c ConsentRecord) Active() bool { return c.RevokedAt == nil && c.OutdatedAt == nil }
