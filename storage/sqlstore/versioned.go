package sqlstore

import (
	"fmt"

	"gorm.io/gorm"

	"foyer/storage"
)

// rowRef names one versioned row: its table, id and (for what belongs to
// an identity store) the store, so one store's id never reaches another's
// row.
type rowRef struct {
	table, id, storeID, what string
}

func (r rowRef) scope(db *gorm.DB) *gorm.DB {
	q := db.Table(r.table).Where("id = ?", r.id)
	if r.storeID != "" {
		q = q.Where("store_id = ?", r.storeID)
	}
	return q
}

// missing tells why a guarded statement touched no row: ErrNotFound when
// the row is gone, ErrStale when it is there at another version.
func (r rowRef) missing(db *gorm.DB) error {
	var n int64
	if err := r.scope(db).Count(&n).Error; err != nil {
		return wrapErr(err, "find %s %q", r.what, r.id)
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: %s %q: %w", r.what, r.id, storage.ErrNotFound)
	}
	return fmt.Errorf("sqlstore: %s %q: %w", r.what, r.id, storage.ErrStale)
}

// update writes set to the row if it is at expected (any version for 0),
// increments its version and returns the new one. Run it in a
// transaction: the version is read back when expected is 0.
func (r rowRef) update(db *gorm.DB, expected int64, set map[string]any) (int64, error) {
	q := r.scope(db)
	if expected > 0 {
		q = q.Where("version = ?", expected)
	}
	set["version"] = gorm.Expr("version + 1")
	res := q.Updates(set)
	if res.Error != nil {
		return 0, wrapErr(res.Error, "update %s %q", r.what, r.id)
	}
	if res.RowsAffected == 0 {
		return 0, r.missing(db)
	}
	if expected > 0 {
		return expected + 1, nil
	}
	var v int64
	if err := r.scope(db).Select("version").Row().Scan(&v); err != nil {
		return 0, wrapErr(err, "read version of %s %q", r.what, r.id)
	}
	return v, nil
}

// delete removes the row if it is at expected (any version for 0).
func (r rowRef) delete(db *gorm.DB, expected int64) error {
	stmt, args := "DELETE FROM "+r.table+" WHERE id = ?", []any{r.id}
	if r.storeID != "" {
		stmt, args = stmt+" AND store_id = ?", append(args, r.storeID)
	}
	if expected > 0 {
		stmt, args = stmt+" AND version = ?", append(args, expected)
	}
	res := db.Exec(stmt, args...)
	if res.Error != nil {
		return wrapErr(res.Error, "delete %s %q", r.what, r.id)
	}
	if res.RowsAffected == 0 {
		return r.missing(db)
	}
	return nil
}

// page limits a list query to the rows after the key, by that key.
func page(q *gorm.DB, column, after string, limit int) *gorm.DB {
	if after != "" {
		q = q.Where(column+" > ?", after)
	}
	q = q.Order(column)
	if limit > 0 {
		q = q.Limit(limit)
	}
	return q
}
