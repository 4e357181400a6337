package console

import (
	"net/url"
	"slices"
	"strings"
)

// The lists of a store's parts (and the stores list) sort by name, up or
// down, through plain links (?sort=name, ?sort=-name). The services page
// by name ascending with a key after the last row, so a descending order
// reverses the page shown; it does not page from the end.

const nameDescending = "-name"

// nameOrder is the order a list's ?sort= asks for: "name" unless it asks
// for nameDescending.
func nameOrder(q url.Values) string {
	if q.Get("sort") == nameDescending {
		return nameDescending
	}
	return "name"
}

// sortByName orders rows by name (case-insensitively) in order.
func sortByName[T any](rows []T, name func(T) string, order string) {
	slices.SortStableFunc(rows, func(a, b T) int {
		c := strings.Compare(strings.ToLower(name(a)), strings.ToLower(name(b)))
		if order == nameDescending {
			return -c
		}
		return c
	})
}

// nameSortLinks are the two orders of the list at route (with its
// variables), current marked.
func (h *Handler) nameSortLinks(routeName, current string, vars ...string) []sortLink {
	return []sortLink{
		{Label: "admin.sort.name_asc", URL: h.path(routeName, url.Values{"sort": {"name"}}, vars...), Current: current != nameDescending},
		{Label: "admin.sort.name_desc", URL: h.path(routeName, url.Values{"sort": {nameDescending}}, vars...), Current: current == nameDescending},
	}
}

// nextPage is the list's next page after key, keeping its order.
func (h *Handler) nextPage(routeName, after, order string, vars ...string) string {
	q := url.Values{"after": {after}}
	if order == nameDescending {
		q.Set("sort", order)
	}
	return h.path(routeName, q, vars...)
}
