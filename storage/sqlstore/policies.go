package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
)

type policyRow struct {
	ID        string `gorm:"column:id;primaryKey"`
	Kind      string `gorm:"column:kind"`
	Name      string `gorm:"column:name"`
	NameKey   string `gorm:"column:name_key"` // lower-case name: the unique key
	IsDefault bool   `gorm:"column:is_default"`
	// Body is the kind's policy as JSON, encoded as the application's copy
	// column of the kind encodes it, so copying is copying text.
	Body      string    `gorm:"column:body"`
	Version   int64     `gorm:"column:version"`
	CreatedAt time.Time `gorm:"column:created_at"`
	UpdatedAt time.Time `gorm:"column:updated_at"`
}

func (policyRow) TableName() string { return "policies" }

// policyRowOf encodes p's body by its kind.
func policyRowOf(p *storage.Policy) (*policyRow, error) {
	r := &policyRow{ID: p.ID, Kind: string(p.Kind), Name: p.Name, NameKey: strings.ToLower(p.Name),
		IsDefault: p.IsDefault, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	switch p.Kind {
	case storage.PolicySelfService:
		r.Body = encodePolicy(p.SelfService)
	case storage.PolicyMFA:
		r.Body = encodeJSON(p.MFA, "{}")
	case storage.PolicyConsent:
		r.Body = encodeConsents(p.Consents)
	case storage.PolicyPortal:
		r.Body = encodeJSON(p.Portal, "{}")
	default:
		return nil, fmt.Errorf("sqlstore: policy kind %q: %w", p.Kind, storage.ErrNotFound)
	}
	return r, nil
}

func (r *policyRow) toStorage() (*storage.Policy, error) {
	p := &storage.Policy{ID: r.ID, Kind: storage.PolicyKind(r.Kind), Name: r.Name, IsDefault: r.IsDefault,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	var err error
	switch p.Kind {
	case storage.PolicySelfService:
		p.SelfService, err = decodePolicy(r.Body)
	case storage.PolicyMFA:
		p.MFA, err = decodeMFAPolicy(r.Body)
	case storage.PolicyConsent:
		p.Consents, err = decodeConsents(r.Body)
	case storage.PolicyPortal:
		if r.Body != "" {
			err = json.Unmarshal([]byte(r.Body), &p.Portal)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: policy %q: %w", r.ID, err)
	}
	return p, nil
}

// copyColumn is the applications column holding the copy of the kind's
// body; portal policies are copied into application_portals instead.
func copyColumn(kind string) string {
	switch storage.PolicyKind(kind) {
	case storage.PolicySelfService:
		return "self_service_policy"
	case storage.PolicyMFA:
		return "mfa_policy"
	case storage.PolicyConsent:
		return "consent_policy"
	}
	return ""
}

// idColumn is the applications column naming the assigned policy of the
// kind (kinds are a closed set, so the name is never user input).
func idColumn(kind string) string { return kind + "_policy_id" }

// CreatePolicy inserts p.
func (s *Store) CreatePolicy(ctx context.Context, p *storage.Policy) error {
	if p.ID == "" {
		p.ID = newID()
	}
	p.CreatedAt = orNow(p.CreatedAt)
	p.UpdatedAt, p.Version = p.CreatedAt, 1
	row, err := policyRowOf(p)
	if err != nil {
		return err
	}
	return wrapErr(s.db(ctx).Create(row).Error, "create policy %q", p.Name)
}

// GetPolicy reads one policy.
func (s *Store) GetPolicy(ctx context.Context, id string) (*storage.Policy, error) {
	row, err := getPolicyRow(s.db(ctx), id, "")
	if err != nil {
		return nil, err
	}
	return row.toStorage()
}

// getPolicyRow reads a policy, of the kind unless kind is "".
func getPolicyRow(db *gorm.DB, id string, kind storage.PolicyKind) (*policyRow, error) {
	var row policyRow
	q := db.Where("id = ?", id)
	if kind != "" {
		q = q.Where("kind = ?", string(kind))
	}
	if err := q.Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get policy %q", id)
	}
	return &row, nil
}

// lockPolicyRow reads a policy after taking its row's write lock (a no-op
// update: PostgreSQL locks the row, SQLite the database), so a body copied
// to an application cannot be one a concurrent UpdatePolicy is replacing:
// that update's copy would miss the application assigned meanwhile.
func lockPolicyRow(tx *gorm.DB, id string, kind storage.PolicyKind) (*policyRow, error) {
	if err := tx.Exec(`UPDATE policies SET version = version WHERE id = ?`, id).Error; err != nil {
		return nil, wrapErr(err, "lock policy %q", id)
	}
	return getPolicyRow(tx, id, kind)
}

func defaultPolicyRow(db *gorm.DB, kind storage.PolicyKind) (*policyRow, error) {
	var row policyRow
	if err := db.Where("kind = ? AND is_default = ?", string(kind), true).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get default %s policy", kind)
	}
	return &row, nil
}

// GetDefaultPolicy reads the kind's Default.
func (s *Store) GetDefaultPolicy(ctx context.Context, kind storage.PolicyKind) (*storage.Policy, error) {
	row, err := defaultPolicyRow(s.db(ctx), kind)
	if err != nil {
		return nil, err
	}
	return row.toStorage()
}

// ListPolicies returns a page of policies ordered by id.
func (s *Store) ListPolicies(ctx context.Context, kind storage.PolicyKind, after string, limit int) ([]storage.Policy, error) {
	q := s.db(ctx).Where("id > ?", after).Order("id")
	if kind != "" {
		q = q.Where("kind = ?", string(kind))
	}
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []policyRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list policies")
	}
	out := make([]storage.Policy, 0, len(rows))
	for i := range rows {
		p, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}

// UpdatePolicy writes the name and body at version and rewrites the copy
// of every application assigned the policy, in one transaction.
func (s *Store) UpdatePolicy(ctx context.Context, p *storage.Policy, version int64) error {
	at := now()
	return s.inTx(ctx, func(tx *gorm.DB) error {
		stored, err := getPolicyRow(tx, p.ID, "")
		if err != nil {
			return err
		}
		p.Kind = storage.PolicyKind(stored.Kind) // a policy never changes kind
		row, err := policyRowOf(p)
		if err != nil {
			return err
		}
		res := tx.Model(&policyRow{}).Where("id = ? AND version = ?", p.ID, version).Updates(map[string]any{
			"name": row.Name, "name_key": row.NameKey, "body": row.Body, "version": version + 1, "updated_at": at,
		})
		if res.Error != nil {
			return wrapErr(res.Error, "update policy %q", p.ID)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("sqlstore: update policy %q: %w", p.ID, storage.ErrStale)
		}
		if err := copyPolicy(tx, row, ""); err != nil {
			return err
		}
		p.Version, p.UpdatedAt, p.IsDefault, p.CreatedAt = version+1, at, stored.IsDefault, stored.CreatedAt.UTC()
		return nil
	})
}

// DeletePolicy removes an unassigned policy that is no Default.
func (s *Store) DeletePolicy(ctx context.Context, id string, version int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		row, err := getPolicyRow(tx, id, "")
		if err != nil {
			return err
		}
		if row.IsDefault {
			return fmt.Errorf("sqlstore: delete policy %q: it is the default: %w", id, storage.ErrConflict)
		}
		users, err := policyUsers(tx, row)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return fmt.Errorf("sqlstore: delete policy %q: assigned to %d applications: %w", id, len(users), storage.ErrConflict)
		}
		res := tx.Where("id = ? AND version = ?", id, version).Delete(&policyRow{})
		if res.Error != nil {
			return wrapErr(res.Error, "delete policy %q", id)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("sqlstore: delete policy %q: %w", id, storage.ErrStale)
		}
		return nil
	})
}

