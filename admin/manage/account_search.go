package manage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"foyer/storage"
)

// AccountQuery is a search of a store's accounts as the API's query
// parameters, the console's search form and a bulk job ("the whole search
// result") spell it; ParseAccountQuery reads it from them and Values
// writes it back. Empty fields do not filter. Identifiers are exact
// (Email, Username, Phone) or prefixes, case-insensitive; Attributes and
// AttributePrefixes are keyed by the attribute's name (attr.<name>,
// attr_prefix.<name>); Status is enabled, disabled or pending;
// IdentityVerified and EmailVerified are "true" or "false"; Provider is
// an external identity provider's name or "any"; the times are RFC 3339,
// After inclusive and Before exclusive. Sort is one of
// storage.AccountSorts ("" = -created); Limit 1..200 (0 = 50); Cursor a
// Page.Next of the same search.
type AccountQuery struct {
	Email, Username, Phone                   string
	EmailPrefix, UsernamePrefix, PhonePrefix string
	Attributes, AttributePrefixes            map[string]string
	Status                                   string
	Group, Organization, Role                string
	IdentityVerified, EmailVerified          string
	Provider                                 string
	CreatedAfter, CreatedBefore              string
	LastLoginAfter, LastLoginBefore          string
	Sort                                     string
	Limit                                    int
	Cursor                                   string
}

// AccountSummary is one row of the account list.
type AccountSummary struct {
	ID          string     `json:"id"`
	Email       string     `json:"email"`
	Username    string     `json:"username"`
	Phone       string     `json:"phone"`
	Status      string     `json:"status"`
	Labels      []Label    `json:"labels"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at"`
}

// AccountSearchStore is what AccountSearch needs.
type AccountSearchStore interface {
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	SearchAccounts(ctx context.Context, s storage.AccountSearch) ([]storage.AccountSearchRow, error)
	PinnedSearchFields(ctx context.Context, accountID string) ([]string, error)
	SetPinnedSearchFields(ctx context.Context, accountID string, fields []string) error
}

// AccountSearch lists and finds the accounts of an identity store, and
// keeps each administrator's pinned search fields.
type AccountSearch struct {
	core  *Core
	store AccountSearchStore
}

// NewAccountSearch returns the service.
func NewAccountSearch(core *Core, store AccountSearchStore) *AccountSearch {
	return &AccountSearch{core: core, store: store}
}

// Search returns one page of the store's accounts matching q. It needs
// ReadAccounts on the store; the administrators store is never searched
// (ErrNotFound: its accounts are managed as administrators). Bad input is
// a ValidationError naming the parameter.
func (s *AccountSearch) Search(ctx context.Context, a Actor, storeID string, q AccountQuery) (Page[AccountSummary], error) {
	search, err := s.Prepare(ctx, a, storeID, q)
	if err != nil {
		return Page[AccountSummary]{}, err
	}
	limit, back := search.Limit, search.Backward
	search.Limit++
	if back {
		search.Sort = reverseSort(search.Sort)
	}
	rows, err := s.store.SearchAccounts(ctx, search.AccountSearch)
	if err != nil {
		return Page[AccountSummary]{}, err
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	if back {
		slices.Reverse(rows)
	}
	var page Page[AccountSummary]
	if n := len(rows); n > 0 {
		first, last := storage.KeyOf(&rows[0].Account), storage.KeyOf(&rows[n-1].Account)
		if more || back {
			page.Next = encodeSearchCursor(q, last, false)
		}
		if (back && more) || (!back && q.Cursor != "") {
			page.Prev = encodeSearchCursor(q, first, true)
		}
	}
	page.Items = make([]AccountSummary, len(rows))
	for i := range rows {
		page.Items[i] = accountSummary(&rows[i])
	}
	return page, nil
}

// PreparedSearch is a checked search: the storage search and whether its
// cursor pages backwards (Page.Prev).
type PreparedSearch struct {
	storage.AccountSearch
	Backward bool
}

func reverseSort(s storage.AccountSort) storage.AccountSort {
	if r, ok := strings.CutPrefix(string(s), "-"); ok {
		return storage.AccountSort(r)
	}
	return "-" + s
}

// Prepare checks the actor and q and returns the storage search q asks
// for (the page after q.Cursor, q.Limit rows): a bulk job runs its
// AccountSearch page by page, moving After along (Backward is false for
// every cursor but a Page.Prev).
func (s *AccountSearch) Prepare(ctx context.Context, a Actor, storeID string, q AccountQuery) (PreparedSearch, error) {
	if storeID == storage.AdministratorsStoreID {
		return PreparedSearch{}, fmt.Errorf("identity store %q: %w", storeID, ErrNotFound)
	}
	if err := a.Require(ReadAccounts, storeID); err != nil {
		return PreparedSearch{}, err
	}
	st, err := s.store.GetIdentityStore(ctx, storeID)
	if err != nil {
		return PreparedSearch{}, fmt.Errorf("identity store %q: %w", storeID, err)
	}
	search, err := q.search(st)
	if err != nil {
		return PreparedSearch{}, err
	}
	search.StoreID = storeID
	return search, nil
}

func accountSummary(r *storage.AccountSearchRow) AccountSummary {
	a := &r.Account
	return AccountSummary{ID: a.ID, Email: a.Email, Username: a.Username, Phone: a.Phone, Status: string(a.Status),
		Labels: Labels(a, r.External), CreatedAt: a.CreatedAt, LastLoginAt: a.LastLoginAt}
}

// maxPins bounds an administrator's pinned fields.
const maxPins = 40

// PinnedFields are the search fields the administrator pinned to the top
// of the search panel (parameter names, attributes as attr.<name> or
// attr_prefix.<name>), in their order.
func (s *AccountSearch) PinnedFields(ctx context.Context, a Actor) ([]string, error) {
	if err := requirePinner(a); err != nil {
		return nil, err
	}
	fields, err := s.store.PinnedSearchFields(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if fields == nil {
		fields = []string{}
	}
	return fields, nil
}

// SetPinnedFields replaces the administrator's pinned fields (for
// themself only; duplicates are dropped). An unknown field name is a
// ValidationError on "fields".
func (s *AccountSearch) SetPinnedFields(ctx context.Context, a Actor, fields []string) ([]string, error) {
	if err := requirePinner(a); err != nil {
		return nil, err
	}
	clean := make([]string, 0, len(fields))
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if !IsSearchField(f) {
			return nil, Problems{"fields": fmt.Sprintf("%q is not a search field", f)}.Err()
		}
		if !slices.Contains(clean, f) {
			clean = append(clean, f)
		}
	}
	if len(clean) > maxPins {
		return nil, Problems{"fields": fmt.Sprintf("pin at most %d fields", maxPins)}.Err()
	}
	if err := s.store.SetPinnedSearchFields(ctx, a.ID, clean); err != nil {
		return nil, err
	}
	return clean, nil
}

// requirePinner: pins are an administrator's own, kept with their
// account; a client has none.
func requirePinner(a Actor) error {
	if a.Kind != storage.PrincipalAdministrator || a.ID == "" || !a.CanAnyStore(ReadAccounts) {
		return ErrForbidden
	}
	return nil
}
