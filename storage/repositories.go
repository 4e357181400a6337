package storage

import (
	"context"
	"time"
)

// Transactor runs several repository calls atomically. BeginTx returns a
// context that carries the transaction: every repository call made with it
// joins the transaction until Commit or Rollback with the same context.
type Transactor interface {
	BeginTx(ctx context.Context) (context.Context, error)
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// IdentityStores reads and writes identity stores.
type IdentityStores interface {
	CreateIdentityStore(ctx context.Context, s *IdentityStore) error
	GetIdentityStore(ctx context.Context, id string) (*IdentityStore, error)
	ListIdentityStores(ctx context.Context) ([]IdentityStore, error)
}

// Accounts reads and writes accounts.
type Accounts interface {
	// CreateAccount fails with ErrConflict when an identifier is taken in
	// the same store (email and username compared case-insensitively).
	CreateAccount(ctx context.Context, a *Account) error
	GetAccount(ctx context.Context, id string) (*Account, error)
	// FindAccountByIdentifier looks up by email, username or phone within a
	// store (email and username case-insensitively).
	FindAccountByIdentifier(ctx context.Context, storeID string, kind IdentifierType, value string) (*Account, error)
	SetAccountStatus(ctx context.Context, id string, status AccountStatus) error
	// ActivateAccount turns a pending account enabled and marks its e-mail
	// confirmed; ErrNotFound when there is no pending account with the id.
	ActivateAccount(ctx context.Context, id string) error
	TouchLastLogin(ctx context.Context, id string, at time.Time) error
	CountAccounts(ctx context.Context, storeID string) (int64, error)
}

// Passwords reads and writes password authenticators.
type Passwords interface {
	SetPassword(ctx context.Context, accountID, hash string) error
	GetPassword(ctx context.Context, accountID string) (*PasswordCredential, error)
	// FindAccountPassword is FindAccountByIdentifier and the account's
	// password (nil when it has none) in one statement, whether or not
	// the identifier names an account (ErrNotFound).
	FindAccountPassword(ctx context.Context, storeID string, kind IdentifierType, value string) (*Account, *PasswordCredential, error)
	// DeletePassword removes the account's password, if it has one: it
	// can then sign in with a password only after a reset.
	DeletePassword(ctx context.Context, accountID string) error
}

// Applications reads and writes applications.
type Applications interface {
	CreateApplication(ctx context.Context, a *Application) error
	GetApplication(ctx context.Context, id string) (*Application, error)
	// GetApplicationPortal reads an application and its portal settings
	// (nil when none are stored) in one statement: group access is decided
	// from both on every authorization and refresh.
	GetApplicationPortal(ctx context.Context, id string) (*Application, *PortalSettings, error)
	ListApplications(ctx context.Context) ([]Application, error)
	// ListApplicationsPage returns up to limit applications with an id
	// above after, ordered by id, only those of the given identity stores
	// when storeIDs is not nil.
	ListApplicationsPage(ctx context.Context, storeIDs []string, after string, limit int) ([]Application, error)
	// UpdateApplication writes a's name, logo URL, primary color,
	// organizational flag and login steps if its stored version is
	// version, and increments a.Version. ErrStale, ErrNotFound.
	UpdateApplication(ctx context.Context, a *Application, version int64) error
	// DeleteApplication removes the application at version (its portal
	// settings go with it); ErrConflict while it has clients, ErrStale,
	// ErrNotFound.
	DeleteApplication(ctx context.Context, id string, version int64) error
	// SetSelfServicePolicy replaces the application's self-service policy
	// (callers validate it first), copy on write as
	// Policies.SetApplicationPolicy; ErrNotFound when there is no such
	// application. So do SetMFAPolicy and SetConsentPolicy.
	SetSelfServicePolicy(ctx context.Context, applicationID string, p SelfServicePolicy) error
	// SetMFAPolicy replaces the application's MFA policy (callers
	// validate it first); ErrNotFound when there is no such application.
	SetMFAPolicy(ctx context.Context, applicationID string, p MFAPolicy) error
	// SetConsentPolicy replaces the application's consent policy (callers
	// validate it first; nil restores the default); ErrNotFound when there
	// is no such application.
	SetConsentPolicy(ctx context.Context, applicationID string, docs []ConsentDocument) error
}

// Clients reads and writes OAuth clients.
type Clients interface {
	CreateClient(ctx context.Context, c *Client) error
	GetClient(ctx context.Context, id string) (*Client, error)
	// GetClientApplication reads a client and its application in one
	// statement (ErrNotFound when either is missing).
	GetClientApplication(ctx context.Context, clientID string) (*Client, *Application, error)
	ListClients(ctx context.Context) ([]Client, error)
	// ListClientsPage returns up to limit clients with ids above after,
	// by id (the admin API's cursor paging).
	ListClientsPage(ctx context.Context, after string, limit int) ([]Client, error)
	// UpdateClient replaces every field but ID and CreatedAt and
	// increments Version; ErrNotFound when there is no such client,
	// ErrStale when c.Version is set and no longer the stored one.
	UpdateClient(ctx context.Context, c *Client) error
	// DeleteClient removes the client and every token issued to it.
	DeleteClient(ctx context.Context, id string) error
}

// InitialAccessTokens reads and writes dynamic registration's initial
// access tokens.
type InitialAccessTokens interface {
	CreateInitialAccessToken(ctx context.Context, t *InitialAccessToken) error
	// UseInitialAccessToken spends one use of the token with this digest,
	// atomically; ErrNotFound when it is unknown, expired or used up.
	UseInitialAccessToken(ctx context.Context, tokenHash []byte, now time.Time) error
}

// ClientAssertions remembers the jti of client assertion JWTs so they
// cannot be replayed before they expire.
type ClientAssertions interface {
	// UseClientAssertionJTI records jti until exp; ErrConflict if it was
	// already recorded and has not expired.
	UseClientAssertionJTI(ctx context.Context, jti string, exp time.Time) error
	ClientAssertionJTIKnown(ctx context.Context, jti string) (bool, error)
}

// Sessions reads and writes SSO sessions.
type Sessions interface {
	CreateSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, id string) (*Session, error)
	// GetSessionAccount reads a session and its account in one statement;
	// ErrNotFound when either is missing.
	GetSessionAccount(ctx context.Context, id string) (*Session, *Account, error)
	// TouchSession records activity; it is cheap enough for every request.
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error
	ListSessionsByAccount(ctx context.Context, accountID string) ([]Session, error)
	// DeleteSessionsByAccount ends every session of the account except
	// keepID (which may be empty) and returns how many ended.
	DeleteSessionsByAccount(ctx context.Context, accountID, keepID string) (int64, error)
}

