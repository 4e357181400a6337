package manage

import (
	"context"
	"net/url"

	"foyer/storage"
)

// SearchIDs is the storage a search selection walks.
type SearchIDs interface {
	SearchAccountIDs(ctx context.Context, q storage.AccountSearch, after string, limit int) ([]string, error)
	CountSearchedAccounts(ctx context.Context, q storage.AccountSearch) (int64, error)
}

// NewSearchSelector is the selector of "the whole search result": the
// filters mean what they mean to the account list (AccountSearch), so a
// job acts on exactly the accounts the administrator found.
func NewSearchSelector(search *AccountSearch, store SearchIDs) AccountSelector {
	return searchSelector{search: search, store: store}
}

type searchSelector struct {
	search *AccountSearch
	store  SearchIDs
}

// prepare validates the filters against the store's schema. The job's
// own permission is checked by the service and the runner, so the
// search runs as the system.
func (s searchSelector) prepare(ctx context.Context, storeID string, filters map[string]string) (storage.AccountSearch, error) {
	p := Problems{}
	v := url.Values{}
	for k, val := range filters {
		if !IsSearchField(k) {
			p.Add(k, "is not a search field")
			continue
		}
		v.Set(k, val)
	}
	if err := p.Err(); err != nil {
		return storage.AccountSearch{}, err
	}
	q, err := ParseAccountQuery(v)
	if err != nil {
		return storage.AccountSearch{}, err
	}
	prepared, err := s.search.Prepare(ctx, System(), storeID, q)
	return prepared.AccountSearch, err
}

func (s searchSelector) SelectAccountIDs(ctx context.Context, storeID string, filters map[string]string, after string, limit int) ([]string, error) {
	q, err := s.prepare(ctx, storeID, filters)
	if err != nil {
		return nil, err
	}
	return s.store.SearchAccountIDs(ctx, q, after, limit)
}

func (s searchSelector) CountAccounts(ctx context.Context, storeID string, filters map[string]string) (int64, error) {
	q, err := s.prepare(ctx, storeID, filters)
	if err != nil {
		return 0, err
	}
	return s.store.CountSearchedAccounts(ctx, q)
}
