package sqlstore

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
)

type upstreamProviderRow struct {
	ID                 string    `gorm:"column:id;primaryKey"`
	StoreID            string    `gorm:"column:store_id"`
	Name               string    `gorm:"column:name"`
	Kind               string    `gorm:"column:kind"`
	Preset             string    `gorm:"column:preset"`
	Issuer             string    `gorm:"column:issuer"`
	AuthURL            string    `gorm:"column:auth_url"`
	TokenURL           string    `gorm:"column:token_url"`
	UserInfoURL        string    `gorm:"column:userinfo_url"`
	ClientID           string    `gorm:"column:client_id"`
	ClientSecretSealed []byte    `gorm:"column:client_secret_sealed"`
	TeamID             string    `gorm:"column:team_id"`
	KeyID              string    `gorm:"column:key_id"`
	PrivateKeySealed   []byte    `gorm:"column:private_key_sealed"`
	Scopes             string    `gorm:"column:scopes"`
	ClaimMapping       string    `gorm:"column:claim_mapping"`
	Enabled            bool      `gorm:"column:enabled"`
	Version            int64     `gorm:"column:version"`
	CreatedAt          time.Time `gorm:"column:created_at"`
	UpdatedAt          time.Time `gorm:"column:updated_at"`
}

func (upstreamProviderRow) TableName() string { return "upstream_providers" }

func fromUpstreamProvider(p *storage.UpstreamProvider) upstreamProviderRow {
	return upstreamProviderRow{ID: p.ID, StoreID: p.StoreID, Name: p.Name, Kind: p.Kind, Preset: p.Preset,
		Issuer: p.Issuer, AuthURL: p.AuthURL, TokenURL: p.TokenURL, UserInfoURL: p.UserInfoURL,
		ClientID: p.ClientID, ClientSecretSealed: p.ClientSecretSealed, TeamID: p.TeamID, KeyID: p.KeyID,
		PrivateKeySealed: p.PrivateKeySealed, Scopes: encodeJSON(p.Scopes, "[]"),
		ClaimMapping: encodeJSON(p.ClaimMapping, "{}"), Enabled: p.Enabled, Version: p.Version,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func (r *upstreamProviderRow) toUpstreamProvider() (*storage.UpstreamProvider, error) {
	p := &storage.UpstreamProvider{ID: r.ID, StoreID: r.StoreID, Name: r.Name, Kind: r.Kind, Preset: r.Preset,
		Issuer: r.Issuer, AuthURL: r.AuthURL, TokenURL: r.TokenURL, UserInfoURL: r.UserInfoURL,
		ClientID: r.ClientID, ClientSecretSealed: r.ClientSecretSealed, TeamID: r.TeamID, KeyID: r.KeyID,
		PrivateKeySealed: r.PrivateKeySealed, Enabled: r.Enabled, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	var err error
	if p.Scopes, err = decodeList[string](r.Scopes, "upstream_providers.scopes"); err != nil {
		return nil, err
	}
	if p.ClaimMapping, err = decodeMap(r.ClaimMapping, "upstream_providers.claim_mapping"); err != nil {
		return nil, err
	}
	return p, nil
}

// CreateUpstreamProvider inserts a provider of an existing store.
func (s *Store) CreateUpstreamProvider(ctx context.Context, p *storage.UpstreamProvider) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM identity_stores WHERE id = ?`, p.StoreID).Scan(&n).Error; err != nil {
			return wrapErr(err, "create upstream provider in store %q", p.StoreID)
		}
		if n == 0 {
			return fmt.Errorf("sqlstore: create upstream provider: store %q: %w", p.StoreID, storage.ErrNotFound)
		}
		created := *p
		created.Version = 1
		if created.ID == "" {
			created.ID = newID()
		}
		created.CreatedAt = orNow(p.CreatedAt)
		created.UpdatedAt = created.CreatedAt
		row := fromUpstreamProvider(&created)
		if err := tx.Create(&row).Error; err != nil {
			return wrapErr(err, "create upstream provider %q", p.Name)
		}
		*p = created
		return nil
	})
}

// GetUpstreamProvider reads one provider.
func (s *Store) GetUpstreamProvider(ctx context.Context, id string) (*storage.UpstreamProvider, error) {
	var row upstreamProviderRow
	if err := s.db(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get upstream provider %q", id)
	}
	return row.toUpstreamProvider()
}

// ListUpstreamProviders returns the store's providers by name.
func (s *Store) ListUpstreamProviders(ctx context.Context, storeID string) ([]storage.UpstreamProvider, error) {
	var rows []upstreamProviderRow
	if err := s.db(ctx).Where("store_id = ?", storeID).Order("lower(name), id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list upstream providers of store %q", storeID)
	}
	out := make([]storage.UpstreamProvider, 0, len(rows))
	for i := range rows {
		p, err := rows[i].toUpstreamProvider()
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}

// UpdateUpstreamProvider replaces the provider's fields at its version.
func (s *Store) UpdateUpstreamProvider(ctx context.Context, p *storage.UpstreamProvider) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var stored upstreamProviderRow
		if err := tx.Where("id = ?", p.ID).Take(&stored).Error; err != nil {
			return wrapErr(err, "update upstream provider %q", p.ID)
		}
		if p.Version != 0 && p.Version != stored.Version {
			return fmt.Errorf("sqlstore: update upstream provider %q: %w", p.ID, storage.ErrStale)
		}
		updated := *p
		updated.StoreID, updated.CreatedAt = stored.StoreID, stored.CreatedAt
		updated.Version, updated.UpdatedAt = stored.Version+1, now()
		row := fromUpstreamProvider(&updated)
		res := tx.Model(&upstreamProviderRow{}).Where("id = ? AND version = ?", p.ID, stored.Version).
			Select("*").Omit("id", "store_id", "created_at").UpdateColumns(&row)
		if err := res.Error; err != nil {
			return wrapErr(err, "update upstream provider %q", p.ID)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("sqlstore: update upstream provider %q: %w", p.ID, storage.ErrStale)
		}
		*p = updated
		return nil
	})
}

// DeleteUpstreamProvider removes a provider no identity uses.
func (s *Store) DeleteUpstreamProvider(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM external_identities WHERE provider = ?`, id).Scan(&n).Error; err != nil {
			return wrapErr(err, "delete upstream provider %q", id)
		}
		if n > 0 {
			return fmt.Errorf("sqlstore: delete upstream provider %q: %d accounts use it: %w", id, n, storage.ErrConflict)
		}
		return affected(tx.Exec(`DELETE FROM upstream_providers WHERE id = ?`, id), "delete upstream provider %q", id)
	})
}

