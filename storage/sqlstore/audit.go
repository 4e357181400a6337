package sqlstore

import (
	"context"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
	"foyer/storage/migrations"
)

// auditLockClass is the first key of the PostgreSQL advisory lock that
// serializes audit appends ("audt"); the second is the database's name.
const auditLockClass = 0x61756474

// auditWalkBatch is how many entries WalkAuditEntries reads at a time.
const auditWalkBatch = 500

type auditEntryRow struct {
	Seq        int64     `gorm:"column:seq;primaryKey;autoIncrement:false"`
	ID         string    `gorm:"column:id"`
	CreatedAt  time.Time `gorm:"column:created_at"`
	ActorKind  string    `gorm:"column:actor_kind"`
	ActorID    string    `gorm:"column:actor_id"`
	ActorName  string    `gorm:"column:actor_name"`
	Role       string    `gorm:"column:role"`
	IP         string    `gorm:"column:ip"`
	UserAgent  string    `gorm:"column:user_agent"`
	Action     string    `gorm:"column:action"`
	TargetType string    `gorm:"column:target_type"`
	TargetID   string    `gorm:"column:target_id"`
	StoreID    string    `gorm:"column:store_id"`
	Before     string    `gorm:"column:before_json"`
	After      string    `gorm:"column:after_json"`
	PrevHash   string    `gorm:"column:prev_hash"`
	Hash       string    `gorm:"column:hash"`
}

func (auditEntryRow) TableName() string { return "audit_entries" }

func (r *auditEntryRow) toStorage() storage.AuditEntry {
	return storage.AuditEntry{Seq: r.Seq, ID: r.ID, CreatedAt: r.CreatedAt.UTC(),
		ActorKind: storage.PrincipalKind(r.ActorKind), ActorID: r.ActorID, ActorName: r.ActorName,
		Role: storage.AdminRole(r.Role), IP: r.IP, UserAgent: r.UserAgent, Action: r.Action,
		TargetType: r.TargetType, TargetID: r.TargetID, StoreID: r.StoreID, Before: r.Before,
		After: r.After, PrevHash: r.PrevHash, Hash: r.Hash}
}

func auditRowOf(e *storage.AuditEntry) auditEntryRow {
	return auditEntryRow{Seq: e.Seq, ID: e.ID, CreatedAt: e.CreatedAt, ActorKind: string(e.ActorKind),
		ActorID: e.ActorID, ActorName: e.ActorName, Role: string(e.Role), IP: e.IP,
		UserAgent: e.UserAgent, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID,
		StoreID: e.StoreID, Before: e.Before, After: e.After, PrevHash: e.PrevHash, Hash: e.Hash}
}

// AppendAuditEntry links e to the head of the chain and inserts it, in the
// context's transaction or a new one. Reading the head and inserting after
// it must not interleave with another append, on any node: PostgreSQL
// takes a transaction-scoped advisory lock (held until the caller's
// transaction ends, so an entry written inside a longer change still
// orders correctly); SQLite transactions begin IMMEDIATE (sqlitePragmas),
// which already holds the database's one write lock. The primary key on
// seq is the last guard: a lost race would fail, never fork the chain.
func (s *Store) AppendAuditEntry(ctx context.Context, e *storage.AuditEntry) error {
	if e.ID == "" {
		e.ID = newID()
	}
	e.CreatedAt = orNow(e.CreatedAt)
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if s.dialect == migrations.Postgres {
			err := tx.Exec(`SELECT pg_advisory_xact_lock(?, hashtext(current_database()))`, auditLockClass).Error
			if err != nil {
				return wrapErr(err, "lock audit log")
			}
		}
		var head []auditEntryRow
		if err := tx.Order("seq DESC").Limit(1).Find(&head).Error; err != nil {
			return wrapErr(err, "read audit head")
		}
		e.Seq, e.PrevHash = 1, ""
		if len(head) == 1 {
			e.Seq, e.PrevHash = head[0].Seq+1, head[0].Hash
		}
		e.Hash = e.ComputeHash(s.auditKey)
		row := auditRowOf(e)
		return wrapErr(tx.Create(&row).Error, "append audit entry")
	})
}

// ListAuditEntries returns entries matching f, newest first.
func (s *Store) ListAuditEntries(ctx context.Context, f storage.AuditFilter) ([]storage.AuditEntry, error) {
	q := s.db(ctx).Model(&auditEntryRow{})
	for _, c := range []struct{ col, v string }{{"actor_id", f.ActorID},
		{"target_type", f.TargetType}, {"target_id", f.TargetID}, {"store_id", f.StoreID}} {
		if c.v != "" {
			q = q.Where(c.col+" = ?", c.v) // col is one of the constants above
		}
	}
	switch {
	case f.Action == "":
	case f.Action[len(f.Action)-1] == '.':
		// substr, not LIKE: an action may hold LIKE's wildcards.
		q = q.Where("substr(action, 1, ?) = ?", len(f.Action), f.Action)
	default:
		q = q.Where("action = ?", f.Action)
	}
	if !f.Since.IsZero() {
		q = q.Where("created_at >= ?", dbTime(f.Since))
	}
	if !f.Until.IsZero() {
		q = q.Where("created_at < ?", dbTime(f.Until))
	}
	if f.BeforeSeq > 0 {
		q = q.Where("seq < ?", f.BeforeSeq)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []auditEntryRow
	if err := q.Order("seq DESC").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list audit entries")
	}
	out := make([]storage.AuditEntry, len(rows))
	for i := range rows {
		out[i] = rows[i].toStorage()
	}
	return out, nil
}

// WalkAuditEntries reads the chain oldest first, a batch at a time, so a
// long log is never held in memory at once.
func (s *Store) WalkAuditEntries(ctx context.Context, fn func(storage.AuditEntry) error) error {
	var after int64 = -1 << 63
	for {
		var rows []auditEntryRow
		err := s.db(ctx).Where("seq > ?", after).Order("seq").Limit(auditWalkBatch).Find(&rows).Error
		if err != nil {
			return wrapErr(err, "walk audit entries")
		}
		for i := range rows {
			if err := fn(rows[i].toStorage()); err != nil {
				return err
			}
		}
		if len(rows) < auditWalkBatch {
			return nil
		}
		after = rows[len(rows)-1].Seq
	}
}
