package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"foyer/storage"
)

type identityStoreRow struct {
	ID              string    `gorm:"column:id;primaryKey"`
	Name            string    `gorm:"column:name"`
	IdentifierTypes string    `gorm:"column:identifier_types"`
	Attributes      string    `gorm:"column:attributes"`
	OrgAttributes   string    `gorm:"column:organization_attributes"`
	Version         int64     `gorm:"column:version"`
	CreatedAt       time.Time `gorm:"column:created_at"`
	UpdatedAt       time.Time `gorm:"column:updated_at"`
}

func (identityStoreRow) TableName() string { return "identity_stores" }

func (r *identityStoreRow) toStorage() (*storage.IdentityStore, error) {
	types, err := decodeList[storage.IdentifierType](r.IdentifierTypes, "identity_stores.identifier_types")
	if err != nil {
		return nil, err
	}
	attrs, err := decodeList[storage.AttributeDef](r.Attributes, "identity_stores.attributes")
	if err != nil {
		return nil, err
	}
	orgAttrs, err := decodeList[storage.AttributeDef](r.OrgAttributes, "identity_stores.organization_attributes")
	if err != nil {
		return nil, err
	}
	return &storage.IdentityStore{ID: r.ID, Name: r.Name, IdentifierTypes: types, Attributes: attrs,
		OrganizationAttributes: orgAttrs, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// CreateIdentityStore inserts s, filling in ID and CreatedAt when empty;
// its Version is 1 and UpdatedAt its CreatedAt.
func (s *Store) CreateIdentityStore(ctx context.Context, is *storage.IdentityStore) error {
	if is.ID == "" {
		is.ID = newID()
	}
	is.CreatedAt = orNow(is.CreatedAt)
	is.UpdatedAt, is.Version = is.CreatedAt, 1
	row := identityStoreRow{ID: is.ID, Name: is.Name, CreatedAt: is.CreatedAt, UpdatedAt: is.UpdatedAt, Version: 1,
		IdentifierTypes: encodeJSON(is.IdentifierTypes, "[]"), Attributes: encodeJSON(is.Attributes, "[]"),
		OrgAttributes: encodeJSON(is.OrganizationAttributes, "[]")}
	return wrapErr(s.db(ctx).Create(&row).Error, "create identity store %q", is.ID)
}

// GetIdentityStore reads one identity store.
func (s *Store) GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error) {
	var row identityStoreRow
	if err := s.db(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get identity store %q", id)
	}
	return row.toStorage()
}

// ListIdentityStores returns every identity store, oldest first.
func (s *Store) ListIdentityStores(ctx context.Context) ([]storage.IdentityStore, error) {
	var rows []identityStoreRow
	if err := s.db(ctx).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list identity stores")
	}
	out := make([]storage.IdentityStore, 0, len(rows))
	for i := range rows {
		is, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *is)
	}
	return out, nil
}

type accountRow struct {
	ID                 string     `gorm:"column:id;primaryKey"`
	StoreID            string     `gorm:"column:store_id"`
	Status             string     `gorm:"column:status"`
	Username           string     `gorm:"column:username"`
	UsernameNormalized string     `gorm:"column:username_normalized"`
	Email              string     `gorm:"column:email"`
	EmailNormalized    string     `gorm:"column:email_normalized"`
	EmailConfirmed     bool       `gorm:"column:email_confirmed"`
	EmailUnproven      bool       `gorm:"column:email_unproven"`
	Phone              string     `gorm:"column:phone"`
	PhoneConfirmed     bool       `gorm:"column:phone_confirmed"`
	Attributes         string     `gorm:"column:attributes"`
	Language           string     `gorm:"column:language"`
	CreatedAt          time.Time  `gorm:"column:created_at"`
	UpdatedAt          time.Time  `gorm:"column:updated_at"`
	LastLoginAt        *time.Time `gorm:"column:last_login_at"`
	Version            int64      `gorm:"column:version"`
}

func (accountRow) TableName() string { return "accounts" }

// normalize is how email and username are compared: case-insensitively.
func normalize(s string) string { return strings.ToLower(s) }

