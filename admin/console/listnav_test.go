package console

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"foyer/storage"
)

// nextLink is the href of the page's next-page link ("" when none).
func nextLink(body string) string {
	m := regexp.MustCompile(`<nav class="pager"[^>]*><a href="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// before reports whether a appears in body and before b (or b is absent).
func before(body, a, b string) bool {
	i, j := strings.Index(body, a), strings.Index(body, b)
	return i >= 0 && (j < 0 || i < j)
}

// TestListFilterSortAndPages: the stores list filters and orders the
// whole list on the server through a GET form and plain links.
func TestListFilterSortAndPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
	stores := br.get(t, "/admin/stores")
	if stores.status != http.StatusOK || !strings.Contains(stores.body, `href="/admin/stores?sort=-name"`) ||
		!strings.Contains(stores.body, `<form method="get" action="/admin/stores"`) ||
		!strings.Contains(stores.body, `<label for="list-filter">Filter</label>`) ||
		!before(stores.body, ">Store A</a>", ">Store B</a>") {
		t.Errorf("stores A-Z: %d", stores.status)
	}
	if down := br.get(t, "/admin/stores?sort=-name"); !before(down.body, ">Store B</a>", ">Store A</a>") ||
		!strings.Contains(down.body, `<input type="hidden" name="sort" value="-name">`) {
		t.Error("stores Z-A")
	}
	f := br.get(t, "/admin/stores?q=STORE+b&sort=-name")
	if f.status != http.StatusOK || !strings.Contains(f.body, ">Store B</a>") || strings.Contains(f.body, ">Store A</a>") ||
		!strings.Contains(f.body, `value="STORE b"`) || !strings.Contains(html.UnescapeString(f.body), `href="/admin/stores?q=STORE+b&sort=created"`) {
		t.Errorf("stores filtered: %d", f.status)
	}
}

// TestListPagesKeepOrderAndFilter: a store's groups page through the
// whole list in either order; the next link keeps q and sort, and a
// cursor of another order shows the first page.
func TestListPagesKeepOrderAndFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
	for i := range listPageSize + 1 {
		e.group(t, storeA, fmt.Sprintf("g%02d", i))
	}
	list := "/admin/stores/" + storeA + "/groups"
	up := br.get(t, list)
	next := nextLink(up.body)
	if up.status != http.StatusOK || !strings.HasPrefix(next, list+"?cursor=") ||
		!before(up.body, ">g00</a>", ">g49</a>") || strings.Contains(up.body, ">g50</a>") {
		t.Fatalf("groups A-Z page 1: %d, next %q", up.status, next)
	}
	if p2 := br.get(t, next); !strings.Contains(p2.body, ">g50</a>") || strings.Contains(p2.body, ">g49</a>") || nextLink(p2.body) != "" {
		t.Errorf("groups A-Z page 2: %d", p2.status)
	}
	down := br.get(t, list+"?sort=-name")
	downNext := nextLink(down.body)
	if !before(down.body, ">g50</a>", ">g01</a>") || strings.Contains(down.body, ">g00</a>") ||
		!strings.Contains(downNext, "sort=-name") {
		t.Fatalf("groups Z-A page 1: %d, next %q", down.status, downNext)
	}
	if p2 := br.get(t, downNext); !strings.Contains(p2.body, ">g00</a>") || strings.Contains(p2.body, ">g01</a>") {
		t.Errorf("groups Z-A page 2: %d", p2.status)
	}
	// The A-Z cursor asked for in Z-A order: the first Z-A page.
	if mixed := br.get(t, strings.Replace(next, "?", "?sort=-name&", 1)); mixed.status != http.StatusOK ||
		!strings.Contains(mixed.body, ">g50</a>") || strings.Contains(mixed.body, ">g00</a>") {
		t.Errorf("foreign cursor: %d", mixed.status)
	}
	f := br.get(t, list+"?q=G4&sort=-name")
	if f.status != http.StatusOK || !before(f.body, ">g49</a>", ">g40</a>") || strings.Contains(f.body, ">g39</a>") ||
		strings.Contains(f.body, ">g04</a>") || nextLink(f.body) != "" {
		t.Errorf("groups filtered: %d", f.status)
	}

	roles := rolesPart(e)
	for i := range listPageSize + 1 {
		roles.create(t, storeA, fmt.Sprintf("R%02d", i))
	}
	rl := "/admin/stores/" + storeA + "/roles"
	first := br.get(t, rl+"?q=r")
	rnext := nextLink(first.body)
	if !strings.Contains(rnext, "q=r") || strings.Contains(first.body, ">R50</a>") {
		t.Fatalf("roles page 1: %d, next %q", first.status, rnext)
	}
	if p2 := br.get(t, rnext); !strings.Contains(p2.body, ">R50</a>") || strings.Contains(p2.body, ">R49</a>") {
		t.Errorf("roles page 2: %d", p2.status)
	}
}
