package devseed

import (
	"encoding/json"
	"strings"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

// refs are the ids and table availability a batch's rows refer to.
type refs struct {
	storeID      string
	passwordHash string
	now          time.Time
	groups       []string // group ids by index
	orgs         []string
	roles        []string
	search       bool // account_search_attributes exists
	orgTables    bool // organization_members and account_roles exist
}

// tally counts what a batch wrote.
type tally struct {
	Accounts, Enabled, Disabled, Pending          int
	EmailConfirmed, WithUsername, WithPhone       int
	Passwords, GroupMemberships, Authenticators   int
	Sessions, ExternalIdentities, SearchRows      int
	OrganizationMembers, RoleAssignments, WithMFA int
}

func (t *tally) add(o tally) {
	t.Accounts += o.Accounts
	t.Enabled += o.Enabled
	t.Disabled += o.Disabled
	t.Pending += o.Pending
	t.EmailConfirmed += o.EmailConfirmed
	t.WithUsername += o.WithUsername
	t.WithPhone += o.WithPhone
	t.Passwords += o.Passwords
	t.GroupMemberships += o.GroupMemberships
	t.Authenticators += o.Authenticators
	t.Sessions += o.Sessions
	t.ExternalIdentities += o.ExternalIdentities
	t.SearchRows += o.SearchRows
	t.OrganizationMembers += o.OrganizationMembers
	t.RoleAssignments += o.RoleAssignments
	t.WithMFA += o.WithMFA
}

// batch is the rows of some accounts, table by table, parents first.
type batch struct {
	accounts, passwords, search, members, authenticators sqlstore.BulkRows
	sessions, external, orgMembers, roles                sqlstore.BulkRows
	count                                                tally
}

func newBatch() *batch {
	return &batch{
		accounts: sqlstore.BulkRows{Table: "accounts", Columns: []string{"id", "store_id", "status",
			"username", "username_normalized", "email", "email_normalized", "email_confirmed", "email_unproven",
			"phone", "phone_confirmed", "attributes", "language", "created_at", "updated_at", "last_login_at"}},
		passwords: sqlstore.BulkRows{Table: "password_credentials", Columns: []string{"account_id", "hash", "updated_at"}},
		search: sqlstore.BulkRows{Table: "account_search_attributes",
			Columns: []string{"store_id", "name", "value", "account_id", "created_at"}},
		members: sqlstore.BulkRows{Table: "group_members", Columns: []string{"group_id", "account_id", "created_at"}},
		authenticators: sqlstore.BulkRows{Table: "mfa_authenticators", Columns: []string{"id", "account_id", "kind",
			"name", "address", "counter", "created_at", "last_used_at"}},
		sessions: sqlstore.BulkRows{Table: "sessions", Columns: []string{"id", "account_id", "auth_time", "amr", "acr",
			"ip", "user_agent", "created_at", "last_seen_at", "expires_at"}},
		external: sqlstore.BulkRows{Table: "external_identities", Columns: []string{"provider", "subject", "account_id",
			"email", "created_at"}},
		orgMembers: sqlstore.BulkRows{Table: "organization_members", Columns: []string{"organization_id", "account_id",
			"store_id", "created_at"}},
		roles: sqlstore.BulkRows{Table: "account_roles", Columns: []string{"account_id", "store_id", "organization_id",
			"role_id", "created_at"}},
	}
}

// sets are the batch's rows in insertion order.
func (b *batch) sets() []sqlstore.BulkRows {
	return []sqlstore.BulkRows{b.accounts, b.passwords, b.search, b.members, b.authenticators, b.sessions,
		b.external, b.orgMembers, b.roles}
}

// add appends the rows of one account.
func (b *batch) add(a *Account, ref *refs) {
	attrs := "{}"
	if len(a.Attributes) > 0 {
		raw, _ := json.Marshal(a.Attributes) // a map of strings always encodes
		attrs = string(raw)
	}
	b.accounts.Rows = append(b.accounts.Rows, []any{a.ID, a.StoreID, string(a.Status),
		a.Username, strings.ToLower(a.Username), a.Email, strings.ToLower(a.Email), a.EmailConfirmed, a.EmailUnproven,
		a.Phone, a.PhoneConfirmed, attrs, a.Language, a.CreatedAt, a.UpdatedAt, a.LastLoginAt})
	b.count.account(a)
	if a.HasPassword {
		b.passwords.Rows = append(b.passwords.Rows, []any{a.ID, ref.passwordHash, a.CreatedAt})
		b.count.Passwords++
	}
	if ref.search {
		for name, v := range a.Attributes {
			if sv := storage.SearchValue(v); sv != "" {
				// With the account's creation time, as sqlstore writes them
				// (search in creation order reads them off one index).
				b.search.Rows = append(b.search.Rows, []any{ref.storeID, name, sv, a.ID, a.CreatedAt})
				b.count.SearchRows++
			}
		}
	}
	joined := a.CreatedAt.Add(time.Hour)
	for _, gi := range a.Groups {
		b.members.Rows = append(b.members.Rows, []any{ref.groups[gi], a.ID, joined})
		b.count.GroupMemberships++
	}
	b.addFactors(a)
	for _, se := range a.Sessions {
		amr, _ := json.Marshal(se.AMR)
		b.sessions.Rows = append(b.sessions.Rows, []any{se.ID, a.ID, se.AuthTime, string(amr), se.ACR, se.IP,
			se.UserAgent, se.CreatedAt, se.LastSeenAt, se.ExpiresAt})
		b.count.Sessions++
	}
	if a.Provider != "" {
		b.external.Rows = append(b.external.Rows, []any{a.Provider, a.Subject, a.ID, a.Email, a.CreatedAt})
		b.count.ExternalIdentities++
	}
	b.addOrganization(a, ref, joined)
}

// addFactors writes the e-mail and phone authenticators: an address and no
// secret, as the portal's enrollment stores them once the code is
// confirmed.
func (b *batch) addFactors(a *Account) {
	enrolled := a.CreatedAt.Add(24 * time.Hour)
	if a.EmailFactor != "" {
		b.authenticators.Rows = append(b.authenticators.Rows, []any{a.EmailFactor, a.ID,
			storage.AuthenticatorEmail, "", a.Email, int64(0), enrolled, a.LastLoginAt})
		b.count.Authenticators++
	}
	if a.PhoneFactor != "" {
		b.authenticators.Rows = append(b.authenticators.Rows, []any{a.PhoneFactor, a.ID,
			storage.AuthenticatorPhone, "", a.Phone, int64(0), enrolled, a.LastLoginAt})
		b.count.Authenticators++
	}
	if a.EmailFactor != "" || a.PhoneFactor != "" {
		b.count.WithMFA++
	}
}

func (b *batch) addOrganization(a *Account, ref *refs, at time.Time) {
	if !ref.orgTables || a.Organization < 0 {
		return
	}
	org := ref.orgs[a.Organization]
	if a.Member {
		b.orgMembers.Rows = append(b.orgMembers.Rows, []any{org, a.ID, ref.storeID, at})
		b.count.OrganizationMembers++
	}
	for _, ri := range a.Roles {
		b.roles.Rows = append(b.roles.Rows, []any{a.ID, ref.storeID, org, ref.roles[ri], at})
		b.count.RoleAssignments++
	}
}

func (t *tally) account(a *Account) {
	t.Accounts++
	switch a.Status {
	case storage.AccountEnabled:
		t.Enabled++
	case storage.AccountDisabled:
		t.Disabled++
	default:
		t.Pending++
	}
	if a.EmailConfirmed {
		t.EmailConfirmed++
	}
	if a.Username != "" {
		t.WithUsername++
	}
	if a.Phone != "" {
		t.WithPhone++
	}
}