// LogoutNotices records which clients took part in an SSO session and is
// the outbox of back-channel logout tokens still to deliver.
type LogoutNotices interface {
	// RecordSessionClient notes that the client took part in the session
	// (it was issued an authorization code under it). It is idempotent; for
	// a session that no longer exists it does nothing.
	RecordSessionClient(ctx context.Context, sessionID, clientID string) error
	// ClientsForSession returns the distinct ids of the clients that took
	// part in the session: those recorded and those holding tokens issued
	// under it. Deleting the session forgets the recorded ones.
	ClientsForSession(ctx context.Context, sessionID string) ([]string, error)
	// EnqueueLogoutNotice inserts n, filling in ID, CreatedAt and (to now)
	// NextAttemptAt when empty.
	EnqueueLogoutNotice(ctx context.Context, n *LogoutNotice) error
	// ClaimLogoutNotices locks up to limit notices due at now and not
	// locked by anyone, until now+lease, and returns them. It is atomic
	// across nodes: a notice is claimed by one caller only.
	ClaimLogoutNotices(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]LogoutNotice, error)
	// DeleteLogoutNotice removes a delivered (or abandoned) notice;
	// ErrNotFound when there was none.
	DeleteLogoutNotice(ctx context.Context, id string) error
	// FailLogoutNotice counts a failed attempt, keeps the error, releases
	// the lock and schedules the next attempt; ErrNotFound when there was
	// no such notice.
	FailLogoutNotice(ctx context.Context, id string, next time.Time, lastError string) error
}

