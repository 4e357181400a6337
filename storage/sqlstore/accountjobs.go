package sqlstore

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"foyer/storage"
	"foyer/storage/migrations"
)

type accountJobRow struct {
	ID          string     `gorm:"column:id;primaryKey"`
	StoreID     string     `gorm:"column:store_id"`
	Action      string     `gorm:"column:action"`
	Arg         string     `gorm:"column:arg"`
	AccountIDs  string     `gorm:"column:account_ids"`
	Query       string     `gorm:"column:query"`
	Status      string     `gorm:"column:status"`
	Total       int64      `gorm:"column:total"`
	Processed   int64      `gorm:"column:processed"`
	Failed      int64      `gorm:"column:failed"`
	LastAccount string     `gorm:"column:last_account"`
	Actor       string     `gorm:"column:actor"`
	LeaseOwner  string     `gorm:"column:lease_owner"`
	LockedUntil *time.Time `gorm:"column:locked_until"`
	LastError   string     `gorm:"column:last_error"`
	CreatedAt   time.Time  `gorm:"column:created_at"`
	UpdatedAt   time.Time  `gorm:"column:updated_at"`
	FinishedAt  *time.Time `gorm:"column:finished_at"`
}

func (accountJobRow) TableName() string { return "account_jobs" }

func (r *accountJobRow) toStorage() (*storage.AccountJob, error) {
	ids, err := decodeList[string](r.AccountIDs, "account_jobs.account_ids")
	if err != nil {
		return nil, err
	}
	return &storage.AccountJob{ID: r.ID, StoreID: r.StoreID, Action: r.Action, Arg: r.Arg, AccountIDs: ids,
		Query: r.Query, Status: storage.AccountJobStatus(r.Status), Total: r.Total, Processed: r.Processed,
		Failed: r.Failed, Cursor: r.LastAccount, Actor: r.Actor, LeaseOwner: r.LeaseOwner,
		LockedUntil: utcPtr(r.LockedUntil), LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), FinishedAt: utcPtr(r.FinishedAt)}, nil
}

