package storage

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// AccountSort is an order of the account search. Every order ends with
// the account id, so it is total and a page can continue after the last
// row shown (keyset paging, never an offset).
type AccountSort string

// The orders of the account search; a leading '-' is descending.
const (
	AccountSortCreated       AccountSort = "created"
	AccountSortCreatedDesc   AccountSort = "-created"
	AccountSortEmail         AccountSort = "email"
	AccountSortEmailDesc     AccountSort = "-email"
	AccountSortLastLogin     AccountSort = "last_login"
	AccountSortLastLoginDesc AccountSort = "-last_login"
)

// AccountSorts are the orders, the default first.
var AccountSorts = []AccountSort{AccountSortCreatedDesc, AccountSortCreated, AccountSortEmail,
	AccountSortEmailDesc, AccountSortLastLogin, AccountSortLastLoginDesc}

// AnyProvider as AccountSearch.Provider asks for accounts with an external
// identity of any provider.
const AnyProvider = "any"

// SearchValueMax is how many characters of an attribute value search
// compares.
const SearchValueMax = 128

// SearchValue is the form in which search stores and compares an
// attribute value: trimmed, lower-cased, its first SearchValueMax
// characters. An exact search for a longer value compares its prefix.
func SearchValue(s string) string {
	s = strings.ToLower(strings.Trim(s, " \t\r\n"))
	if utf8.RuneCountInString(s) <= SearchValueMax {
		return s
	}
	r := []rune(s)
	return string(r[:SearchValueMax])
}

// AttributeMatch is a condition on one attribute: its value equals Value
// or, with Prefix, starts with it (both compared as SearchValue).
type AttributeMatch struct {
	Name   string
	Value  string
	Prefix bool
}

// AccountSearch asks for one page of a store's accounts. Empty fields do
// not filter; the conditions are ANDed. Identifiers compare
// case-insensitively (phone as stored, E.164); a prefix is literal (no
// wildcard characters). Ranges are After <= t < Before.
type AccountSearch struct {
	StoreID string

	Email, Username, Phone                   string
	EmailPrefix, UsernamePrefix, PhonePrefix string
	Attributes                               []AttributeMatch

	Status AccountStatus
	// GroupID, OrganizationID (a member), RoleID (in any organization).
	GroupID, OrganizationID, RoleID string
	// IdentityVerified: a verification that is not revoked (true) or none
	// (false).
	IdentityVerified *bool
	// EmailVerified: a confirmed e-mail address (true) or an address not
	// confirmed (false; accounts without an address match neither).
	EmailVerified *bool
	// Provider: an external identity of that provider, or of any with
	// AnyProvider.
	Provider string

	CreatedAfter, CreatedBefore     time.Time
	LastLoginAfter, LastLoginBefore time.Time

	Sort AccountSort // "" is AccountSortCreatedDesc
	// After continues the order after this row (nil: the first page).
	After *AccountSearchKey
	Limit int // > 0
}

// AccountSearchKey is a row's position in an order: the sort key of the
// order it was read in, and the id.
type AccountSearchKey struct {
	ID          string
	CreatedAt   time.Time
	Email       string     // the normalized (lower-case) address
	LastLoginAt *time.Time // nil: never signed in
}

// KeyOf is the position of an account in any order.
func KeyOf(a *Account) AccountSearchKey {
	return AccountSearchKey{ID: a.ID, CreatedAt: a.CreatedAt, Email: strings.ToLower(a.Email), LastLoginAt: a.LastLoginAt}
}

// AccountSearchRow is one account found, with what the list shows of it
// beyond the account.
type AccountSearchRow struct {
	Account Account
	// External: the account has an external identity.
	External bool
}

// AccountSearches finds accounts and keeps the administrators' pinned
// search fields.
type AccountSearches interface {
	// SearchAccounts returns up to s.Limit accounts of s.StoreID matching
	// s in s.Sort order after s.After. Accounts of the administrators
	// store are never returned.
	SearchAccounts(ctx context.Context, s AccountSearch) ([]AccountSearchRow, error)
	// PinnedSearchFields returns the administrator's pinned fields (none
	// when never set).
	PinnedSearchFields(ctx context.Context, accountID string) ([]string, error)
	// SetPinnedSearchFields replaces them; ErrNotFound for an unknown
	// account.
	SetPinnedSearchFields(ctx context.Context, accountID string, fields []string) error
}