// Notifications is the outbox of e-mail, SMS and voice messages.
type Notifications interface {
	// EnqueueNotification inserts n, filling in ID, CreatedAt and (to
	// CreatedAt) NextAttemptAt when empty.
	EnqueueNotification(ctx context.Context, n *Notification) error
	// ClaimNotifications locks up to limit unsent messages due at now and
	// not locked by anyone, until now+lease, and returns them, oldest due
	// first. It is atomic across nodes: a message is claimed by one caller.
	ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Notification, error)
	// MarkNotificationSent records the send at at and releases the lock;
	// ErrNotFound when there is no such message.
	MarkNotificationSent(ctx context.Context, id string, at time.Time) error
	// DeleteNotification removes a message (sent, or given up);
	// ErrNotFound when there was none.
	DeleteNotification(ctx context.Context, id string) error
	// FailNotification counts a failed attempt, keeps the error, releases
	// the lock and schedules the next attempt; ErrNotFound when there is no
	// such message.
	FailNotification(ctx context.Context, id string, next time.Time, lastError string) error
	// ListNotifications returns up to limit messages, newest first.
	ListNotifications(ctx context.Context, limit int) ([]Notification, error)
	// PurgeSentNotifications deletes messages sent before before and
	// returns how many.
	PurgeSentNotifications(ctx context.Context, before time.Time) (int64, error)
}

// Interactions reads and writes paused authorization requests.
type Interactions interface {
	CreateInteraction(ctx context.Context, i *Interaction) error
	GetInteraction(ctx context.Context, id string) (*Interaction, error)
	// UpdateInteraction stores State and SessionID. Once an interaction
	// has a session (its sign-in finished), an update that carries another
	// session, or none, is ErrConflict and changes nothing: a stale request
	// (the second click of a double submit) cannot undo the sign-in.
	UpdateInteraction(ctx context.Context, i *Interaction) error
	DeleteInteraction(ctx context.Context, id string) error
}

// Tokens reads and writes fosite's records.
type Tokens interface {
	CreateToken(ctx context.Context, t *Token) error
	// CreateTokens inserts several tokens, as one write where the store
	// can group them; it returns the first error, and a failure may leave
	// some of them stored.
	CreateTokens(ctx context.Context, ts []*Token) error
	// CreateTokensInSession stores ts and records clientID in the SSO
	// session as RecordSessionClient does, in one statement where the
	// store can (an authorization response's code and its records): both
	// are written or neither.
	CreateTokensInSession(ctx context.Context, ts []*Token, sessionID, clientID string) error
	// GetToken returns the token; if it is inactive it returns the token
	// and ErrInactive.
	GetToken(ctx context.Context, kind TokenKind, signature string) (*Token, error)
	// GetTokensBySignature returns, in one query, the tokens of the given
	// kinds that share a signature (an authorization code and the PKCE and
	// OpenID Connect records kept with it), active or not, in no order.
	// Missing kinds are simply absent.
	GetTokensBySignature(ctx context.Context, signature string, kinds []TokenKind) ([]Token, error)
	DeleteToken(ctx context.Context, kind TokenKind, signature string) error
	// DeleteTokensBySignature deletes the given kinds' tokens with the
	// signature, whichever exist, and returns how many went.
	DeleteTokensBySignature(ctx context.Context, signature string, kinds []TokenKind) (int64, error)
	// DeactivateToken marks an active token inactive. It is atomic: of two
	// concurrent calls for one token exactly one succeeds, the other gets
	// ErrNotFound (also returned when there is no active token).
	DeactivateToken(ctx context.Context, kind TokenKind, signature string) error
	// UseCode is a code exchange's write, all or nothing: it deactivates
	// the active authorization code with the signature, deletes that
	// signature's records of the companion kinds and stores the issued
	// tokens. Of concurrent calls for one code exactly one succeeds; the
	// others (and a call for a used or missing code) get ErrNotFound and
	// change nothing. A taken issued signature is ErrConflict, and then
	// the code stays unused.
	UseCode(ctx context.Context, signature string, companions []TokenKind, issued []*Token) error
	// RevokeTokensByRequestID deletes every token of the kind issued for
	// the request (the whole family) and returns how many went. The kind
	// is TokenAccess or TokenRefresh (others are an error): the other
	// records of a grant are deleted by signature.
	RevokeTokensByRequestID(ctx context.Context, kind TokenKind, requestID string) (int64, error)
	// DeleteExpiredTokens removes up to limit tokens that expired before
	// the instant and returns how many; callers repeat until fewer than
	// limit went.
	DeleteExpiredTokens(ctx context.Context, before time.Time, limit int) (int64, error)
	// RevokeTokensBySubjectAndClient deletes every record the client holds
	// for the account (codes, access and refresh tokens and their PKCE and
	// OpenID Connect records) and returns how many went.
	RevokeTokensBySubjectAndClient(ctx context.Context, subject, clientID string) (int64, error)
	// RevokeTokensBySubject deletes every record any client holds for the
	// account (after a password reset, say) and returns how many went.
	RevokeTokensBySubject(ctx context.Context, subject string) (int64, error)
}

