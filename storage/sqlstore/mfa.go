package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"foyer/storage"
)

type authenticatorRow struct {
	ID           string     `gorm:"column:id;primaryKey"`
	AccountID    string     `gorm:"column:account_id"`
	Kind         string     `gorm:"column:kind"`
	Name         string     `gorm:"column:name"`
	Address      string     `gorm:"column:address"`
	Secret       []byte     `gorm:"column:secret"`
	CredentialID []byte     `gorm:"column:credential_id"`
	Counter      int64      `gorm:"column:counter"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
	LastUsedAt   *time.Time `gorm:"column:last_used_at"`
}

func (authenticatorRow) TableName() string { return "mfa_authenticators" }

func (r *authenticatorRow) toStorage() storage.Authenticator {
	return storage.Authenticator{ID: r.ID, AccountID: r.AccountID, Kind: r.Kind, Name: r.Name, Address: r.Address,
		Secret: r.Secret, CredentialID: r.CredentialID, Counter: r.Counter, CreatedAt: r.CreatedAt.UTC(),
		LastUsedAt: utcPtr(r.LastUsedAt)}
}

// CreateAuthenticator inserts a, filling in ID and CreatedAt when empty.
func (s *Store) CreateAuthenticator(ctx context.Context, a *storage.Authenticator) error {
	if a.ID == "" {
		a.ID = newID()
	}
	a.CreatedAt = orNow(a.CreatedAt)
	row := authenticatorRow{ID: a.ID, AccountID: a.AccountID, Kind: a.Kind, Name: a.Name, Address: a.Address,
		Secret: a.Secret, CredentialID: a.CredentialID, Counter: a.Counter, CreatedAt: a.CreatedAt,
		LastUsedAt: dbTimePtr(a.LastUsedAt)}
	if len(row.CredentialID) == 0 {
		row.CredentialID = nil // NULL, which the unique index ignores
	}
	return wrapErr(s.db(ctx).Create(&row).Error, "create authenticator")
}

// ListAuthenticators returns the account's authenticators, oldest first.
func (s *Store) ListAuthenticators(ctx context.Context, accountID string) ([]storage.Authenticator, error) {
	var rows []authenticatorRow
	if err := s.db(ctx).Where("account_id = ?", accountID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list authenticators")
	}
	out := make([]storage.Authenticator, len(rows))
	for i := range rows {
		out[i] = rows[i].toStorage()
	}
	return out, nil
}

// GetAuthenticatorByCredentialID finds a passkey by its credential id.
func (s *Store) GetAuthenticatorByCredentialID(ctx context.Context, credentialID []byte) (*storage.Authenticator, error) {
	var row authenticatorRow
	if err := s.db(ctx).Where("credential_id = ?", credentialID).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get authenticator by credential id")
	}
	a := row.toStorage()
	return &a, nil
}

// UseAuthenticator moves the counter forward in one conditional UPDATE,
// so a TOTP step is accepted once however many requests race with it.
func (s *Store) UseAuthenticator(ctx context.Context, accountID, id string, counter int64, at time.Time) error {
	res := s.db(ctx).Exec(`UPDATE mfa_authenticators SET counter = ?, last_used_at = ?
		WHERE id = ? AND account_id = ? AND (counter < ? OR (counter = 0 AND ? = 0))`,
		counter, dbTime(at), id, accountID, counter, counter)
	if res.Error != nil {
		return wrapErr(res.Error, "use authenticator")
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var n int64
	if err := s.db(ctx).Model(&authenticatorRow{}).Where("id = ? AND account_id = ?", id, accountID).Count(&n).Error; err != nil {
		return wrapErr(err, "use authenticator")
	}
	if n == 0 {
		return fmt.Errorf("use authenticator: %w", storage.ErrNotFound)
	}
	return fmt.Errorf("use authenticator: counter did not grow: %w", storage.ErrConflict)
}

// DeleteAuthenticator removes one of the account's authenticators.
func (s *Store) DeleteAuthenticator(ctx context.Context, accountID, id string) error {
	res := s.db(ctx).Exec(`DELETE FROM mfa_authenticators WHERE id = ? AND account_id = ?`, id, accountID)
	return affected(res, "delete authenticator")
}

// ConfirmContact confirms the account's e-mail address or sets and
// confirms its phone number.
func (s *Store) ConfirmContact(ctx context.Context, accountID string, kind storage.IdentifierType, address string) error {
	now := dbTime(time.Now())
	switch kind {
	case storage.IdentifierEmail:
		res := s.db(ctx).Exec(`UPDATE accounts SET email_confirmed = ?, updated_at = ?, version = version + 1 WHERE id = ? AND email_normalized = ?`,
			true, now, accountID, strings.ToLower(address))
		return affected(res, "confirm e-mail address")
	case storage.IdentifierPhone:
		res := s.db(ctx).Exec(`UPDATE accounts SET phone = ?, phone_confirmed = ?, updated_at = ?, version = version + 1 WHERE id = ? AND (phone = '' OR phone = ?)`,
			address, true, now, accountID, address)
		return affected(res, "confirm phone number")
	default:
		return fmt.Errorf("confirm contact: kind %q is not a contact", kind)
	}
}

// ListLoginAttempts returns the times of a key's attempts since since.
func (s *Store) ListLoginAttempts(ctx context.Context, key string, since time.Time) ([]time.Time, error) {
	var at []time.Time
	err := s.db(ctx).Raw(`SELECT at FROM login_attempts WHERE attempt_key = ? AND at >= ? ORDER BY at`, key, dbTime(since)).
		Scan(&at).Error
	if err != nil {
		return nil, wrapErr(err, "list login attempts")
	}
	for i := range at {
		at[i] = at[i].UTC()
	}
	return at, nil
}

// SpendOneTimeSecrets marks the account's unused secrets of the purpose used.
func (s *Store) SpendOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error) {
	res := s.db(ctx).Exec(`UPDATE one_time_secrets SET used_at = ? WHERE account_id = ? AND purpose = ? AND used_at IS NULL`,
		dbTime(now), accountID, purpose)
	return res.RowsAffected, wrapErr(res.Error, "spend one-time secrets")
}

// DeleteOneTimeSecrets removes the account's secrets of the purpose.
func (s *Store) DeleteOneTimeSecrets(ctx context.Context, accountID, purpose string) (int64, error) {
	res := s.db(ctx).Exec(`DELETE FROM one_time_secrets WHERE account_id = ? AND purpose = ?`, accountID, purpose)
	return res.RowsAffected, wrapErr(res.Error, "delete one-time secrets")
}

// DeleteAllOneTimeSecrets removes every secret of the account.
func (s *Store) DeleteAllOneTimeSecrets(ctx context.Context, accountID string) (int64, error) {
	res := s.db(ctx).Exec(`DELETE FROM one_time_secrets WHERE account_id = ?`, accountID)
	return res.RowsAffected, wrapErr(res.Error, "delete one-time secrets")
}

// CountUsableOneTimeSecrets counts the account's live secrets of the purpose.
func (s *Store) CountUsableOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error) {
	var n int64
	err := s.db(ctx).Model(&oneTimeSecretRow{}).
		Where("account_id = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", accountID, purpose, dbTime(now)).
		Count(&n).Error
	return n, wrapErr(err, "count one-time secrets")
}

func decodeMFAPolicy(s string) (storage.MFAPolicy, error) {
	var p storage.MFAPolicy
	if s == "" {
		return p.WithDefaults(), nil
	}
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return p, fmt.Errorf("decode applications.mfa_policy: %w", err)
	}
	return p.WithDefaults(), nil
}

// encodeConsents keeps nil (the default policy) apart from an empty one.
func encodeConsents(docs []storage.ConsentDocument) string {
	if docs == nil {
		return ""
	}
	return encodeJSON(docs, "[]")
}
