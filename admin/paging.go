package admin

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
)

// Paging limits of every list.
const (
	defaultLimit = 50
	maxLimit     = 200
)

// list is every list answer: a page of items and, unless it is the last
// page, the cursor of the next.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// newList is the page items; more says whether items were cut at the
// limit, and key is the sort key of the last item shown.
func newList[T any](items []T, more bool, key func(T) string) list[T] {
	if items == nil {
		items = []T{}
	}
	l := list[T]{Items: items}
	if more && len(items) > 0 {
		l.NextCursor = nextCursor(key(items[len(items)-1]))
	}
	return l
}

// pageParams reads limit and cursor from the query. after is the sort key
// the cursor carries ("" for the first page). A bad value is errBadRequest.
func pageParams(r *http.Request) (limit int, after string, err error) {
	q := r.URL.Query()
	limit = defaultLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return 0, "", fmt.Errorf("%w: limit must be a whole number from 1 to %d", errBadRequest, maxLimit)
		}
		limit = n
	}
	if c := q.Get("cursor"); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil || len(raw) == 0 {
			return 0, "", fmt.Errorf("%w: cursor is not one this API returned", errBadRequest)
		}
		after = string(raw)
	}
	return limit, after, nil
}

// nextCursor is the opaque cursor for the page after the item whose sort
// key is key.
func nextCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}