type accountJobFailureRow struct {
	JobID     string    `gorm:"column:job_id;primaryKey"`
	AccountID string    `gorm:"column:account_id;primaryKey"`
	Error     string    `gorm:"column:error"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (accountJobFailureRow) TableName() string { return "account_job_failures" }

// unfinishedJob is the condition of a job some node may still work on.
const unfinishedJob = `status IN ('queued', 'running')`

// byteOrder makes a comparison or an ORDER BY of ids follow byte order on
// PostgreSQL whatever the database's collation (SQLite compares bytes
// already): a job's cursor must agree with the order it walks in.
func (s *Store) byteOrder() string {
	if s.dialect == migrations.Postgres {
		return ` COLLATE "C"`
	}
	return ""
}

// CreateAccountJob inserts j as queued.
func (s *Store) CreateAccountJob(ctx context.Context, j *storage.AccountJob) error {
	if j.ID == "" {
		j.ID = newID()
	}
	j.CreatedAt = orNow(j.CreatedAt)
	j.UpdatedAt = j.CreatedAt
	j.Status = storage.AccountJobQueued
	row := accountJobRow{ID: j.ID, StoreID: j.StoreID, Action: j.Action, Arg: j.Arg,
		AccountIDs: encodeJSON(j.AccountIDs, "[]"), Query: j.Query, Status: string(j.Status), Total: j.Total,
		Actor: j.Actor, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt}
	if row.Actor == "" {
		row.Actor = "{}"
	}
	return wrapErr(s.db(ctx).Create(&row).Error, "create account job")
}

// GetAccountJob returns the job; ErrNotFound.
func (s *Store) GetAccountJob(ctx context.Context, id string) (*storage.AccountJob, error) {
	var row accountJobRow
	if err := s.db(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get account job")
	}
	return row.toStorage()
}

// ListAccountJobs pages the store's jobs newest first; the cursor is the
// last job's id, whose (created_at, id) the next page continues below.
func (s *Store) ListAccountJobs(ctx context.Context, storeID, after string, limit int) ([]storage.AccountJob, error) {
	q := s.db(ctx).Where("store_id = ?", storeID)
	if after != "" {
		var last accountJobRow
		if err := s.db(ctx).Select("created_at, id").Where("id = ? AND store_id = ?", after, storeID).Take(&last).Error; err != nil {
			return nil, wrapErr(err, "list account jobs: cursor")
		}
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", last.CreatedAt, last.CreatedAt, last.ID)
	}
	var rows []accountJobRow
	if err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list account jobs")
	}
	out := make([]storage.AccountJob, 0, len(rows))
	for i := range rows {
		j, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *j)
	}
	return out, nil
}

// ClaimAccountJob leases the oldest claimable job with a conditional
// UPDATE, as claimDue does for the outboxes: of racing nodes only the one
// whose UPDATE matched holds it, and the new lease_owner makes any
// progress the previous holder still tries to record fail.
func (s *Store) ClaimAccountJob(ctx context.Context, owner string, now time.Time, lease time.Duration) (*storage.AccountJob, error) {
	now = dbTime(now)
	free := unfinishedJob + ` AND (locked_until IS NULL OR locked_until <= ?)`
	var ids []string
	err := s.db(ctx).Raw(`SELECT id FROM account_jobs WHERE `+free+` ORDER BY created_at, id LIMIT 10`, now).Scan(&ids).Error
	if err != nil {
		return nil, wrapErr(err, "find claimable account jobs")
	}
	for _, id := range ids {
		res := s.db(ctx).Exec(`UPDATE account_jobs SET status = 'running', lease_owner = ?, locked_until = ?, updated_at = ?
			WHERE id = ? AND `+free, owner, dbTime(now.Add(lease)), now, id, now)
		if res.Error != nil {
			return nil, wrapErr(res.Error, "claim account job")
		}
		if res.RowsAffected == 1 {
			return s.GetAccountJob(ctx, id)
		}
	}
	return nil, wrapErr(gorm.ErrRecordNotFound, "claim account job")
}

// RenewAccountJobLease extends owner's lease.
func (s *Store) RenewAccountJobLease(ctx context.Context, id, owner string, until time.Time) error {
	res := s.db(ctx).Exec(`UPDATE account_jobs SET locked_until = ? WHERE id = ? AND lease_owner = ? AND status = 'running'`,
		dbTime(until), id, owner)
	return affected(res, "renew account job lease")
}

// AdvanceAccountJob moves owner's job past accountID (see the interface).
func (s *Store) AdvanceAccountJob(ctx context.Context, id, owner, accountID, failure string, at time.Time) error {
	at = dbTime(at)
	failed := 0
	if failure != "" {
		failed = 1
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE account_jobs SET processed = processed + 1, failed = failed + ?, last_account = ?, updated_at = ?
			WHERE id = ? AND lease_owner = ? AND status = 'running' AND last_account`+s.byteOrder()+` < ?`,
			failed, accountID, at, id, owner, accountID)
		if err := affected(res, "advance account job"); err != nil {
			return err
		}
		if failure == "" {
			return nil
		}
		row := accountJobFailureRow{JobID: id, AccountID: accountID, Error: truncateText(failure, 1000), CreatedAt: at}
		return wrapErr(tx.Create(&row).Error, "record account job failure")
	})
}

// FinishAccountJob ends owner's running job.
func (s *Store) FinishAccountJob(ctx context.Context, id, owner string, status storage.AccountJobStatus, lastError string, at time.Time) error {
	if !status.Finished() {
		return errors.New("sqlstore: finish account job: status " + string(status) + " is not an end")
	}
	at = dbTime(at)
	res := s.db(ctx).Exec(`UPDATE account_jobs SET status = ?, last_error = ?, locked_until = NULL, updated_at = ?, finished_at = ?
		WHERE id = ? AND lease_owner = ? AND status = 'running'`, string(status), truncateText(lastError, 1000), at, at, id, owner)
	return affected(res, "finish account job")
}