func (r *accountRow) toStorage() (*storage.Account, error) {
	attrs, err := decodeMap(r.Attributes, "accounts.attributes")
	if err != nil {
		return nil, err
	}
	return &storage.Account{
		ID: r.ID, StoreID: r.StoreID, Status: storage.AccountStatus(r.Status),
		Username: r.Username, Email: r.Email, EmailConfirmed: r.EmailConfirmed, EmailUnproven: r.EmailUnproven,
		Phone: r.Phone, PhoneConfirmed: r.PhoneConfirmed, Attributes: attrs, Language: r.Language,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), LastLoginAt: utcPtr(r.LastLoginAt),
		Version: r.Version,
	}, nil
}

// CreateAccount inserts a, filling in ID, Status (enabled) and times when
// empty. A taken email, username or phone in the store is ErrConflict; an
// unknown store is ErrNotFound.
func (s *Store) CreateAccount(ctx context.Context, a *storage.Account) error {
	if a.ID == "" {
		a.ID = newID()
	}
	if a.Status == "" {
		a.Status = storage.AccountEnabled
	}
	a.CreatedAt = orNow(a.CreatedAt)
	a.UpdatedAt = orNow(a.UpdatedAt)
	a.LastLoginAt = dbTimePtr(a.LastLoginAt)
	a.Version = 1
	row := accountRow{Version: 1,
		ID: a.ID, StoreID: a.StoreID, Status: string(a.Status),
		Username: a.Username, UsernameNormalized: normalize(a.Username),
		Email: a.Email, EmailNormalized: normalize(a.Email), EmailConfirmed: a.EmailConfirmed, EmailUnproven: a.EmailUnproven,
		Phone: a.Phone, PhoneConfirmed: a.PhoneConfirmed, Attributes: encodeJSON(a.Attributes, "{}"),
		Language: a.Language, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, LastLoginAt: a.LastLoginAt,
	}
	if len(a.Attributes) == 0 {
		return wrapErr(s.db(ctx).Create(&row).Error, "create account %q", a.ID)
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return wrapErr(err, "create account %q", a.ID)
		}
		return writeSearchAttributes(tx, a.StoreID, a.ID, a.Attributes, false)
	})
}

// GetAccount reads one account.
func (s *Store) GetAccount(ctx context.Context, id string) (*storage.Account, error) {
	var row accountRow
	if err := s.db(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get account %q", id)
	}
	return row.toStorage()
}

// identifierQuery is the WHERE clause for a lookup. The "<> ”" term
// repeats the partial unique index's predicate so PostgreSQL can use the
// index even for a generic prepared plan, and an empty value never matches
// accounts that lack the identifier.
var identifierQuery = map[storage.IdentifierType]string{
	storage.IdentifierEmail:    "store_id = ? AND email_normalized = ? AND email_normalized <> ''",
	storage.IdentifierUsername: "store_id = ? AND username_normalized = ? AND username_normalized <> ''",
	storage.IdentifierPhone:    "store_id = ? AND phone = ? AND phone <> ''",
}

// FindAccountByIdentifier looks an account up by email, username (both
// case-insensitively) or phone within a store.
func (s *Store) FindAccountByIdentifier(ctx context.Context, storeID string, kind storage.IdentifierType, value string) (*storage.Account, error) {
	where, ok := identifierQuery[kind]
	if !ok {
		return nil, fmt.Errorf("sqlstore: find account by unknown identifier type %q: %w", kind, storage.ErrNotFound)
	}
	if kind != storage.IdentifierPhone {
		value = normalize(value)
	}
	var row accountRow
	if err := s.db(ctx).Where(where, storeID, value).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "find account by %s %q in store %q", kind, value, storeID)
	}
	return row.toStorage()
}

// SetAccountStatus enables or disables an account.
func (s *Store) SetAccountStatus(ctx context.Context, id string, status storage.AccountStatus) error {
	res := s.db(ctx).Table("accounts").Where("id = ?", id).
		Updates(map[string]any{"status": string(status), "updated_at": now(), "version": gorm.Expr("version + 1")})
	return affected(res, "set status of account %q", id)
}

