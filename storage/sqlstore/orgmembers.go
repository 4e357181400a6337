package sqlstore

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"foyer/storage"
	"foyer/storage/migrations"
)

// ListAdministeredOrganizations reads the organizations in which the
// account holds an administrating role; account_roles' primary key
// (account_id first) serves the lookup.
func (s *Store) ListAdministeredOrganizations(ctx context.Context, accountID string) ([]storage.Organization, error) {
	var rows []organizationRow
	err := s.db(ctx).Raw(`SELECT o.* FROM organizations o
		WHERE o.id IN (SELECT ar.organization_id FROM account_roles ar
			JOIN store_roles sr ON sr.id = ar.role_id
			WHERE ar.account_id = ? AND sr.organization_admin)
		ORDER BY o.name_normalized, o.id`, accountID).Scan(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "list organizations administered by %q", accountID)
	}
	out := make([]storage.Organization, 0, len(rows))
	for i := range rows {
		o, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, nil
}

// personRow is an account of an organization's people.
type personRow struct {
	AccountID string `gorm:"column:account_id"`
	Email     string `gorm:"column:email"`
	Username  string `gorm:"column:username"`
	Member    bool   `gorm:"column:member"`
}

// personRoleRow is a role one of the people holds in the organization.
type personRoleRow struct {
	AccountID         string `gorm:"column:account_id"`
	RoleID            string `gorm:"column:role_id"`
	Name              string `gorm:"column:name"`
	OrganizationAdmin bool   `gorm:"column:organization_admin"`
	Assignable        bool   `gorm:"column:assignable"`
}

// peopleQuery selects the organization's people: the accounts of the
// store in its memberships (primary key, organization first) or its role
// pairs (index on organization_id, role_id). Arguments: organization,
// store, organization, organization.
const peopleQuery = `SELECT a.id AS account_id, a.email, a.username,
		EXISTS (SELECT 1 FROM organization_members m WHERE m.organization_id = ? AND m.account_id = a.id) AS member
	FROM accounts a
	WHERE a.store_id = ? AND a.id IN (
		SELECT account_id FROM organization_members WHERE organization_id = ?
		UNION SELECT account_id FROM account_roles WHERE organization_id = ?)`

// ListOrganizationPeople reads a page of people, then the roles of that
// page in one more query.
func (s *Store) ListOrganizationPeople(ctx context.Context, storeID, organizationID, after string, limit int) ([]storage.OrganizationPerson, error) {
	q, args := peopleQuery, []any{organizationID, storeID, organizationID, organizationID}
	if after != "" {
		// The cursor places the page only when it is one of the
		// organization's people: any other account's position would tell
		// where its address sorts among theirs (no row: no page).
		q += ` AND (a.email_normalized, a.id) > (SELECT c.email_normalized, c.id FROM accounts c
			WHERE c.id = ? AND c.store_id = ? AND c.id IN (
				SELECT account_id FROM organization_members WHERE organization_id = ?
				UNION SELECT account_id FROM account_roles WHERE organization_id = ?))`
		args = append(args, after, storeID, organizationID, organizationID)
	}
	q += ` ORDER BY a.email_normalized, a.id`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	var rows []personRow
	if err := s.db(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, wrapErr(err, "list people of organization %q", organizationID)
	}
	return s.withRoles(ctx, organizationID, rows)
}

// GetOrganizationPerson reads one account of the organization's people.
func (s *Store) GetOrganizationPerson(ctx context.Context, storeID, organizationID, accountID string) (*storage.OrganizationPerson, error) {
	var rows []personRow
	err := s.db(ctx).Raw(peopleQuery+` AND a.id = ?`, organizationID, storeID, organizationID, organizationID, accountID).
		Scan(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "get person %q of organization %q", accountID, organizationID)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("sqlstore: get person %q of organization %q: %w", accountID, organizationID, storage.ErrNotFound)
	}
	people, err := s.withRoles(ctx, organizationID, rows)
	if err != nil {
		return nil, err
	}
	return &people[0], nil
}

