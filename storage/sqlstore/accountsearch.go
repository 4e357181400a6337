package sqlstore

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"foyer/storage"
	"foyer/storage/migrations"
)

// prefixEnd follows every string that starts with a prefix p in byte
// order: a prefix search is the range [p, p+prefixEnd), which an index
// answers, and which knows no wildcard characters.
const prefixEnd = "\U0010FFFF"

type searchAttributeRow struct {
	StoreID   string `gorm:"column:store_id;primaryKey"`
	Name      string `gorm:"column:name;primaryKey"`
	Value     string `gorm:"column:value;primaryKey"`
	AccountID string `gorm:"column:account_id;primaryKey"`
}

func (searchAttributeRow) TableName() string { return "account_search_attributes" }

// writeSearchAttributes replaces the account's rows of
// account_search_attributes with its attributes' search values: every
// write of accounts.attributes calls it in the same transaction.
func writeSearchAttributes(tx *gorm.DB, storeID, accountID string, attrs map[string]string, replace bool) error {
	if replace {
		if err := tx.Exec(`DELETE FROM account_search_attributes WHERE account_id = ?`, accountID).Error; err != nil {
			return wrapErr(err, "clear search attributes of account %q", accountID)
		}
	}
	rows := make([]searchAttributeRow, 0, len(attrs))
	for name, v := range attrs {
		if v = storage.SearchValue(v); v != "" {
			rows = append(rows, searchAttributeRow{StoreID: storeID, Name: name, Value: v, AccountID: accountID})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return wrapErr(err, "write search attributes of account %q", accountID)
	}
	// The rows carry the account's creation time (search in creation
	// order reads them off one index); the account row has it.
	err := tx.Exec(`UPDATE account_search_attributes SET created_at = (SELECT a.created_at FROM accounts a WHERE a.id = ?)
		WHERE account_id = ?`, accountID, accountID).Error
	return wrapErr(err, "date search attributes of account %q", accountID)
}

// SearchAccounts implements storage.AccountSearches. Each order is read
// as one or two keyset segments (see searchSegments), each a range scan
// of an index on (store_id, sort key, id).
func (s *Store) SearchAccounts(ctx context.Context, q storage.AccountSearch) ([]storage.AccountSearchRow, error) {
	if q.StoreID == "" || q.StoreID == storage.AdministratorsStoreID {
		return nil, nil
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	drive, q := attributeDriven(q)
	where, args := s.searchFilters(q)
	from := `accounts a`
	if drive != nil {
		from, where, args = s.attributeFrom(q.StoreID, *drive, where, args)
	}
	var out []storage.AccountSearchRow
	for _, seg := range s.searchSegments(q.Sort, q.After) {
		if len(out) >= q.Limit {
			break
		}
		if drive != nil {
			// The same order, read off the search rows' own index.
			seg = seg.on("a.created_at", "sa.created_at").on("a.id", "sa.account_id")
		}
		sql := `SELECT a.* FROM ` + from + ` WHERE ` + strings.Join(append(append([]string{}, where...), seg.where...), " AND ") +
			` ORDER BY ` + seg.order + ` LIMIT ?`
		segArgs := append(append(append([]any{}, args...), seg.args...), q.Limit-len(out))
		var rows []accountRow
		if err := s.db(ctx).Raw(sql, segArgs...).Scan(&rows).Error; unstorable(err) {
			break // a condition no stored text meets
		} else if err != nil {
			return nil, wrapErr(err, "search accounts of store %q", q.StoreID)
		}
		for i := range rows {
			a, err := rows[i].toStorage()
			if err != nil {
				return nil, err
			}
			out = append(out, storage.AccountSearchRow{Account: *a})
		}
	}
	return out, s.markExternal(ctx, out)
}

// attributeDriven picks, for a list in creation order (the default,
// either way) filtered by an exact attribute value, the attribute filter
// that drives the query: the page is then read in order off
// account_search_attributes' (store, name, value, created_at, account)
// index and joined to its accounts, instead of walking the store's
// accounts in creation order and probing each for the value (thousands
// of probes a page when 1% match). It returns the query without that
// filter, which the join applies.
func attributeDriven(q storage.AccountSearch) (*storage.AttributeMatch, storage.AccountSearch) {
	if q.Sort != storage.AccountSortCreated && q.Sort != storage.AccountSortCreatedDesc && q.Sort != "" {
		return nil, q
	}
	for i, m := range q.Attributes {
		if !m.Prefix {
			rest := append(append([]storage.AttributeMatch{}, q.Attributes[:i]...), q.Attributes[i+1:]...)
			q.Attributes = rest
			return &m, q
		}
	}
	return nil, q
}

// attributeFrom is the FROM of an attribute-driven search and its join
// terms, ahead of the other filters.
func (s *Store) attributeFrom(storeID string, m storage.AttributeMatch, where []string, args []any) (string, []string, []any) {
	terms := append([]string{"sa.store_id = ? AND sa.name = ? AND sa.value = ?"}, where...)
	return `account_search_attributes sa JOIN accounts a ON a.id = sa.account_id`, terms,
		append([]any{storeID, m.Name, storage.SearchValue(m.Value)}, args...)
}

// markExternal sets External on the rows with an external identity, in
// one query for the page. (An EXISTS in the search's select list would be
// costed for every row the scan might read, and PostgreSQL then hashes
// the whole external_identities table for a page of 50.)
func (s *Store) markExternal(ctx context.Context, rows []storage.AccountSearchRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].Account.ID
	}
	var linked []string
	err := s.db(ctx).Raw(`SELECT DISTINCT account_id FROM external_identities WHERE account_id IN ?`, ids).Scan(&linked).Error
	if err != nil {
		return wrapErr(err, "read external identities of a search page")
	}
	for i := range rows {
		rows[i].External = slices.Contains(linked, rows[i].Account.ID)
	}
	return nil
}