// ActivateAccount enables a pending account and confirms its e-mail in one
// conditional UPDATE, so a disabled account is never enabled by it.
func (s *Store) ActivateAccount(ctx context.Context, id string) error {
	res := s.db(ctx).Table("accounts").Where("id = ? AND status = ?", id, string(storage.AccountPending)).
		Updates(map[string]any{"status": string(storage.AccountEnabled), "email_confirmed": true, "updated_at": now(),
			"version": gorm.Expr("version + 1")})
	return affected(res, "activate account %q", id)
}

// TouchLastLogin records a successful sign-in.
func (s *Store) TouchLastLogin(ctx context.Context, id string, at time.Time) error {
	res := s.db(ctx).Table("accounts").Where("id = ?", id).Update("last_login_at", dbTime(at))
	return affected(res, "touch last login of account %q", id)
}

// CountAccounts counts a store's accounts.
func (s *Store) CountAccounts(ctx context.Context, storeID string) (int64, error) {
	var n int64
	if err := s.db(ctx).Table("accounts").Where("store_id = ?", storeID).Count(&n).Error; err != nil {
		return 0, wrapErr(err, "count accounts of store %q", storeID)
	}
	return n, nil
}

type passwordRow struct {
	AccountID string    `gorm:"column:account_id;primaryKey"`
	Hash      string    `gorm:"column:hash"`
	UpdatedAt time.Time `gorm:"column:updated_at"`
}

func (passwordRow) TableName() string { return "password_credentials" }

// SetPassword creates or replaces an account's password hash; an unknown
// account is ErrNotFound.
func (s *Store) SetPassword(ctx context.Context, accountID, hash string) error {
	row := passwordRow{AccountID: accountID, Hash: hash, UpdatedAt: now()}
	err := s.db(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "account_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"hash", "updated_at"}),
	}).Create(&row).Error
	return wrapErr(err, "set password of account %q", accountID)
}

// DeletePassword removes an account's password hash, if any.
func (s *Store) DeletePassword(ctx context.Context, accountID string) error {
	err := s.db(ctx).Where("account_id = ?", accountID).Delete(&passwordRow{}).Error
	return wrapErr(err, "delete password of account %q", accountID)
}

// GetPassword reads an account's password hash.
func (s *Store) GetPassword(ctx context.Context, accountID string) (*storage.PasswordCredential, error) {
	var row passwordRow
	if err := s.db(ctx).Where("account_id = ?", accountID).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get password of account %q", accountID)
	}
	return &storage.PasswordCredential{AccountID: row.AccountID, Hash: row.Hash, UpdatedAt: row.UpdatedAt.UTC()}, nil
}

// accountPasswordRow is an account with its password's columns, NULL when
// it has none.
type accountPasswordRow struct {
	Account           accountRow `gorm:"embedded"`
	PasswordHash      *string    `gorm:"column:password_hash"`
	PasswordUpdatedAt *time.Time `gorm:"column:password_updated_at"`
}

// FindAccountPassword looks an account up as FindAccountByIdentifier does
// and joins its password: one statement, whether or not the identifier
// names an account.
func (s *Store) FindAccountPassword(ctx context.Context, storeID string, kind storage.IdentifierType, value string) (*storage.Account, *storage.PasswordCredential, error) {
	where, ok := identifierQuery[kind]
	if !ok {
		return nil, nil, fmt.Errorf("sqlstore: find account by unknown identifier type %q: %w", kind, storage.ErrNotFound)
	}
	if kind != storage.IdentifierPhone {
		value = normalize(value)
	}
	var row accountPasswordRow
	err := s.db(ctx).Table("accounts").
		Select("accounts.*, password_credentials.hash AS password_hash, password_credentials.updated_at AS password_updated_at").
		Joins("LEFT JOIN password_credentials ON password_credentials.account_id = accounts.id").
		Where(where, storeID, value).Take(&row).Error
	if err != nil {
		return nil, nil, wrapErr(err, "find account and password by %s %q in store %q", kind, value, storeID)
	}
	acct, err := row.Account.toStorage()
	if err != nil || row.PasswordHash == nil || row.PasswordUpdatedAt == nil {
		return acct, nil, err
	}
	return acct, &storage.PasswordCredential{AccountID: acct.ID, Hash: *row.PasswordHash, UpdatedAt: row.PasswordUpdatedAt.UTC()}, nil
}
