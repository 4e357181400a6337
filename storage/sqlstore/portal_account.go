package sqlstore

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
	"foyer/storage/migrations"
)

// UpdateAccountProfile writes the self-service editable part of an
// account, and its attributes' search values in the same transaction.
func (s *Store) UpdateAccountProfile(ctx context.Context, a *storage.Account) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&accountRow{}).Where("id = ?", a.ID).Updates(map[string]any{
			"username": a.Username, "username_normalized": normalize(a.Username),
			"email": a.Email, "email_normalized": normalize(a.Email), "email_confirmed": a.EmailConfirmed,
			"email_unproven": a.EmailUnproven, "phone": a.Phone, "phone_confirmed": a.PhoneConfirmed,
			"attributes": encodeJSON(a.Attributes, "{}"), "language": a.Language, "updated_at": now(),
			"version": gorm.Expr("version + 1"),
		})
		if err := affected(res, "update profile of account %q", a.ID); err != nil {
			return err
		}
		storeID := a.StoreID
		if storeID == "" {
			if err := tx.Raw(`SELECT store_id FROM accounts WHERE id = ?`, a.ID).Scan(&storeID).Error; err != nil {
				return wrapErr(err, "read store of account %q", a.ID)
			}
		}
		return writeSearchAttributes(tx, storeID, a.ID, a.Attributes, true)
	})
}

// UpdateAccountProfileAt guards UpdateAccountProfile with the version.
// The guard is a row-locking no-op update in the same transaction, so a
// concurrent writer waits and then sees the new version; the profile
// write itself stays UpdateAccountProfile's, with whatever it keeps in
// step.
func (s *Store) UpdateAccountProfileAt(ctx context.Context, a *storage.Account, version int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		ref := rowRef{table: "accounts", id: a.ID, what: "account"}
		res := ref.scope(tx).Where("version = ?", version).Update("version", gorm.Expr("version"))
		if res.Error != nil {
			return wrapErr(res.Error, "update profile of account %q", a.ID)
		}
		if res.RowsAffected == 0 {
			return ref.missing(tx)
		}
		txCtx := context.WithValue(ctx, txKey{s}, tx)
		if err := s.UpdateAccountProfile(txCtx, a); err != nil {
			return err
		}
		a.Version = version + 1
		return nil
	})
}

// RevokeConsent marks the consent's active records revoked; an outdated
// one keeps the time it ended.
func (s *Store) RevokeConsent(ctx context.Context, accountID, consent string, at time.Time) (int64, error) {
	res := s.db(ctx).Model(&consentRecordRow{}).
		Where("account_id = ? AND consent = ? AND revoked_at IS NULL AND outdated_at IS NULL", accountID, consent).
		Update("revoked_at", dbTime(at))
	if res.Error != nil {
		return 0, wrapErr(res.Error, "revoke consent %q of account %q", consent, accountID)
	}
	return res.RowsAffected, nil
}

type consentEventRow struct {
	ID        string    `gorm:"column:id;primaryKey"`
	AccountID string    `gorm:"column:account_id"`
	Consent   string    `gorm:"column:consent"`
	Version   string    `gorm:"column:version"`
	Action    string    `gorm:"column:action"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (consentEventRow) TableName() string { return "consent_events" }

// AppendConsentEvent inserts one step of the consent history.
func (s *Store) AppendConsentEvent(ctx context.Context, e *storage.ConsentEvent) error {
	if e.ID == "" {
		e.ID = newID()
	}
	e.CreatedAt = orNow(e.CreatedAt)
	row := consentEventRow{ID: e.ID, AccountID: e.AccountID, Consent: e.Consent, Version: e.Version,
		Action: string(e.Action), CreatedAt: e.CreatedAt}
	return wrapErr(s.db(ctx).Create(&row).Error, "append consent event of account %q", e.AccountID)
}

// ListConsentEvents returns the account's consent history, oldest first.
func (s *Store) ListConsentEvents(ctx context.Context, accountID string) ([]storage.ConsentEvent, error) {
	var rows []consentEventRow
	if err := s.db(ctx).Where("account_id = ?", accountID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list consent events of account %q", accountID)
	}
	out := make([]storage.ConsentEvent, 0, len(rows))
	for _, r := range rows {
		out = append(out, storage.ConsentEvent{ID: r.ID, AccountID: r.AccountID, Consent: r.Consent,
			Version: r.Version, Action: storage.ConsentAction(r.Action), CreatedAt: r.CreatedAt.UTC()})
	}
	return out, nil
}

type externalIdentityRow struct {
	Provider   string     `gorm:"column:provider;primaryKey"`
	Subject    string     `gorm:"column:subject;primaryKey"`
	AccountID  string     `gorm:"column:account_id"`
	Email      string     `gorm:"column:email"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	AMR        string     `gorm:"column:amr"`
	ACR        string     `gorm:"column:acr"`
	LastUsedAt *time.Time `gorm:"column:last_used_at"`
}

func (externalIdentityRow) TableName() string { return "external_identities" }

