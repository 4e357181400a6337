package sqlstore

import (
	"context"
	"fmt"
	"time"

	"foyer/storage"
)

// accountRoleRow is one row of account_roles joined with the names of its
// organization and role (the insert names only the table's columns).
type accountRoleRow struct {
	AccountID        string    `gorm:"column:account_id"`
	StoreID          string    `gorm:"column:store_id"`
	OrganizationID   string    `gorm:"column:organization_id"`
	OrganizationName string    `gorm:"column:organization_name"`
	RoleID           string    `gorm:"column:role_id"`
	RoleName         string    `gorm:"column:role_name"`
	CreatedAt        time.Time `gorm:"column:created_at"`
}

type organizationMemberRow struct {
	OrganizationID   string    `gorm:"column:organization_id"`
	OrganizationName string    `gorm:"column:organization_name"`
	AccountID        string    `gorm:"column:account_id"`
	StoreID          string    `gorm:"column:store_id"`
	CreatedAt        time.Time `gorm:"column:created_at"`
}

// AssignAccountRole inserts the pair only when account, organization and
// role are all of r.StoreID: the insert selects from the three, so an id
// of another store inserts nothing (ErrNotFound), and the primary key
// refuses a pair held already (ErrConflict).
func (s *Store) AssignAccountRole(ctx context.Context, r *storage.AccountRole) error {
	r.CreatedAt = orNow(r.CreatedAt)
	res := s.db(ctx).Exec(`INSERT INTO account_roles (account_id, store_id, organization_id, role_id, created_at)
		SELECT a.id, a.store_id, o.id, sr.id, ?
		FROM accounts a
		JOIN organizations o ON o.store_id = a.store_id
		JOIN store_roles sr ON sr.store_id = a.store_id
		WHERE a.id = ? AND a.store_id = ? AND o.id = ? AND sr.id = ?`,
		r.CreatedAt, r.AccountID, r.StoreID, r.OrganizationID, r.RoleID)
	what := fmt.Sprintf("assign role %q in organization %q to account %q", r.RoleID, r.OrganizationID, r.AccountID)
	if err := affected(res, "%s", what); err != nil {
		return err
	}
	var row accountRoleRow
	err := s.db(ctx).Raw(accountRolesQuery+` AND ar.organization_id = ? AND ar.role_id = ?`,
		r.AccountID, r.OrganizationID, r.RoleID).Scan(&row).Error
	if err != nil {
		return wrapErr(err, "%s: read names", what)
	}
	r.OrganizationName, r.RoleName = row.OrganizationName, row.RoleName
	return nil
}

// RemoveAccountRole removes one pair of the account.
func (s *Store) RemoveAccountRole(ctx context.Context, accountID, organizationID, roleID string) error {
	res := s.db(ctx).Exec(`DELETE FROM account_roles WHERE account_id = ? AND organization_id = ? AND role_id = ?`,
		accountID, organizationID, roleID)
	return affected(res, "remove role %q in organization %q from account %q", roleID, organizationID, accountID)
}

// accountRolesQuery reads an account's pairs with their names; the
// primary key's leading account_id serves the lookup.
const accountRolesQuery = `SELECT ar.account_id, ar.store_id, ar.organization_id, o.name AS organization_name,
		ar.role_id, sr.name AS role_name, ar.created_at
	FROM account_roles ar
	JOIN organizations o ON o.id = ar.organization_id
	JOIN store_roles sr ON sr.id = ar.role_id
	WHERE ar.account_id = ?`

// ListAccountRoles returns the account's pairs by organization name,
// then role name.
func (s *Store) ListAccountRoles(ctx context.Context, accountID string) ([]storage.AccountRole, error) {
	var rows []accountRoleRow
	err := s.db(ctx).Raw(accountRolesQuery+` ORDER BY o.name_normalized, o.id, sr.name_normalized, sr.id`, accountID).
		Scan(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "list roles of account %q", accountID)
	}
	out := make([]storage.AccountRole, len(rows))
	for i, r := range rows {
		out[i] = storage.AccountRole{AccountID: r.AccountID, StoreID: r.StoreID, OrganizationID: r.OrganizationID,
			OrganizationName: r.OrganizationName, RoleID: r.RoleID, RoleName: r.RoleName, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// AddOrganizationMember inserts the membership only when account and
// organization are both of m.StoreID (as AssignAccountRole).
func (s *Store) AddOrganizationMember(ctx context.Context, m *storage.OrganizationMember) error {
	m.CreatedAt = orNow(m.CreatedAt)
	res := s.db(ctx).Exec(`INSERT INTO organization_members (organization_id, account_id, store_id, created_at)
		SELECT o.id, a.id, a.store_id, ?
		FROM accounts a
		JOIN organizations o ON o.store_id = a.store_id
		WHERE a.id = ? AND a.store_id = ? AND o.id = ?`,
		m.CreatedAt, m.AccountID, m.StoreID, m.OrganizationID)
	what := fmt.Sprintf("add account %q to organization %q", m.AccountID, m.OrganizationID)
	if err := affected(res, "%s", what); err != nil {
		return err
	}
	var names []string
	if err := s.db(ctx).Raw(`SELECT name FROM organizations WHERE id = ?`, m.OrganizationID).Scan(&names).Error; err != nil {
		return wrapErr(err, "%s: read name", what)
	}
	if len(names) == 1 {
		m.OrganizationName = names[0]
	}
	return nil
}

// RemoveOrganizationMember ends one membership.
func (s *Store) RemoveOrganizationMember(ctx context.Context, organizationID, accountID string) error {
	res := s.db(ctx).Exec(`DELETE FROM organization_members WHERE organization_id = ? AND account_id = ?`,
		organizationID, accountID)
	return affected(res, "remove account %q from organization %q", accountID, organizationID)
}

// ListAccountOrganizations returns the account's memberships by
// organization name.
func (s *Store) ListAccountOrganizations(ctx context.Context, accountID string) ([]storage.OrganizationMember, error) {
	var rows []organizationMemberRow
	err := s.db(ctx).Raw(`SELECT m.organization_id, o.name AS organization_name, m.account_id, m.store_id, m.created_at
		FROM organization_members m
		JOIN organizations o ON o.id = m.organization_id
		WHERE m.account_id = ?
		ORDER BY o.name_normalized, o.id`, accountID).Scan(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "list organizations of account %q", accountID)
	}
	out := make([]storage.OrganizationMember, len(rows))
	for i, r := range rows {
		out[i] = storage.OrganizationMember{OrganizationID: r.OrganizationID, OrganizationName: r.OrganizationName,
			AccountID: r.AccountID, StoreID: r.StoreID, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}
