package admin

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"foyer/admin/manage"
)

// listOptions reads a configuration list's query: limit and cursor as
// every list (paging.go), q (a case-insensitive substring of the name or
// id) and sort (name, -name, created, -created; default name).
func listOptions(r *http.Request) (manage.ListOptions, error) {
	limit, after, err := pageParams(r)
	if err != nil {
		return manage.ListOptions{}, err
	}
	q := r.URL.Query()
	return manage.ListOptions{Filter: q.Get("q"), Sort: q.Get("sort"), After: after, Limit: limit}, nil
}

// pageList is the list answer of a service's page; its next cursor wraps
// the service's opaque position.
func pageList[T any](p manage.Page[T]) list[T] {
	l := list[T]{Items: p.Items}
	if l.Items == nil {
		l.Items = []T{}
	}
	if p.Next != "" {
		l.NextCursor = nextCursor(p.Next)
	}
	return l
}

// listError makes a refused sort or cursor (query parameters, not a
// submitted document) a 400 problem; other errors pass unchanged.
func listError(err error) error {
	var ve *manage.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var bad []string
	for _, f := range []string{"sort", "cursor"} {
		if d, ok := ve.Fields[f]; ok {
			bad = append(bad, f+": "+d)
		}
	}
	if len(bad) == 0 {
		return err
	}
	sort.Strings(bad)
	return fmt.Errorf("%w: %s", errBadRequest, strings.Join(bad, "; "))
}
