package sqlstore

import (
	"context"
	"strings"
	"time"

	"foyer/storage"
)

type invitationRow struct {
	ID              string     `gorm:"column:id;primaryKey"`
	StoreID         string     `gorm:"column:store_id"`
	OrganizationID  string     `gorm:"column:organization_id"`
	ClientID        string     `gorm:"column:client_id"`
	Email           string     `gorm:"column:email"`
	EmailNormalized string     `gorm:"column:email_normalized"`
	Language        string     `gorm:"column:language"`
	RoleIDs         string     `gorm:"column:role_ids"`
	GroupIDs        string     `gorm:"column:group_ids"`
	Attributes      string     `gorm:"column:attributes"`
	Status          string     `gorm:"column:status"`
	TokenHash       []byte     `gorm:"column:token_hash"`
	CreatedByKind   string     `gorm:"column:created_by_kind"`
	CreatedByID     string     `gorm:"column:created_by_id"`
	CreatedByName   string     `gorm:"column:created_by_name"`
	SendCount       int        `gorm:"column:send_count"`
	AccountID       string     `gorm:"column:account_id"`
	CreatedAt       time.Time  `gorm:"column:created_at"`
	SentAt          time.Time  `gorm:"column:sent_at"`
	ExpiresAt       time.Time  `gorm:"column:expires_at"`
	AcceptedAt      *time.Time `gorm:"column:accepted_at"`
	Version         int64      `gorm:"column:version"`
}

func (invitationRow) TableName() string { return "invitations" }

func (r *invitationRow) toStorage() (*storage.Invitation, error) {
	roles, err := decodeList[string](r.RoleIDs, "invitations.role_ids")
	if err != nil {
		return nil, err
	}
	groups, err := decodeList[string](r.GroupIDs, "invitations.group_ids")
	if err != nil {
		return nil, err
	}
	attrs, err := decodeMap(r.Attributes, "invitations.attributes")
	if err != nil {
		return nil, err
	}
	return &storage.Invitation{ID: r.ID, StoreID: r.StoreID, OrganizationID: r.OrganizationID, ClientID: r.ClientID,
		Email: r.Email, Language: r.Language, RoleIDs: roles, GroupIDs: groups, Attributes: attrs,
		Status: storage.InvitationStatus(r.Status), TokenHash: r.TokenHash,
		CreatedByKind: r.CreatedByKind, CreatedByID: r.CreatedByID, CreatedByName: r.CreatedByName,
		SendCount: r.SendCount, AccountID: r.AccountID, CreatedAt: r.CreatedAt.UTC(), SentAt: r.SentAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), AcceptedAt: utcPtr(r.AcceptedAt), Version: r.Version}, nil
}

// CreateInvitation inserts a pending invitation.
func (s *Store) CreateInvitation(ctx context.Context, inv *storage.Invitation) error {
	if inv.ID == "" {
		inv.ID = newID()
	}
	inv.CreatedAt = orNow(inv.CreatedAt)
	inv.SentAt, inv.SendCount, inv.Version = inv.CreatedAt, 1, 1
	inv.Status, inv.AccountID, inv.AcceptedAt = storage.InvitationPending, "", nil
	inv.ExpiresAt = dbTime(inv.ExpiresAt)
	row := invitationRow{ID: inv.ID, StoreID: inv.StoreID, OrganizationID: inv.OrganizationID, ClientID: inv.ClientID,
		Email: inv.Email, EmailNormalized: strings.ToLower(inv.Email), Language: inv.Language,
		RoleIDs: encodeJSON(inv.RoleIDs, "[]"), GroupIDs: encodeJSON(inv.GroupIDs, "[]"),
		Attributes: encodeJSON(inv.Attributes, "{}"), Status: string(inv.Status), TokenHash: inv.TokenHash,
		CreatedByKind: inv.CreatedByKind, CreatedByID: inv.CreatedByID, CreatedByName: inv.CreatedByName,
		SendCount: 1, CreatedAt: inv.CreatedAt, SentAt: inv.SentAt, ExpiresAt: inv.ExpiresAt, Version: 1}
	return wrapErr(s.db(ctx).Create(&row).Error, "create invitation for store %q", inv.StoreID)
}

// GetInvitation reads one invitation of the store.
func (s *Store) GetInvitation(ctx context.Context, storeID, id string) (*storage.Invitation, error) {
	var row invitationRow
	if err := s.db(ctx).Where("id = ? AND store_id = ?", id, storeID).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get invitation %q", id)
	}
	return row.toStorage()
}

// FindInvitationByToken reads the invitation whose current token has the
// digest hash.
func (s *Store) FindInvitationByToken(ctx context.Context, hash []byte) (*storage.Invitation, error) {
	var row invitationRow
	if err := s.db(ctx).Where("token_hash = ?", hash).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "find invitation by token")
	}
	return row.toStorage()
}

// ListInvitations pages newest first by (created_at, id), the cursor being
// the last invitation's id.
func (s *Store) ListInvitations(ctx context.Context, storeID, organizationID, after string, limit int) ([]storage.Invitation, error) {
	q := s.db(ctx).Where("store_id = ?", storeID)
	switch organizationID {
	case "":
	case storage.NoOrganization:
		q = q.Where("organization_id = ''")
	default:
		q = q.Where("organization_id = ?", organizationID)
	}
	if after != "" {
		var last invitationRow
		if err := s.db(ctx).Where("id = ? AND store_id = ?", after, storeID).Take(&last).Error; err != nil {
			return nil, wrapErr(err, "find invitation cursor %q", after)
		}
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", last.CreatedAt, last.CreatedAt, last.ID)
	}
	q = q.Order("created_at DESC, id DESC")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []invitationRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list invitations of store %q", storeID)
	}
	out := make([]storage.Invitation, 0, len(rows))
	for i := range rows {
		inv, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *inv)
	}
	return out, nil
}

// RenewInvitation replaces a pending invitation's token.
func (s *Store) RenewInvitation(ctx context.Context, storeID, id string, tokenHash []byte, sentAt, expiresAt time.Time) error {
	res := s.db(ctx).Exec(`UPDATE invitations SET token_hash = ?, sent_at = ?, expires_at = ?,
		send_count = send_count + 1, version = version + 1
		WHERE id = ? AND store_id = ? AND status = ?`,
		tokenHash, dbTime(sentAt), dbTime(expiresAt), id, storeID, string(storage.InvitationPending))
	return affected(res, "renew invitation %q", id)
}

// CompleteInvitation marks a pending, unexpired invitation done in one
// statement: of two acceptances racing, one wins.
func (s *Store) CompleteInvitation(ctx context.Context, id, accountID string, at time.Time) error {
	at = dbTime(at)
	res := s.db(ctx).Exec(`UPDATE invitations SET status = ?, account_id = ?, accepted_at = ?, version = version + 1
		WHERE id = ? AND status = ? AND expires_at > ?`,
		string(storage.InvitationDone), accountID, at, id, string(storage.InvitationPending), at)
	return affected(res, "complete invitation %q", id)
}

// DeleteInvitation removes one invitation of the store.
func (s *Store) DeleteInvitation(ctx context.Context, storeID, id string) error {
	res := s.db(ctx).Exec("DELETE FROM invitations WHERE id = ? AND store_id = ?", id, storeID)
	return affected(res, "delete invitation %q", id)
}
