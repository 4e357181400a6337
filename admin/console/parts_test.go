package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"foyer/storage"
)

// part describes one kind of a store's parts (roles, organizations) for
// the shared role and scope checks of its pages.
type part struct {
	// list is the list's path in a store; form a valid creation (and
	// edit) form, named by suffix.
	list func(storeID string) string
	form func(suffix string) url.Values
	// field is the id of the form's name input.
	field string
	// create makes one in storeID directly and returns its id.
	create func(t *testing.T, storeID, name string) string
}

// checkPartRoles: owners and admins create, edit and delete (the last
// through the confirmation), support and auditors read the list and the
// page without forms and are refused every change, and a store-A admin
// finds nothing of store B.
func checkPartRoles(t *testing.T, e *testEnv, p part) {
	t.Helper()
	for _, c := range []struct {
		role  storage.AdminRole
		write bool
	}{{storage.RoleOwner, true}, {storage.RoleAdmin, true}, {storage.RoleSupport, false}, {storage.RoleAuditor, false}} {
		who := string(c.role)
		br := e.signIn(t, e.admin(t, who+"@example.com", grant(c.role)))
		list := br.get(t, p.list(storeA))
		if list.status != http.StatusOK || strings.Contains(list.body, `id="`+p.field+`"`) != c.write {
			t.Errorf("%s: list %d", who, list.status)
		}
		path := p.list(storeA) + "/" + p.create(t, storeA, "p-"+who)
		if got := br.get(t, path); got.status != http.StatusOK || strings.Contains(got.body, `id="`+p.field+`"`) != c.write {
			t.Errorf("%s: page %d", who, got.status)
		}
		got := map[string]response{
			"create":       br.post(t, p.list(storeA), p.form("c-"+who)),
			"edit":         br.post(t, path, withVersion(p.form("e-"+who), 1)),
			"confirmation": br.get(t, path+"/delete"),
			"delete":       br.post(t, path+"/delete", url.Values{"confirm": {"yes"}, "version": {"2"}}),
		}
		for what, res := range got {
			want := http.StatusSeeOther
			if what == "confirmation" {
				want = http.StatusOK
			}
			if !c.write {
				want = http.StatusForbidden
			}
			if res.status != want {
				t.Errorf("%s: %s = %d, want %d", who, what, res.status, want)
			}
		}
	}
	scoped := e.signIn(t, e.admin(t, "scoped@example.com", grant(storage.RoleAdmin, storeA)))
	path := p.list(storeB) + "/" + p.create(t, storeB, "theirs")
	for what, res := range map[string]response{
		"list": scoped.get(t, p.list(storeB)), "create": scoped.post(t, p.list(storeB), p.form("x")),
		"page": scoped.get(t, path), "edit": scoped.post(t, path, withVersion(p.form("x"), 1)),
		"confirmation": scoped.get(t, path+"/delete"), "delete": scoped.post(t, path+"/delete", url.Values{"confirm": {"yes"}, "version": {"1"}}),
		"through store A": scoped.get(t, p.list(storeA)+"/"+strings.TrimPrefix(path, p.list(storeB)+"/")),
	} {
		if res.status != http.StatusNotFound {
			t.Errorf("a store-A admin: store B's %s = %d, want 404", what, res.status)
		}
	}
}

func withVersion(form url.Values, v int) url.Values {
	form.Set("version", strconv.Itoa(v))
	return form
}