func (r *externalIdentityRow) toExternalIdentity() (storage.ExternalIdentity, error) {
	amr, err := decodeList[string](r.AMR, "external_identities.amr")
	return storage.ExternalIdentity{AccountID: r.AccountID, Provider: r.Provider, Subject: r.Subject,
		Email: r.Email, CreatedAt: r.CreatedAt.UTC(), AMR: amr, ACR: r.ACR, LastUsedAt: utcPtr(r.LastUsedAt)}, err
}

// LinkExternalIdentity links a provider's user to an account.
func (s *Store) LinkExternalIdentity(ctx context.Context, x *storage.ExternalIdentity) error {
	x.CreatedAt = orNow(x.CreatedAt)
	row := externalIdentityRow{Provider: x.Provider, Subject: x.Subject, AccountID: x.AccountID,
		Email: x.Email, CreatedAt: x.CreatedAt, AMR: encodeJSON(x.AMR, "[]"), ACR: x.ACR,
		LastUsedAt: dbTimePtr(x.LastUsedAt)}
	return wrapErr(s.db(ctx).Create(&row).Error, "link %s identity to account %q", x.Provider, x.AccountID)
}

// ListExternalIdentities returns the account's links, oldest first.
func (s *Store) ListExternalIdentities(ctx context.Context, accountID string) ([]storage.ExternalIdentity, error) {
	var rows []externalIdentityRow
	if err := s.db(ctx).Where("account_id = ?", accountID).Order("created_at, provider, subject").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list external identities of account %q", accountID)
	}
	out := make([]storage.ExternalIdentity, 0, len(rows))
	for i := range rows {
		x, err := rows[i].toExternalIdentity()
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// GetExternalIdentity finds the link of (provider, subject) by its key.
func (s *Store) GetExternalIdentity(ctx context.Context, provider, subject string) (*storage.ExternalIdentity, error) {
	var row externalIdentityRow
	if err := s.db(ctx).Where("provider = ? AND subject = ?", provider, subject).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get %s identity", provider)
	}
	x, err := row.toExternalIdentity()
	return &x, err
}

// RecordExternalSignIn notes the upstream's amr and acr of a sign-in.
func (s *Store) RecordExternalSignIn(ctx context.Context, provider, subject string, amr []string, acr string, at time.Time) error {
	res := s.db(ctx).Exec(`UPDATE external_identities SET amr = ?, acr = ?, last_used_at = ? WHERE provider = ? AND subject = ?`,
		encodeJSON(amr, "[]"), acr, dbTime(at), provider, subject)
	return affected(res, "record %s sign-in", provider)
}

// UnlinkExternalIdentity removes a link the account holds.
func (s *Store) UnlinkExternalIdentity(ctx context.Context, accountID, provider, subject string) error {
	res := s.db(ctx).Where("account_id = ? AND provider = ? AND subject = ?", accountID, provider, subject).
		Delete(&externalIdentityRow{})
	return affected(res, "unlink %s identity of account %q", provider, accountID)
}

// keptOnAccountDeletion are tables with an account_id that outlive the
// account: queued back-channel logout notices still have to tell relying
// parties that the deleted account's sessions ended.
var keptOnAccountDeletion = map[string]bool{"logout_notices": true, "accounts": true}

var plainIdentifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// DeleteAccountData deletes from every table that has an account_id column,
// found in the schema at run time, so tables added later (authenticators,
// say) are covered without this code knowing them; then the tokens (keyed
// by subject) and the account row. It runs in one transaction.
func (s *Store) DeleteAccountData(ctx context.Context, accountID string) error {
	tables, err := s.accountTables(ctx)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		for _, t := range tables {
			if err := tx.Exec(`DELETE FROM "`+t+`" WHERE account_id = ?`, accountID).Error; err != nil {
				return wrapErr(err, "delete %s rows of account %q", t, accountID)
			}
		}
		if err := tx.Exec(`DELETE FROM oauth2_tokens WHERE subject = ? AND `+withSubject, accountID).Error; err != nil {
			return wrapErr(err, "delete tokens of account %q", accountID)
		}
		return affected(tx.Exec(`DELETE FROM accounts WHERE id = ?`, accountID), "delete account %q", accountID)
	})
}

// accountTables lists the tables with an account_id column, but those kept.
func (s *Store) accountTables(ctx context.Context) ([]string, error) {
	q := `SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
	      WHERE m.type = 'table' AND p.name = 'account_id' ORDER BY m.name`
	if s.dialect == migrations.Postgres {
		q = `SELECT table_name FROM information_schema.columns
		     WHERE column_name = 'account_id' AND table_schema = current_schema() ORDER BY table_name`
	}
	var names []string
	if err := s.db(ctx).Raw(q).Scan(&names).Error; err != nil {
		return nil, wrapErr(err, "list tables keyed by account")
	}
	out := names[:0]
	for _, n := range names {
		if keptOnAccountDeletion[n] {
			continue
		}
		if !plainIdentifier.MatchString(n) {
			return nil, fmt.Errorf("sqlstore: unexpected table name %q", n)
		}
		out = append(out, n)
	}
	return out, nil
}
