package manage

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Sort orders of the configuration lists (ListOptions.Sort). A leading
// '-' reverses the order; the id breaks ties, so every order is total.
const (
	SortName        = "name"
	SortNameDesc    = "-name"
	SortCreated     = "created"
	SortCreatedDesc = "-created"
)

// ListOptions asks a configuration list (stores, groups, roles,
// organizations, applications, policies) for one page: the items whose
// name or id contains Filter (case-insensitively), in the order Sort
// ("" = SortName), after the cursor After (a Page.Next of the same
// filter and sort; "" = the first page), at most Limit (<= 0: all).
// These lists are small (tens to hundreds per store), so the services
// read them whole and filter, sort and page in memory: the order and the
// filter then cover every item, not just the page shown.
type ListOptions struct {
	Filter string
	Sort   string
	After  string
	Limit  int
}

// Page is one page of a list; Next is the cursor of the next page (""
// at the end). Pass it back as ListOptions.After with the same Filter and
// Sort.
type Page[T any] struct {
	Items []T
	Next  string
	// Prev is the cursor of the page before, for lists that page both
	// ways (the account search); "" on the first page.
	Prev string
}

// listKey is what a list sorts and filters an item by.
type listKey struct {
	ID      string
	Name    string
	Created time.Time
}

// listCursor is a page's position: the sort and filter it belongs to and
// the last item's key. A cursor of another sort or filter would land at
// a meaningless place, so it is refused.
type listCursor struct {
	Sort    string    `json:"s"`
	Filter  string    `json:"f"`
	ID      string    `json:"i"`
	Name    string    `json:"n,omitempty"`
	Created time.Time `json:"c,omitzero"`
}

// listPage filters, sorts and pages all, the items the actor may see.
func listPage[T any](all []T, key func(T) listKey, o ListOptions) (Page[T], error) {
	o.Filter = strings.TrimSpace(o.Filter)
	if o.Sort == "" {
		o.Sort = SortName
	}
	less := listOrder(o.Sort)
	if less == nil {
		return Page[T]{}, Problems{"sort": "one of name, -name, created, -created"}.Err()
	}
	var start *listKey
	if o.After != "" {
		var c listCursor
		if err := json.Unmarshal([]byte(o.After), &c); err != nil || c.ID == "" || c.Sort != o.Sort || c.Filter != o.Filter {
			return Page[T]{}, Problems{"cursor": "not a cursor of this list with this filter and sort; start from the first page"}.Err()
		}
		start = &listKey{ID: c.ID, Name: c.Name, Created: c.Created}
	}
	items := filterItems(all, key, o.Filter)
	slices.SortStableFunc(items, func(a, b T) int { return less(key(a), key(b)) })
	if start != nil {
		i, _ := slices.BinarySearchFunc(items, *start, func(it T, k listKey) int {
			if less(key(it), k) <= 0 {
				return -1
			}
			return 1
		})
		items = items[i:]
	}
	page := Page[T]{Items: items}
	if o.Limit > 0 && len(items) > o.Limit {
		page.Items = items[:o.Limit]
		last := key(page.Items[o.Limit-1])
		b, err := json.Marshal(listCursor{Sort: o.Sort, Filter: o.Filter, ID: last.ID, Name: last.Name, Created: last.Created})
		if err != nil {
			return Page[T]{}, err
		}
		page.Next = string(b)
	}
	return page, nil
}

// filterItems is the items whose name or id contains filter, ignoring
// case; a new slice, so sorting it leaves the caller's alone.
func filterItems[T any](all []T, key func(T) listKey, filter string) []T {
	f := strings.ToLower(filter)
	out := make([]T, 0, len(all))
	for _, it := range all {
		k := key(it)
		if f == "" || strings.Contains(strings.ToLower(k.Name), f) || strings.Contains(strings.ToLower(k.ID), f) {
			out = append(out, it)
		}
	}
	return out
}

// listOrder compares two keys in the sort order (nil: no such order).
func listOrder(sort string) func(a, b listKey) int {
	switch sort {
	case SortName:
		return byName
	case SortNameDesc:
		return func(a, b listKey) int { return byName(b, a) }
	case SortCreated:
		return byCreated
	case SortCreatedDesc:
		return func(a, b listKey) int { return byCreated(b, a) }
	}
	return nil
}

func byName(a, b listKey) int {
	if c := cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

func byCreated(a, b listKey) int {
	if c := a.Created.Compare(b.Created); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}