// Grants reads and writes what accounts allowed third-party clients.
type Grants interface {
	// GetGrant returns the account's grant to the client; ErrNotFound when
	// it has none.
	GetGrant(ctx context.Context, accountID, clientID string) (*OAuthGrant, error)
	// SaveGrant adds scopes to the grant, creating it when absent: the
	// stored scopes become the union of the old and the new. It is atomic,
	// so concurrent saves lose no scope.
	SaveGrant(ctx context.Context, accountID, clientID string, scopes []string) (*OAuthGrant, error)
	// ListGrants returns the account's grants, oldest first.
	ListGrants(ctx context.Context, accountID string) ([]OAuthGrant, error)
	// RevokeGrant deletes the grant and, in the same transaction, every
	// token the client holds for the account; ErrNotFound when there was
	// no grant (the tokens are then left alone).
	RevokeGrant(ctx context.Context, accountID, clientID string) error
}

// SigningKeys reads and writes signing keys.
type SigningKeys interface {
	CreateSigningKey(ctx context.Context, k *SigningKey) error
	// ListSigningKeys returns every key, newest first.
	ListSigningKeys(ctx context.Context) ([]SigningKey, error)
	RetireSigningKey(ctx context.Context, id string, at time.Time) error
}

// Events appends to and reads the activity and audit logs.
type Events interface {
	AppendEvent(ctx context.Context, e *Event) error
	// ListEvents returns an account's events, newest first, at most limit.
	ListEvents(ctx context.Context, accountID string, limit int) ([]Event, error)
	EventPager
}

// Settings holds small named values the server keeps for itself (the
// bootstrap marker, for example).
type Settings interface {
	GetSetting(ctx context.Context, name string) (string, error)
	// SetSettingIfAbsent stores the value unless the name exists; it
	// reports whether it stored it, so concurrent starters agree on one.
	SetSettingIfAbsent(ctx context.Context, name, value string) (bool, error)
}

// LoginAttempts counts sign-in attempts per key in the database, so the
// lockout holds across nodes and against parallel requests.
type LoginAttempts interface {
	// RecordLoginAttempt stores an attempt for key at the instant, then
	// returns how many the key has at or after since, this one included.
	// Storing before counting means the n-th of parallel attempts sees at
	// least n.
	RecordLoginAttempt(ctx context.Context, key string, at, since time.Time) (int64, error)
	// ClearLoginAttempts forgets the keys' attempts (after a success), in
	// one statement.
	ClearLoginAttempts(ctx context.Context, keys ...string) error
	// ListLoginAttempts returns the times of a key's attempts at or after
	// since, oldest first (for lockouts whose delay grows with failures).
	ListLoginAttempts(ctx context.Context, key string, since time.Time) ([]time.Time, error)
	// RecordAttempts stores one attempt at the instant under each key
	// (keys distinct) and returns, in the keys' order, how many attempts
	// each key has at or after since, these included, in one statement.
	// Unlike RecordLoginAttempt's insert-then-count, parallel calls on
	// PostgreSQL may not see each other's rows (one statement, one
	// snapshot): a budget judged by it may be overshot by the number of
	// calls in flight at once.
	RecordAttempts(ctx context.Context, at, since time.Time, keys ...string) ([]int64, error)
	// TallyAttemptWindows returns, in the windows' order, how many
	// attempts each window holds and, when that is its Max or more, the
	// time of its Max-th newest attempt, in one statement, storing
	// nothing: a limit's counts and when its hold lifts, for several
	// keys and tiers at once.
	TallyAttemptWindows(ctx context.Context, windows ...AttemptLimit) ([]AttemptTally, error)
}

// AttemptCounters count events per key in buckets: one row per key and
// bucket, whatever the traffic, so a window costs at most window / width
// + 1 rows to read (the budgets on new interactions; login_attempts keeps
// one row per attempt). A bucket is the start of a slice of time of the
// caller's width, which the caller computes (truncating the instant);
// the store only adds and sums.
type AttemptCounters interface {
	// AddToCounters adds one to each key's bucket (keys distinct) and
	// returns, in the keys' order, each key's sum over the buckets at or
	// after since, this one included, in one statement. Parallel calls
	// on the same bucket wait for each other's row, so each sees the
	// others' counts in that bucket; a bucket older than the one being
	// added to is read as of the statement's start.
	AddToCounters(ctx context.Context, bucket, since time.Time, keys ...string) ([]int64, error)
	// SumCounters returns, in the windows' order, the sum of each
	// window's buckets (at or after Since), zero for a key never
	// counted, in one statement, storing nothing.
	SumCounters(ctx context.Context, windows ...CounterWindow) ([]int64, error)
	// ListCounterBuckets returns a key's buckets at or after since that
	// hold a count, oldest first (when a held budget frees).
	ListCounterBuckets(ctx context.Context, key string, since time.Time) ([]CounterBucket, error)
}