// SetDefaultPolicy moves the kind's Default to the policy.
func (s *Store) SetDefaultPolicy(ctx context.Context, id string) error {
	at := now()
	return s.inTx(ctx, func(tx *gorm.DB) error {
		row, err := getPolicyRow(tx, id, "")
		if err != nil {
			return err
		}
		if row.IsDefault {
			return nil
		}
		bump := func(isDefault bool) map[string]any {
			return map[string]any{"is_default": isDefault, "version": gorm.Expr("version + 1"), "updated_at": at}
		}
		if err := tx.Model(&policyRow{}).Where("kind = ? AND is_default = ?", row.Kind, true).Updates(bump(false)).Error; err != nil {
			return wrapErr(err, "clear default %s policy", row.Kind)
		}
		return wrapErr(tx.Model(&policyRow{}).Where("id = ?", id).Updates(bump(true)).Error, "set default policy %q", id)
	})
}

// PolicyApplications lists the ids of the applications using the policy.
func (s *Store) PolicyApplications(ctx context.Context, id string) ([]string, error) {
	row, err := getPolicyRow(s.db(ctx), id, "")
	if err != nil {
		return nil, err
	}
	return policyUsers(s.db(ctx), row)
}

func policyUsers(db *gorm.DB, row *policyRow) ([]string, error) {
	var ids []string
	err := db.Model(&applicationRow{}).Where(idColumn(row.Kind)+" = ?", row.ID).Order("id").Pluck("id", &ids).Error
	return ids, wrapErr(err, "list applications of policy %q", row.ID)
}