// CountExternalIdentities counts a provider's identities.
func (s *Store) CountExternalIdentities(ctx context.Context, provider string) (int64, error) {
	var n int64
	err := s.db(ctx).Raw(`SELECT count(*) FROM external_identities WHERE provider = ?`, provider).Scan(&n).Error
	return n, wrapErr(err, "count identities of provider %q", provider)
}

type upstreamAttemptRow struct {
	StateHash     []byte    `gorm:"column:state_hash;primaryKey"`
	ProviderID    string    `gorm:"column:provider_id"`
	Purpose       string    `gorm:"column:purpose"`
	InteractionID string    `gorm:"column:interaction_id"`
	AccountID     string    `gorm:"column:account_id"`
	SessionID     string    `gorm:"column:session_id"`
	Nonce         string    `gorm:"column:nonce"`
	CodeVerifier  string    `gorm:"column:code_verifier"`
	ReturnTo      string    `gorm:"column:return_to"`
	ExpiresAt     time.Time `gorm:"column:expires_at"`
	CreatedAt     time.Time `gorm:"column:created_at"`
}

func (upstreamAttemptRow) TableName() string { return "upstream_attempts" }

// CreateUpstreamAttempt inserts the attempt in place of its flow's last.
func (s *Store) CreateUpstreamAttempt(ctx context.Context, a *storage.UpstreamAttempt) error {
	a.CreatedAt = orNow(a.CreatedAt)
	row := upstreamAttemptRow{StateHash: a.StateHash, ProviderID: a.ProviderID, Purpose: a.Purpose,
		InteractionID: a.InteractionID, AccountID: a.AccountID, SessionID: a.SessionID, Nonce: a.Nonce,
		CodeVerifier: a.CodeVerifier, ReturnTo: a.ReturnTo, ExpiresAt: dbTime(a.ExpiresAt), CreatedAt: a.CreatedAt}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var del *gorm.DB
		switch {
		case a.InteractionID != "":
			del = tx.Exec(`DELETE FROM upstream_attempts WHERE interaction_id = ?`, a.InteractionID)
		case a.SessionID != "":
			del = tx.Exec(`DELETE FROM upstream_attempts WHERE session_id = ? AND interaction_id = ''`, a.SessionID)
		default:
			return fmt.Errorf("sqlstore: create upstream attempt: neither interaction nor session")
		}
		if err := del.Error; err != nil {
			return wrapErr(err, "replace upstream attempt")
		}
		return wrapErr(tx.Create(&row).Error, "create upstream attempt")
	})
}

// TakeUpstreamAttempt deletes and returns a live attempt: whichever
// request deletes the row owns it, so a state works once even when two
// callbacks race.
func (s *Store) TakeUpstreamAttempt(ctx context.Context, stateHash []byte, at time.Time) (*storage.UpstreamAttempt, error) {
	var a *storage.UpstreamAttempt
	expired := false
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var row upstreamAttemptRow
		if err := tx.Where("state_hash = ?", stateHash).Take(&row).Error; err != nil {
			return wrapErr(err, "take upstream attempt")
		}
		res := tx.Exec(`DELETE FROM upstream_attempts WHERE state_hash = ?`, stateHash)
		if err := affected(res, "take upstream attempt"); err != nil {
			return err
		}
		if expired = !row.ExpiresAt.After(at); expired {
			return nil // deleted all the same
		}
		a = &storage.UpstreamAttempt{StateHash: row.StateHash, ProviderID: row.ProviderID, Purpose: row.Purpose,
			InteractionID: row.InteractionID, AccountID: row.AccountID, SessionID: row.SessionID, Nonce: row.Nonce,
			CodeVerifier: row.CodeVerifier, ReturnTo: row.ReturnTo, ExpiresAt: row.ExpiresAt.UTC(),
			CreatedAt: row.CreatedAt.UTC()}
		return nil
	})
	if err == nil && expired {
		err = fmt.Errorf("sqlstore: take upstream attempt: expired: %w", storage.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}