// MaxCounterWindow is the longest window SumCounters may be asked for:
// PurgeExpired deletes buckets older than that.
const MaxCounterWindow = time.Hour

// CounterWindow is a key's buckets at or after Since.
type CounterWindow struct {
	Key   string
	Since time.Time
}

// CounterBucket is one bucket of a key: its start and its count.
type CounterBucket struct {
	Bucket time.Time
	N      int64
}

// AttemptLimit is a window of a key's attempts (at or after Since) that
// allows Max of them (at least 1).
type AttemptLimit struct {
	Key   string
	Since time.Time
	Max   int
}

// AttemptTally is what a window held.
type AttemptTally struct {
	Count int64
	// HeldBy, when Count is Max or more, is the Max-th newest attempt:
	// the one that must leave the window before another fits in it. Zero
	// otherwise.
	HeldBy time.Time
}

// Authenticators reads and writes accounts' enrolled second factors and
// passkeys.
type Authenticators interface {
	// CreateAuthenticator inserts a, filling in ID and CreatedAt when
	// empty; a credential id already stored is ErrConflict.
	CreateAuthenticator(ctx context.Context, a *Authenticator) error
	// ListAuthenticators returns the account's authenticators, oldest first.
	ListAuthenticators(ctx context.Context, accountID string) ([]Authenticator, error)
	// GetAuthenticatorByCredentialID finds a passkey by its credential id;
	// ErrNotFound when there is none.
	GetAuthenticatorByCredentialID(ctx context.Context, credentialID []byte) (*Authenticator, error)
	// UseAuthenticator records a use at at and moves the counter to
	// counter. It is atomic: the counter must grow (a TOTP step, a passkey
	// signature count), unless both are zero (a passkey that counts
	// nothing); otherwise ErrConflict and nothing changes, so of two
	// requests with one TOTP code only one gets through. ErrNotFound when
	// the account has no such authenticator.
	UseAuthenticator(ctx context.Context, accountID, id string, counter int64, at time.Time) error
	// DeleteAuthenticator removes one of the account's authenticators;
	// ErrNotFound when the account has no such authenticator.
	DeleteAuthenticator(ctx context.Context, accountID, id string) error
	// ConfirmContact marks the account's e-mail address confirmed when it
	// is address (case-insensitively), or its phone number when it is
	// address or the account has none (which makes address its phone); a
	// phone number other than the account's own is left alone and reported
	// as ErrNotFound, like an e-mail address that is not the account's or
	// an unknown account. ErrConflict when another account of the store
	// holds that phone number.
	ConfirmContact(ctx context.Context, accountID string, kind IdentifierType, address string) error
}

// OneTimeSecrets stores hashed single-use secrets.
type OneTimeSecrets interface {
	// CreateOneTimeSecret inserts s, filling in ID and CreatedAt when
	// empty; a hash already stored is ErrConflict.
	CreateOneTimeSecret(ctx context.Context, s *OneTimeSecret) error
	// UseOneTimeSecret marks the secret with this purpose and hash used at
	// now and returns it. It is atomic: of concurrent uses exactly one
	// wins; the others, and unknown, expired or used secrets, get
	// ErrNotFound.
	UseOneTimeSecret(ctx context.Context, purpose string, hash []byte, now time.Time) (*OneTimeSecret, error)
	// OneTimeSecretUsable reports, without spending it, whether a secret
	// with this purpose and hash exists, is unused and has not expired.
	OneTimeSecretUsable(ctx context.Context, purpose string, hash []byte, now time.Time) (bool, error)
	// LatestOneTimeSecret returns the newest secret of the purpose issued
	// to the account, used or not (for re-request throttles); ErrNotFound
	// when there is none.
	LatestOneTimeSecret(ctx context.Context, accountID, purpose string) (*OneTimeSecret, error)
	// SpendOneTimeSecrets marks the account's unused secrets of the purpose
	// used at now (the code and link of one message, once one of them
	// worked) and returns how many; they stay for the re-request throttle.
	SpendOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error)
	// DeleteOneTimeSecrets removes the account's secrets of the purpose
	// (regenerated recovery codes) and returns how many went.
	DeleteOneTimeSecrets(ctx context.Context, accountID, purpose string) (int64, error)
	// DeleteAllOneTimeSecrets removes every secret issued to the account,
	// of any purpose, and returns how many went.
	DeleteAllOneTimeSecrets(ctx context.Context, accountID string) (int64, error)
	// CountUsableOneTimeSecrets counts the account's unused, unexpired
	// secrets of the purpose (recovery codes left).
	CountUsableOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error)
}