// CancelAccountJob stops a queued or running job.
func (s *Store) CancelAccountJob(ctx context.Context, id string, at time.Time) error {
	at = dbTime(at)
	res := s.db(ctx).Exec(`UPDATE account_jobs SET status = 'cancelled', locked_until = NULL, updated_at = ?, finished_at = ?
		WHERE id = ? AND `+unfinishedJob, at, at, id)
	if res.Error != nil {
		return wrapErr(res.Error, "cancel account job")
	}
	if res.RowsAffected == 1 {
		return nil
	}
	if _, err := s.GetAccountJob(ctx, id); err != nil {
		return err
	}
	return wrapErr(storage.ErrConflict, "cancel account job: already finished")
}

// ListAccountJobFailures pages a job's failures by account id.
func (s *Store) ListAccountJobFailures(ctx context.Context, jobID, after string, limit int) ([]storage.AccountJobFailure, error) {
	var rows []accountJobFailureRow
	err := s.db(ctx).Where("job_id = ? AND account_id"+s.byteOrder()+" > ?", jobID, after).
		Order("account_id" + s.byteOrder()).Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "list account job failures")
	}
	out := make([]storage.AccountJobFailure, len(rows))
	for i, r := range rows {
		out[i] = storage.AccountJobFailure{JobID: r.JobID, AccountID: r.AccountID, Error: r.Error, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// ListAccountIDs walks the store's accounts in id (byte) order, on the
// (store_id, id) index.
func (s *Store) ListAccountIDs(ctx context.Context, storeID, after string, limit int) ([]string, error) {
	var ids []string
	err := s.db(ctx).Raw(`SELECT id FROM accounts WHERE store_id = ? AND id`+s.byteOrder()+` > ? ORDER BY id`+s.byteOrder()+` LIMIT ?`,
		storeID, after, limit).Scan(&ids).Error
	if err != nil {
		return nil, wrapErr(err, "list account ids")
	}
	return ids, nil
}

// SearchAccountIDs walks a search result in id (byte) order with the
// account search's own filters (searchFilters), so a job selects exactly
// what the list showed.
func (s *Store) SearchAccountIDs(ctx context.Context, q storage.AccountSearch, after string, limit int) ([]string, error) {
	if q.StoreID == "" || q.StoreID == storage.AdministratorsStoreID {
		return nil, nil
	}
	where, args := s.searchFilters(q)
	where = append(where, "a.id"+s.byteOrder()+" > ?")
	args = append(args, after, limit)
	var ids []string
	err := s.db(ctx).Raw(`SELECT a.id FROM accounts a WHERE `+strings.Join(where, " AND ")+
		` ORDER BY a.id`+s.byteOrder()+` LIMIT ?`, args...).Scan(&ids).Error
	if unstorable(err) {
		return nil, nil // a condition no stored text meets
	}
	if err != nil {
		return nil, wrapErr(err, "search account ids of store %q", q.StoreID)
	}
	return ids, nil
}

// CountSearchedAccounts counts a search result (a job's estimated total).
func (s *Store) CountSearchedAccounts(ctx context.Context, q storage.AccountSearch) (int64, error) {
	if q.StoreID == "" || q.StoreID == storage.AdministratorsStoreID {
		return 0, nil
	}
	where, args := s.searchFilters(q)
	var n int64
	err := s.db(ctx).Raw(`SELECT COUNT(*) FROM accounts a WHERE `+strings.Join(where, " AND "), args...).Scan(&n).Error
	if unstorable(err) {
		return 0, nil // a condition no stored text meets
	}
	if err != nil {
		return 0, wrapErr(err, "count accounts of store %q", q.StoreID)
	}
	return n, nil
}

// releaseNodeJobs makes the running jobs this node's previous run held
// claimable at once (ReleaseNodeLeases). Their owner stays: a new claim
// gives them a new one, so nothing the dead run wrote late could count.
func (s *Store) releaseNodeJobs(ctx context.Context) (int64, error) {
	if s.node == "" {
		return 0, nil
	}
	prefix := s.node + storage.NodeLeaseSeparator
	res := s.db(ctx).Exec(`UPDATE account_jobs SET locked_until = NULL
		WHERE status = 'running' AND locked_until IS NOT NULL AND substr(lease_owner, 1, ?) = ?`,
		utf8.RuneCountInString(prefix), prefix)
	if res.Error != nil {
		return 0, wrapErr(res.Error, "release this node's account jobs")
	}
	return res.RowsAffected, nil
}