// collate makes a text comparison bytewise: PostgreSQL's C collation,
// which the search indexes use; SQLite compares bytewise already.
func (s *Store) collate() string {
	if s.dialect == migrations.Postgres {
		return ` COLLATE "C"`
	}
	return ""
}

// searchFilters are the WHERE terms of everything but the order.
func (s *Store) searchFilters(q storage.AccountSearch) ([]string, []any) {
	f := &filters{}
	f.add("a.store_id = ?", q.StoreID)
	c := s.collate()
	ident := func(col, exact, prefix string) {
		if exact != "" {
			f.add("a."+col+" = ? AND a."+col+" <> ''", exact)
		}
		if prefix != "" {
			f.add("a."+col+c+" >= ? AND a."+col+c+" < ?", prefix, prefix+prefixEnd)
		}
	}
	ident("email_normalized", normalize(q.Email), normalize(q.EmailPrefix))
	ident("username_normalized", normalize(q.Username), normalize(q.UsernamePrefix))
	ident("phone", q.Phone, q.PhonePrefix)
	for _, m := range q.Attributes {
		v := storage.SearchValue(m.Value)
		if m.Prefix {
			f.add(`EXISTS (SELECT 1 FROM account_search_attributes sa WHERE sa.store_id = ? AND sa.name = ?
				AND sa.value >= ? AND sa.value < ? AND sa.account_id = a.id)`, q.StoreID, m.Name, v, v+prefixEnd)
		} else {
			f.add(`EXISTS (SELECT 1 FROM account_search_attributes sa WHERE sa.store_id = ? AND sa.name = ?
				AND sa.value = ? AND sa.account_id = a.id)`, q.StoreID, m.Name, v)
		}
	}
	if q.Status != "" {
		f.add("a.status = ?", string(q.Status))
	}
	if q.GroupID != "" {
		f.add("EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = ? AND gm.account_id = a.id)", q.GroupID)
	}
	if q.OrganizationID != "" {
		f.add("EXISTS (SELECT 1 FROM organization_members om WHERE om.organization_id = ? AND om.account_id = a.id)", q.OrganizationID)
	}
	if q.RoleID != "" {
		f.add("EXISTS (SELECT 1 FROM account_roles ar WHERE ar.role_id = ? AND ar.account_id = a.id)", q.RoleID)
	}
	if q.IdentityVerified != nil {
		term := "EXISTS (SELECT 1 FROM identity_verifications iv WHERE iv.account_id = a.id AND iv.revoked_at IS NULL)"
		if !*q.IdentityVerified {
			term = "NOT " + term
		}
		f.add(term)
	}
	if q.EmailVerified != nil {
		f.add("a.email_normalized <> '' AND a.email_confirmed = ?", *q.EmailVerified)
	}
	switch q.Provider {
	case "":
	case storage.AnyProvider:
		f.add("EXISTS (SELECT 1 FROM external_identities xp WHERE xp.account_id = a.id)")
	default:
		f.add("EXISTS (SELECT 1 FROM external_identities xp WHERE xp.account_id = a.id AND xp.provider = ?)", q.Provider)
	}
	f.timeRange("a.created_at", q.CreatedAfter, q.CreatedBefore)
	f.timeRange("a.last_login_at", q.LastLoginAfter, q.LastLoginBefore)
	return f.where, f.args
}

type filters struct {
	where []string
	args  []any
}

func (f *filters) add(term string, args ...any) {
	f.where = append(f.where, term)
	f.args = append(f.args, args...)
}

// timeRange is after <= col < before, for the bounds that are set.
func (f *filters) timeRange(col string, after, before time.Time) {
	if !after.IsZero() {
		f.add(col+" >= ?", dbTime(after))
	}
	if !before.IsZero() {
		f.add(col+" < ?", dbTime(before))
	}
}

