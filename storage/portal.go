package storage

import (
	"context"
	"time"
)

// PortalSettings is how an application appears in the account portal: as a
// launcher tile or not, under which friendly URL (/a/{slug}), and to whom
// (its group restriction).
type PortalSettings struct {
	ApplicationID   string
	LauncherEnabled bool
	Slug            string // lower-case letters, digits and '-'; empty: none
	// Groups restricts the application to members of any of these groups
	// (names in the application's identity store); empty: everyone.
	Groups    []string
	UpdatedAt time.Time
}

// Group is a named set of accounts in one identity store.
type Group struct {
	ID        string
	StoreID   string
	Name      string
	Version   int64 // counts renames (optimistic concurrency)
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ConsentAction is what happened to a consent in its history.
type ConsentAction string

const (
	ConsentGranted ConsentAction = "granted"
	ConsentRevoked ConsentAction = "revoked"
)

// ConsentEvent is one step in an account's consent history: consent
// records keep only the current state of each version, so opting in and
// out again would otherwise lose what came before.
type ConsentEvent struct {
	ID        string
	AccountID string
	Consent   string
	Version   string
	Action    ConsentAction
	CreatedAt time.Time
}

// ExternalIdentity is a social or enterprise login linked to an account.
type ExternalIdentity struct {
	AccountID string
	Provider  string // e.g. "google"
	Subject   string // the provider's user id
	Email     string // as the provider told it, informational
	CreatedAt time.Time
	// AMR and ACR are what the upstream said of its last sign-in with
	// the identity, LastUsedAt when that was (nil: never used to sign in).
	AMR        []string
	ACR        string
	LastUsedAt *time.Time
}

// Portal is what the account portal stores beyond the other repositories.
type Portal interface {
	// GetPortalSettings returns the application's settings; ErrNotFound
	// when none were set (callers treat that as launcher off, no slug).
	GetPortalSettings(ctx context.Context, applicationID string) (*PortalSettings, error)
	// SetPortalSettings creates or replaces the settings; a slug another
	// application holds is ErrConflict, an unknown application ErrNotFound.
	// The slug is the application's own; the launcher and groups go to its
	// portal policy, copy on write (Policies.SetApplicationPolicy).
	SetPortalSettings(ctx context.Context, p *PortalSettings) error
	// SetApplicationSlug sets the application's friendly URL slug alone
	// ("": none); a slug another application holds is ErrConflict, an
	// unknown application ErrNotFound.
	SetApplicationSlug(ctx context.Context, applicationID, slug string) error
	// ListPortalSettings returns every application's settings.
	ListPortalSettings(ctx context.Context) ([]PortalSettings, error)
	// FindApplicationBySlug returns the application with the friendly URL
	// slug (compared case-insensitively); ErrNotFound when none.
	FindApplicationBySlug(ctx context.Context, slug string) (*Application, error)

	// CreateGroup inserts g, filling in ID and CreatedAt; a name already
	// used in the store is ErrConflict.
	CreateGroup(ctx context.Context, g *Group) error
	GetGroupByName(ctx context.Context, storeID, name string) (*Group, error)
	ListGroups(ctx context.Context, storeID string) ([]Group, error)
	// AddGroupMember is idempotent; an unknown group or account is
	// ErrNotFound.
	AddGroupMember(ctx context.Context, groupID, accountID string) error
	// RemoveGroupMember is ErrNotFound when the account was no member.
	RemoveGroupMember(ctx context.Context, groupID, accountID string) error
	// ListAccountGroups returns the groups the account belongs to, by name.
	ListAccountGroups(ctx context.Context, accountID string) ([]Group, error)

	// UpdateAccountProfile writes the account's email, phone (with their
	// confirmed flags), username, attributes and language; a taken email,
	// phone or username is ErrConflict, an unknown account ErrNotFound.
	UpdateAccountProfile(ctx context.Context, a *Account) error
	// UpdateAccountProfileAt is UpdateAccountProfile if the account is
	// still at version (ErrStale otherwise) and sets a.Version to the new
	// one: an administrator's edit never overwrites a change it did not
	// see.
	UpdateAccountProfileAt(ctx context.Context, a *Account, version int64) error
	// RevokeConsent marks every active record of the consent (see
	// ConsentRecord.Active) revoked at at and returns how many it marked.
	RevokeConsent(ctx context.Context, accountID, consent string, at time.Time) (int64, error)
	// AppendConsentEvent inserts e, filling in ID and CreatedAt.
	AppendConsentEvent(ctx context.Context, e *ConsentEvent) error
	// ListConsentEvents returns the account's consent history, oldest first.
	ListConsentEvents(ctx context.Context, accountID string) ([]ConsentEvent, error)

	// LinkExternalIdentity inserts x; a provider subject already linked is
	// ErrConflict.
	LinkExternalIdentity(ctx context.Context, x *ExternalIdentity) error
	ListExternalIdentities(ctx context.Context, accountID string) ([]ExternalIdentity, error)
	// UnlinkExternalIdentity is ErrNotFound unless the account holds the
	// link, so one account cannot unlink another's.
	UnlinkExternalIdentity(ctx context.Context, accountID, provider, subject string) error

	// DeleteAccountData removes the account and every row keyed by it in
	// any table (profile, password, authenticators, sessions, secrets,
	// grants, consents, events, memberships, ...) and every token issued
	// for it. Queued back-channel logout notices stay so relying parties
	// still hear of the ended sessions. ErrNotFound when there is no such
	// account.
	DeleteAccountData(ctx context.Context, accountID string) error
}