// AssignPolicy gives the application the policy.
func (s *Store) AssignPolicy(ctx context.Context, applicationID, policyID string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		row, err := lockPolicyRow(tx, policyID, "")
		if err != nil {
			return err
		}
		return assignPolicy(tx, applicationID, row, true)
	})
}

// assignPolicy points the application at the policy and copies its body;
// bump moves the application's version (an assignment is a change of the
// application, its creation is not).
func assignPolicy(tx *gorm.DB, applicationID string, row *policyRow, bump bool) error {
	updates := map[string]any{idColumn(row.Kind): row.ID}
	if bump {
		updates["version"] = gorm.Expr("version + 1")
		updates["updated_at"] = now()
	}
	res := tx.Model(&applicationRow{}).Where("id = ?", applicationID).Updates(updates)
	if err := affected(res, "assign policy %q to application %q", row.ID, applicationID); err != nil {
		return err
	}
	return copyPolicy(tx, row, applicationID)
}

// copyPolicy rewrites the copy of the policy's body in every application
// assigned it (only applicationID's when set): the invariant of
// storage.Policies.
func copyPolicy(tx *gorm.DB, row *policyRow, applicationID string) error {
	if row.Kind == string(storage.PolicyPortal) {
		return copyPortalPolicy(tx, row, applicationID)
	}
	q := tx.Model(&applicationRow{}).Where(idColumn(row.Kind)+" = ?", row.ID)
	if applicationID != "" {
		q = q.Where("id = ?", applicationID)
	}
	return wrapErr(q.Update(copyColumn(row.Kind), row.Body).Error, "copy policy %q", row.ID)
}

// copyPortalPolicy writes launcher and groups into application_portals,
// keeping each application's slug. An application without a row there
// reads as launcher off and open to everyone, so rows are added only
// when the policy says otherwise.
func copyPortalPolicy(tx *gorm.DB, row *policyRow, applicationID string) error {
	p, err := row.toStorage()
	if err != nil {
		return err
	}
	groups := encodeJSON(p.Portal.Groups, "[]")
	filter, args := "portal_policy_id = ?", []any{row.ID}
	if applicationID != "" {
		filter, args = filter+" AND id = ?", append(args, applicationID)
	}
	if !p.Portal.LauncherEnabled && len(p.Portal.Groups) == 0 {
		err := tx.Exec(`UPDATE application_portals SET launcher_enabled = ?, allowed_groups = ?, updated_at = ?
			WHERE application_id IN (SELECT id FROM applications WHERE `+filter+`)`,
			append([]any{false, groups, now()}, args...)...).Error
		return wrapErr(err, "copy portal policy %q", row.ID)
	}
	err = tx.Exec(`INSERT INTO application_portals (application_id, launcher_enabled, slug, allowed_groups, updated_at)
		SELECT id, ?, '', ?, ? FROM applications WHERE `+filter+`
		ON CONFLICT (application_id) DO UPDATE SET launcher_enabled = excluded.launcher_enabled,
			allowed_groups = excluded.allowed_groups, updated_at = excluded.updated_at`,
		append([]any{p.Portal.LauncherEnabled, groups, now()}, args...)...).Error
	return wrapErr(err, "copy portal policy %q", row.ID)
}

func decodeConsents(s string) ([]storage.ConsentDocument, error) {
	if s == "" {
		return nil, nil
	}
	var docs []storage.ConsentDocument
	if err := json.Unmarshal([]byte(s), &docs); err != nil {
		return nil, fmt.Errorf("decode consent policy: %w", err)
	}
	if docs == nil {
		docs = []storage.ConsentDocument{}
	}
	return docs, nil
}
