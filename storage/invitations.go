package storage

import (
	"context"
	"time"
)

// InvitationStatus is where an invitation stands. A revoked invitation is
// deleted, so it has no status.
type InvitationStatus string

const (
	InvitationPending InvitationStatus = "pending"
	InvitationDone    InvitationStatus = "done"
)

// Invitation asks someone to create an account (seed 004): in an
// organization or none, through a client whose brand portal the invitation
// link opens, with roles, groups and profile attributes decided in
// advance. TokenHash is the SHA-256 digest of the secret the link carries
// as its login hint; a resend replaces it.
type Invitation struct {
	ID             string
	StoreID        string
	OrganizationID string // "" for no organization
	ClientID       string
	Email          string
	Language       string
	RoleIDs        []string // roles in OrganizationID
	GroupIDs       []string
	Attributes     map[string]string // pre-filled profile attributes
	Status         InvitationStatus
	TokenHash      []byte
	// Who sent it: "administrator", "account" (an organization
	// administrator in the portal) or "client" (the admin API with a
	// client's token), with id and name as the audit log shows them.
	CreatedByKind string
	CreatedByID   string
	CreatedByName string
	SendCount     int
	AccountID     string // the account that accepted it, once Done
	CreatedAt     time.Time
	SentAt        time.Time
	ExpiresAt     time.Time
	AcceptedAt    *time.Time
	Version       int64
}

// NoOrganization selects, in ListInvitations, the invitations that name no
// organization.
const NoOrganization = "-"

// Invitations reads and writes customer invitations.
type Invitations interface {
	// CreateInvitation inserts inv as pending, filling in ID, Version,
	// CreatedAt (when zero), SentAt and SendCount 1. An unknown store is
	// ErrNotFound.
	CreateInvitation(ctx context.Context, inv *Invitation) error
	// GetInvitation reads one invitation of the store; ErrNotFound.
	GetInvitation(ctx context.Context, storeID, id string) (*Invitation, error)
	// FindInvitationByToken reads the invitation whose current token has
	// the digest hash, whatever its status or expiry; ErrNotFound.
	FindInvitationByToken(ctx context.Context, hash []byte) (*Invitation, error)
	// ListInvitations returns the store's invitations newest first, up to
	// limit (0: all), after the invitation with id after ("": from the
	// newest). organizationID "" lists every invitation, NoOrganization
	// those without one, anything else one organization's.
	ListInvitations(ctx context.Context, storeID, organizationID, after string, limit int) ([]Invitation, error)
	// RenewInvitation (a resend) gives a pending invitation a new token,
	// expiry and sending time and counts the sending; the old link stops
	// working. ErrNotFound when it is not pending (done or revoked).
	RenewInvitation(ctx context.Context, storeID, id string, tokenHash []byte, sentAt, expiresAt time.Time) error
	// CompleteInvitation marks a pending invitation that has not expired
	// at now done, accepted by accountID. Single use: ErrNotFound when it
	// is not pending or has expired, and nothing changes.
	CompleteInvitation(ctx context.Context, id, accountID string, now time.Time) error
	// DeleteInvitation removes one invitation of the store (revocation);
	// ErrNotFound.
	DeleteInvitation(ctx context.Context, storeID, id string) error
}
