package console

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"foyer/storage"
)

// TestNameSort: the stores and groups lists order the page shown by name
// both ways through plain links, and the next page's link keeps the
// order and pages on after the service's last key.
func TestNameSort(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
	stores := br.get(t, "/admin/stores")
	if !strings.Contains(stores.body, `href="/admin/stores?sort=-name"`) ||
		strings.Index(stores.body, ">Store A</a>") > strings.Index(stores.body, ">Store B</a>") {
		t.Errorf("stores A-Z: %d", stores.status)
	}
	if down := br.get(t, "/admin/stores?sort=-name"); strings.Index(down.body, ">Store A</a>") < strings.Index(down.body, ">Store B</a>") {
		t.Error("stores Z-A lists Store A first")
	}
	for i := range groupsPageSize + 1 {
		e.group(t, storeA, fmt.Sprintf("g%02d", i))
	}
	list := "/admin/stores/" + storeA + "/groups"
	up := br.get(t, list)
	if up.status != http.StatusOK || !strings.Contains(html.UnescapeString(up.body), `href="`+list+`?after=g49"`) ||
		strings.Index(up.body, ">g00</a>") > strings.Index(up.body, ">g49</a>") || strings.Contains(up.body, ">g50</a>") {
		t.Errorf("groups A-Z page 1: %d", up.status)
	}
	down := br.get(t, list+"?sort=-name")
	if !strings.Contains(html.UnescapeString(down.body), `href="`+list+`?after=g49&sort=-name"`) ||
		strings.Index(down.body, ">g00</a>") < strings.Index(down.body, ">g49</a>") {
		t.Errorf("groups Z-A page 1: %d", down.status)
	}
	if next := br.get(t, list+"?after=g49&sort=-name"); !strings.Contains(next.body, ">g50</a>") || strings.Contains(next.body, ">g49</a>") {
		t.Errorf("groups page 2: %d", next.status)
	}
	roles := rolesPart(e)
	for i := range rolesPageSize + 1 {
		roles.create(t, storeA, fmt.Sprintf("R%02d", i))
	}
	rl := "/admin/stores/" + storeA + "/roles"
	if first := br.get(t, rl); !strings.Contains(html.UnescapeString(first.body), `href="`+rl+`?after=r49"`) || strings.Contains(first.body, ">R50</a>") {
		t.Errorf("roles page 1: %d", first.status)
	}
	if next := br.get(t, rl+"?after=r49"); !strings.Contains(next.body, ">R50</a>") || strings.Contains(next.body, ">R49</a>") {
		t.Errorf("roles page 2: %d", next.status)
	}
}