// withRoles adds to each person their roles in the organization.
func (s *Store) withRoles(ctx context.Context, organizationID string, rows []personRow) ([]storage.OrganizationPerson, error) {
	out := make([]storage.OrganizationPerson, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	at := make(map[string]int, len(rows))
	for i, r := range rows {
		ids[i], at[r.AccountID] = r.AccountID, i
		out[i] = storage.OrganizationPerson{AccountID: r.AccountID, Email: r.Email, Username: r.Username, Member: r.Member}
	}
	var roles []personRoleRow
	err := s.db(ctx).Raw(`SELECT ar.account_id, sr.id AS role_id, sr.name, sr.organization_admin, sr.assignable
		FROM account_roles ar JOIN store_roles sr ON sr.id = ar.role_id
		WHERE ar.organization_id = ? AND ar.account_id IN ?
		ORDER BY sr.name_normalized, sr.id`, organizationID, ids).Scan(&roles).Error
	if err != nil {
		return nil, wrapErr(err, "list roles in organization %q", organizationID)
	}
	for _, r := range roles {
		p := &out[at[r.AccountID]]
		p.Roles = append(p.Roles, storage.PersonRole{ID: r.RoleID, Name: r.Name,
			OrganizationAdmin: r.OrganizationAdmin, Assignable: r.Assignable})
	}
	return out, nil
}

// RevokeOrganizationRole removes one pair unless it leaves the
// organization without an administrator.
func (s *Store) RevokeOrganizationRole(ctx context.Context, organizationID, accountID, roleID string) error {
	return s.guardingAdmins(ctx, organizationID, func(tx *gorm.DB) error {
		res := tx.Exec(`DELETE FROM account_roles WHERE account_id = ? AND organization_id = ? AND role_id = ?`,
			accountID, organizationID, roleID)
		return affected(res, "revoke role %q in organization %q from account %q", roleID, organizationID, accountID)
	})
}

// RemoveOrganizationPerson removes the account's pairs and membership
// unless that leaves the organization without an administrator.
func (s *Store) RemoveOrganizationPerson(ctx context.Context, storeID, organizationID, accountID string) error {
	return s.guardingAdmins(ctx, organizationID, func(tx *gorm.DB) error {
		roles := tx.Exec(`DELETE FROM account_roles WHERE account_id = ? AND organization_id = ? AND store_id = ?`,
			accountID, organizationID, storeID)
		if roles.Error != nil {
			return wrapErr(roles.Error, "remove roles of %q in organization %q", accountID, organizationID)
		}
		member := tx.Exec(`DELETE FROM organization_members WHERE account_id = ? AND organization_id = ? AND store_id = ?`,
			accountID, organizationID, storeID)
		if member.Error != nil {
			return wrapErr(member.Error, "remove %q from organization %q", accountID, organizationID)
		}
		if roles.RowsAffected+member.RowsAffected == 0 {
			return fmt.Errorf("sqlstore: remove %q from organization %q: %w", accountID, organizationID, storage.ErrNotFound)
		}
		return nil
	})
}

// guardingAdmins runs change in a transaction and rolls it back when it
// left the organization without anyone holding an administrating role.
// On PostgreSQL the organization's row is locked first, so two
// administrators removing each other at once are serialized and the
// second sees the first's change (SQLite serializes writers anyway).
func (s *Store) guardingAdmins(ctx context.Context, organizationID string, change func(tx *gorm.DB) error) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if s.dialect == migrations.Postgres {
			if err := tx.Exec(`SELECT id FROM organizations WHERE id = ? FOR UPDATE`, organizationID).Error; err != nil {
				return wrapErr(err, "lock organization %q", organizationID)
			}
		}
		var before, after int64
		count := func(n *int64) error {
			return tx.Raw(`SELECT COUNT(DISTINCT ar.account_id) FROM account_roles ar
				JOIN store_roles sr ON sr.id = ar.role_id
				WHERE ar.organization_id = ? AND sr.organization_admin`, organizationID).Scan(n).Error
		}
		if err := count(&before); err != nil {
			return wrapErr(err, "count administrators of organization %q", organizationID)
		}
		if err := change(tx); err != nil {
			return err
		}
		if err := count(&after); err != nil {
			return wrapErr(err, "count administrators of organization %q", organizationID)
		}
		// An organization that had no administrator (the operator's to
		// fix) does not block changes.
		if before > 0 && after == 0 {
			return fmt.Errorf("sqlstore: organization %q: %w", organizationID, storage.ErrLastOrganizationAdmin)
		}
		return nil
	})
}