// ConsentRecords stores which consent documents accounts accepted.
type ConsentRecords interface {
	RecordConsent(ctx context.Context, c *ConsentRecord) error
	// ListConsents returns the account's records, oldest first.
	ListConsents(ctx context.Context, accountID string) ([]ConsentRecord, error)
	// OutdateConsents ends, at at, every active record of the consent held
	// by an account of the identity store whose version is not among
	// current (a newer version was published), in one statement whatever
	// the number of accounts, and returns how many it ended.
	OutdateConsents(ctx context.Context, storeID, consent string, current []string, at time.Time) (int64, error)
}

// Janitor removes what has expired.
type Janitor interface {
	// PurgeExpired deletes interactions, sessions, client-assertion jtis
	// and initial access tokens that expired before now (and used-up
	// initial access tokens, and expired one-time secrets), and login attempts made before
	// attemptsBefore, attempt counters' buckets older than
	// MaxCounterWindow before now, and pending accounts older than the longest possible
	// activation link, up to limit rows of each table; it returns how many
	// rows went, and callers repeat until fewer than limit did. When no
	// table had limit rows to delete, on SQLite it then truncates the
	// write-ahead log, which otherwise keeps the size a burst of writes
	// gave it.
	PurgeExpired(ctx context.Context, now, attemptsBefore time.Time, limit int) (int64, error)
	// TryLease takes or renews the named lease for holder until now+ttl
	// and reports whether holder has it: it is free, expired, or already
	// holder's. One node at a time runs the work it guards (the cleanup).
	TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	// ReleaseNodeLeases releases the leases on queue rows (notifications,
	// logout notices, deferred requests) held under this node's name —
	// left by its previous run, which crashed mid-send — and returns how
	// many; a store without a node name releases none.
	ReleaseNodeLeases(ctx context.Context) (int64, error)
}

// Store is everything; only cmd/foyer and tests hold one. Features ask for
// the narrow interfaces above.
type Store interface {
	Transactor
	IdentityStores
	Accounts
	Passwords
	Applications
	// BrandAssets are branding's uploads (storage/branding.go).
	BrandAssets
	Policies
	Clients
	ClientAssertions
	Sessions
	LogoutNotices
	Notifications
	DeferredRequests
	Interactions
	Tokens
	Grants
	SigningKeys
	Events
	Settings
	LoginAttempts
	AttemptCounters
	Janitor
	InitialAccessTokens
	OneTimeSecrets
	ConsentRecords
	// Portal is the account portal's storage (storage/portal.go).
	Portal
	Authenticators
	// StoreConfig is the operator side's (storage/storeconfig.go).
	StoreConfig
	// AdminGrants and AuditLog are the operator side's (storage/admin.go).
	AdminGrants
	AuditLog
	// AccountJobs are the bulk quick actions over accounts (storage/accountjobs.go).
	AccountJobs
	// AccountRoles are account management's (storage/accountroles.go).
	AccountRoles
	// Verifications are identity verification's (storage/verification.go).
	Verifications
	// AccountSearches is the operator side's account list (storage/accountsearch.go).
	AccountSearches
	// Partners and Invitations are organizations' onboarding
	// (storage/partners.go, storage/invitations.go).
	Partners
	Invitations
	// OrganizationPeople is the portal's organization administration
	// (storage/orgmembers.go).
	OrganizationPeople
	// Upstreams are external identity providers (storage/upstream.go).
	Upstreams
	// MessageTemplates are e-mail and SMS overrides per application
	// (storage/msgtemplates.go).
	MessageTemplates
	// TranslationPackages are uploaded catalogs (storage/translations.go).
	TranslationPackages
	// Ping checks the database answers (for /readyz).
	Ping(ctx context.Context) error
	Close() error
}