// segment is one keyset range of an order: its WHERE terms and ORDER BY.
type segment struct {
	where []string
	args  []any
	order string
}

// on is the segment with column col read as other instead (the same
// value from another table of the join).
func (g segment) on(col, other string) segment {
	out := segment{args: g.args, order: strings.ReplaceAll(g.order, col, other)}
	for _, w := range g.where {
		out.where = append(out.where, strings.ReplaceAll(w, col, other))
	}
	return out
}

// searchSegments is the order as ranges read one after the other. Most
// orders are one range; last sign-in is two, because accounts that never
// signed in have no time: they come first in ascending order and last in
// descending, each part a range of the same index (last_login_at IS NULL
// is a range of it too), which an OR of both could not be.
func (s *Store) searchSegments(sort storage.AccountSort, after *storage.AccountSearchKey) []segment {
	c := s.collate()
	single := func(col string, key any, desc bool) []segment {
		op, dir := ">", ""
		if desc {
			op, dir = "<", " DESC"
		}
		seg := segment{order: col + dir + ", a.id" + dir}
		if after != nil {
			seg.where = []string{"(" + col + ", a.id) " + op + " (?, ?)"}
			seg.args = []any{key, after.ID}
		}
		return []segment{seg}
	}
	var k storage.AccountSearchKey
	if after != nil {
		k = *after
	}
	switch sort {
	case storage.AccountSortCreated:
		return single("a.created_at", dbTime(k.CreatedAt), false)
	case storage.AccountSortEmail:
		return single("a.email_normalized"+c, k.Email, false)
	case storage.AccountSortEmailDesc:
		return single("a.email_normalized"+c, k.Email, true)
	case storage.AccountSortLastLogin:
		return lastLoginSegments(after, false)
	case storage.AccountSortLastLoginDesc:
		return lastLoginSegments(after, true)
	default:
		return single("a.created_at", dbTime(k.CreatedAt), true)
	}
}

// lastLoginSegments: ascending is [never signed in by id] then [signed in
// by time, id]; descending the reverse. A cursor in the first part
// continues it and then reads the second whole; one in the second part
// continues only that.
func lastLoginSegments(after *storage.AccountSearchKey, desc bool) []segment {
	op, dir := ">", ""
	if desc {
		op, dir = "<", " DESC"
	}
	// The never part orders by last_login_at too, all NULL: only then
	// does PostgreSQL see that the index (store_id, last_login_at, id)
	// gives its order (IS NULL is no equality to its planner).
	never := segment{where: []string{"a.last_login_at IS NULL"}, order: "a.last_login_at" + dir + ", a.id" + dir}
	signedIn := segment{where: []string{"a.last_login_at IS NOT NULL"}, order: "a.last_login_at" + dir + ", a.id" + dir}
	switch {
	case after == nil:
	case after.LastLoginAt == nil:
		never.where = append(never.where, "a.id "+op+" ?")
		never.args = []any{after.ID}
	default:
		signedIn.where = append(signedIn.where, "(a.last_login_at, a.id) "+op+" (?, ?)")
		signedIn.args = []any{dbTime(*after.LastLoginAt), after.ID}
	}
	if desc {
		if after != nil && after.LastLoginAt == nil {
			return []segment{never}
		}
		return []segment{signedIn, never}
	}
	if after != nil && after.LastLoginAt != nil {
		return []segment{signedIn}
	}
	return []segment{never, signedIn}
}

type adminPreferencesRow struct {
	AccountID    string    `gorm:"column:account_id;primaryKey"`
	PinnedSearch string    `gorm:"column:pinned_search"`
	UpdatedAt    time.Time `gorm:"column:updated_at"`
}

func (adminPreferencesRow) TableName() string { return "admin_preferences" }

// PinnedSearchFields implements storage.AccountSearches.
func (s *Store) PinnedSearchFields(ctx context.Context, accountID string) ([]string, error) {
	var rows []adminPreferencesRow
	if err := s.db(ctx).Where("account_id = ?", accountID).Limit(1).Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "read pinned search fields of %q", accountID)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return decodeList[string](rows[0].PinnedSearch, "admin_preferences.pinned_search")
}

// SetPinnedSearchFields implements storage.AccountSearches.
func (s *Store) SetPinnedSearchFields(ctx context.Context, accountID string, fields []string) error {
	row := adminPreferencesRow{AccountID: accountID, PinnedSearch: encodeJSON(fields, "[]"), UpdatedAt: now()}
	err := s.db(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "account_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"pinned_search", "updated_at"}),
	}).Create(&row).Error
	return wrapErr(err, "set pinned search fields of %q", accountID)
}
