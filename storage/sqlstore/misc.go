package sqlstore

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"foyer/storage"
)

type signingKeyRow struct {
	ID                  string     `gorm:"column:id;primaryKey"`
	Algorithm           string     `gorm:"column:algorithm"`
	Status              string     `gorm:"column:status"`
	PrivateKeyEncrypted []byte     `gorm:"column:private_key_encrypted"`
	PublicJWK           []byte     `gorm:"column:public_jwk"`
	CreatedAt           time.Time  `gorm:"column:created_at"`
	RetiredAt           *time.Time `gorm:"column:retired_at"`
}

func (signingKeyRow) TableName() string { return "signing_keys" }

// CreateSigningKey inserts k, filling in ID, Status (active) and CreatedAt
// when empty.
func (s *Store) CreateSigningKey(ctx context.Context, k *storage.SigningKey) error {
	if k.ID == "" {
		k.ID = newID()
	}
	if k.Status == "" {
		k.Status = storage.KeyActive
	}
	k.CreatedAt = orNow(k.CreatedAt)
	k.RetiredAt = dbTimePtr(k.RetiredAt)
	row := signingKeyRow{ID: k.ID, Algorithm: k.Algorithm, Status: string(k.Status),
		PrivateKeyEncrypted: k.PrivateKeyEncrypted, PublicJWK: k.PublicJWK,
		CreatedAt: k.CreatedAt, RetiredAt: k.RetiredAt}
	return wrapErr(s.db(ctx).Create(&row).Error, "create signing key %q", k.ID)
}

// ListSigningKeys returns every key, newest first.
func (s *Store) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	var rows []signingKeyRow
	if err := s.db(ctx).Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list signing keys")
	}
	out := make([]storage.SigningKey, len(rows))
	for i, r := range rows {
		out[i] = storage.SigningKey{ID: r.ID, Algorithm: r.Algorithm, Status: storage.KeyStatus(r.Status),
			PrivateKeyEncrypted: r.PrivateKeyEncrypted, PublicJWK: r.PublicJWK,
			CreatedAt: r.CreatedAt.UTC(), RetiredAt: utcPtr(r.RetiredAt)}
	}
	return out, nil
}

// RetireSigningKey marks a key retired as of at.
func (s *Store) RetireSigningKey(ctx context.Context, id string, at time.Time) error {
	res := s.db(ctx).Exec(`UPDATE signing_keys SET status = ?, retired_at = ? WHERE id = ?`,
		string(storage.KeyRetired), dbTime(at), id)
	return affected(res, "retire signing key %q", id)
}

type eventRow struct {
	Seq       int64     `gorm:"column:seq;primaryKey;autoIncrement"`
	ID        string    `gorm:"column:id"`
	AccountID string    `gorm:"column:account_id"`
	Kind      string    `gorm:"column:kind"`
	Actor     string    `gorm:"column:actor"`
	IP        string    `gorm:"column:ip"`
	Data      string    `gorm:"column:data"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (eventRow) TableName() string { return "events" }

// AppendEvent records e, filling in ID and CreatedAt when empty.
func (s *Store) AppendEvent(ctx context.Context, e *storage.Event) error {
	if e.ID == "" {
		e.ID = newID()
	}
	e.CreatedAt = orNow(e.CreatedAt)
	row := eventRow{ID: e.ID, AccountID: e.AccountID, Kind: e.Kind, Actor: e.Actor, IP: e.IP,
		Data: encodeJSON(e.Data, "{}"), CreatedAt: e.CreatedAt}
	if err := s.db(ctx).Create(&row).Error; err != nil {
		return wrapErr(err, "append event %q", e.Kind)
	}
	e.Seq = row.Seq
	return nil
}

// ListEvents returns an account's events, newest first, at most limit
// (all of them when limit <= 0). Events of one microsecond keep their
// append order through seq.
func (s *Store) ListEvents(ctx context.Context, accountID string, limit int) ([]storage.Event, error) {
	q := s.db(ctx).Where("account_id = ?", accountID).Order("created_at DESC, seq DESC")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []eventRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list events of account %q", accountID)
	}
	return eventsOf(rows)
}

// eventsOf converts rows read from the events table.
func eventsOf(rows []eventRow) ([]storage.Event, error) {
	out := make([]storage.Event, len(rows))
	for i, r := range rows {
		data, err := decodeMap(r.Data, "events.data")
		if err != nil {
			return nil, err
		}
		out[i] = storage.Event{ID: r.ID, AccountID: r.AccountID, Kind: r.Kind, Actor: r.Actor, IP: r.IP,
			Data: data, CreatedAt: r.CreatedAt.UTC(), Seq: r.Seq}
	}
	return out, nil
}

type settingRow struct {
	Name      string    `gorm:"column:name;primaryKey"`
	Value     string    `gorm:"column:value"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (settingRow) TableName() string { return "settings" }

// GetSetting reads a setting; ErrNotFound when unset.
func (s *Store) GetSetting(ctx context.Context, name string) (string, error) {
	var row settingRow
	if err := s.db(ctx).Where("name = ?", name).Take(&row).Error; err != nil {
		return "", wrapErr(err, "get setting %q", name)
	}
	return row.Value, nil
}

// SetSettingIfAbsent stores the value unless the name exists. The
// insert-or-nothing is one statement, so of concurrent starters exactly one
// sees a row inserted.
func (s *Store) SetSettingIfAbsent(ctx context.Context, name, value string) (bool, error) {
	row := settingRow{Name: name, Value: value, CreatedAt: now()}
	res := s.db(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return false, wrapErr(res.Error, "set setting %q", name)
	}
	return res.RowsAffected == 1, nil
}
