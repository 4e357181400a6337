package sqlstore

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"foyer/storage"
	"foyer/storage/migrations"
)

type grantRow struct {
	AccountID string    `gorm:"column:account_id;primaryKey"`
	ClientID  string    `gorm:"column:client_id;primaryKey"`
	Scopes    string    `gorm:"column:scopes"`
	CreatedAt time.Time `gorm:"column:created_at"`
	UpdatedAt time.Time `gorm:"column:updated_at"`
}

func (grantRow) TableName() string { return "oauth_grants" }

func (r *grantRow) toStorage() (*storage.OAuthGrant, error) {
	scopes, err := decodeList[string](r.Scopes, "oauth_grants.scopes")
	if err != nil {
		return nil, err
	}
	return &storage.OAuthGrant{AccountID: r.AccountID, ClientID: r.ClientID, Scopes: scopes,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// GetGrant reads the account's grant to the client.
func (s *Store) GetGrant(ctx context.Context, accountID, clientID string) (*storage.OAuthGrant, error) {
	var row grantRow
	err := s.db(ctx).Where("account_id = ? AND client_id = ?", accountID, clientID).Take(&row).Error
	if err != nil {
		return nil, wrapErr(err, "get grant of account %q to client %q", accountID, clientID)
	}
	return row.toStorage()
}

// SaveGrant adds scopes to the grant. The first statement inserts the grant
// or does nothing; when it existed, the row is then read under a lock
// (PostgreSQL's FOR UPDATE; SQLite's transactions take the write lock at
// BEGIN) so two concurrent saves merge instead of one overwriting the other.
func (s *Store) SaveGrant(ctx context.Context, accountID, clientID string, scopes []string) (*storage.OAuthGrant, error) {
	var saved *storage.OAuthGrant
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		at := now()
		row := grantRow{AccountID: accountID, ClientID: clientID, Scopes: encodeJSON(normalizeScopes(scopes), "[]"),
			CreatedAt: at, UpdatedAt: at}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return wrapErr(res.Error, "save grant of account %q to client %q", accountID, clientID)
		}
		if res.RowsAffected == 0 {
			merged, err := s.mergeGrant(tx, accountID, clientID, scopes, at)
			if err != nil {
				return err
			}
			row = *merged
		}
		g, err := row.toStorage()
		saved = g
		return err
	})
	if err != nil {
		return nil, err
	}
	return saved, nil
}

// mergeGrant adds scopes to an existing grant row inside tx.
func (s *Store) mergeGrant(tx *gorm.DB, accountID, clientID string, scopes []string, at time.Time) (*grantRow, error) {
	var row grantRow
	q := tx.Where("account_id = ? AND client_id = ?", accountID, clientID)
	if s.dialect == migrations.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&row).Error; err != nil {
		return nil, wrapErr(err, "read grant of account %q to client %q", accountID, clientID)
	}
	old, err := decodeList[string](row.Scopes, "oauth_grants.scopes")
	if err != nil {
		return nil, err
	}
	row.Scopes = encodeJSON(normalizeScopes(append(old, scopes...)), "[]")
	row.UpdatedAt = at
	res := tx.Exec(`UPDATE oauth_grants SET scopes = ?, updated_at = ? WHERE account_id = ? AND client_id = ?`,
		row.Scopes, row.UpdatedAt, accountID, clientID)
	if err := affected(res, "update grant of account %q to client %q", accountID, clientID); err != nil {
		return nil, err
	}
	return &row, nil
}

// normalizeScopes sorts and de-duplicates, dropping empty names.
func normalizeScopes(scopes []string) []string {
	out := slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return s == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

// ListGrants returns the account's grants, oldest first.
func (s *Store) ListGrants(ctx context.Context, accountID string) ([]storage.OAuthGrant, error) {
	var rows []grantRow
	if err := s.db(ctx).Where("account_id = ?", accountID).Order("created_at, client_id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list grants of account %q", accountID)
	}
	out := make([]storage.OAuthGrant, 0, len(rows))
	for i := range rows {
		g, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *g)
	}
	return out, nil
}

// RevokeGrant deletes the grant and the client's tokens for the account in
// one transaction: a grant gone while its refresh token still works would
// not be revoked at all.
func (s *Store) RevokeGrant(ctx context.Context, accountID, clientID string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`DELETE FROM oauth_grants WHERE account_id = ? AND client_id = ?`, accountID, clientID)
		if err := affected(res, "revoke grant of account %q to client %q", accountID, clientID); err != nil {
			return err
		}
		if _, err := revokeBySubjectAndClient(tx, accountID, clientID); err != nil {
			return err
		}
		return nil
	})
}

// RevokeTokensBySubjectAndClient deletes every record the client holds for
// the subject.
func (s *Store) RevokeTokensBySubjectAndClient(ctx context.Context, subject, clientID string) (int64, error) {
	return revokeBySubjectAndClient(s.db(ctx), subject, clientID)
}

// RevokeTokensBySubject deletes every record any client holds for the
// account (by the subject index shared with the per-client revocation).
func (s *Store) RevokeTokensBySubject(ctx context.Context, subject string) (int64, error) {
	if subject == "" {
		return 0, errNoSubject
	}
	res := s.db(ctx).Exec(`DELETE FROM oauth2_tokens WHERE subject = ? AND `+withSubject, subject)
	if res.Error != nil {
		return 0, wrapErr(res.Error, "revoke tokens of subject")
	}
	return res.RowsAffected, nil
}

// errNoSubject keeps an empty subject from matching every client
// credentials token of the client.
var errNoSubject = errors.New("sqlstore: revoke tokens: empty subject")

func revokeBySubjectAndClient(db *gorm.DB, subject, clientID string) (int64, error) {
	if subject == "" || clientID == "" {
		return 0, errNoSubject
	}
	res := db.Exec(`DELETE FROM oauth2_tokens WHERE subject = ? AND client_id = ? AND `+withSubject, subject, clientID)
	if res.Error != nil {
		return 0, wrapErr(res.Error, "revoke tokens of client %q for %q", clientID, subject)
	}
	return res.RowsAffected, nil
}
