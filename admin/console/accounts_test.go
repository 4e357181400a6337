package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// newAccountsEnv is the console with the account search wired (the
// shared harness does not build it), a "city" attribute in store A's
// schema and three accounts there (one disabled, one in Bern), one in B.
func newAccountsEnv(t *testing.T, store storage.Store) (*testEnv, map[string]*storage.Account) {
	t.Helper()
	e := newEnv(t, store)
	cs := e.store.(consoleStore)
	e.handler.accountSearch = manage.NewAccountSearch(manage.NewCore(cs, e.clock.Now), cs)
	ctx := context.Background()
	is, err := e.store.GetIdentityStore(ctx, storeA)
	if err != nil {
		t.Fatal(err)
	}
	is.Attributes = []storage.AttributeDef{{Name: "city", Label: "City", AdminVisible: true}}
	if err := cs.UpdateIdentityStore(ctx, is, is.Version); err != nil {
		t.Fatal(err)
	}
	accts := map[string]*storage.Account{}
	for _, a := range []*storage.Account{
		{StoreID: storeA, Email: "ann@example.com", EmailConfirmed: true, Attributes: map[string]string{"city": "Berlin"}},
		{StoreID: storeA, Email: "bob@example.com", Status: storage.AccountDisabled},
		{StoreID: storeA, Email: "cleo@example.com", Attributes: map[string]string{"city": "Bern"}},
		{StoreID: storeB, Email: "dan@example.com"},
	} {
		if a.Status == "" {
			a.Status = storage.AccountEnabled
		}
		if err := e.store.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		accts[a.Email] = a
	}
	return e, accts
}

const accountsPath = "/admin/stores/" + storeA + "/accounts"

// TestAccountList: the list shows the store's accounts with their labels,
// linking to each profile, with a checkbox per row and the quick actions
// for support; the auditor sees the list without the actions; an
// administrator of another store and the administrators store are refused.
func TestAccountList(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, accts := newAccountsEnv(t, newStore(t))
		support := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		page := support.get(t, accountsPath)
		if page.status != http.StatusOK {
			t.Fatalf("list: %d", page.status)
		}
		for _, want := range []string{"ann@example.com", "bob@example.com", "cleo@example.com",
			`href="/admin/stores/store-a/accounts/` + accts["ann@example.com"].ID + `"`,
			`name="account" value="` + accts["bob@example.com"].ID + `"`,
			`<form id="bulk" method="post" action="/admin/stores/store-a/accounts/actions">`, `name="all" value="1"`,
			">Disabled</li>", ">Verified email</li>", ">Unverified email</li>",
			`<label for="sf-attr.city">City (exact)</label>`, `>Accounts</a>`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the list lacks %s", want)
			}
		}
		if strings.Contains(page.body, "dan@example.com") {
			t.Error("the list shows store B's account")
		}
		auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		if got := auditor.get(t, accountsPath); got.status != http.StatusOK || !strings.Contains(got.body, "ann@example.com") || strings.Contains(got.body, `id="bulk"`) {
			t.Errorf("the auditor's list: %d, actions shown: %v", got.status, strings.Contains(got.body, `id="bulk"`))
		}
		scoped := e.signIn(t, e.admin(t, "b@example.com", grant(storage.RoleSupport, storeB)))
		if got := scoped.get(t, accountsPath); got.status != http.StatusForbidden && got.status != http.StatusNotFound {
			t.Errorf("a store-B administrator on store A's list: %d", got.status)
		}
		owner := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
		if got := owner.get(t, "/admin/stores/"+storage.AdministratorsStoreID+"/accounts"); got.status != http.StatusNotFound {
			t.Errorf("the administrators store's list: %d, want 404", got.status)
		}
	})
}

// TestAccountSearchForm: each filter narrows the list; a bad value is
// shown beside its field and lists nothing.
func TestAccountSearchForm(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, _ := newAccountsEnv(t, newStore(t))
		br := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"email_prefix=AN", []string{"ann@example.com"}},
			{"attr_prefix.city=ber", []string{"ann@example.com", "cleo@example.com"}},
			{"attr.city=bern", []string{"cleo@example.com"}},
			{"status=disabled", []string{"bob@example.com"}},
			{"email_verified=true", []string{"ann@example.com"}},
		} {
			got := br.get(t, accountsPath+"?"+c.query)
			if got.status != http.StatusOK {
				t.Errorf("%s: %d", c.query, got.status)
				continue
			}
			for _, email := range []string{"ann@example.com", "bob@example.com", "cleo@example.com"} {
				shown := strings.Contains(got.body, ">"+email+"</a>")
				if want := contains(c.want, email); shown != want {
					t.Errorf("%s: %s shown = %v, want %v", c.query, email, shown, want)
				}
			}
		}
		bad := br.get(t, accountsPath+"?created_after=yesterday&email_prefix=ann")
		if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, `id="sf-created_after-error"`) ||
			!strings.Contains(bad.body, `value="yesterday"`) || strings.Contains(bad.body, ">ann@example.com</a>") {
			t.Errorf("a bad time: %d, want 400 with the error beside the field and no rows", bad.status)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestAccountListPaging: next and previous pages by cursor.
func TestAccountListPaging(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, _ := newAccountsEnv(t, newStore(t))
		for i := range accountsPageSize {
			e.account(t, storeA, fmt.Sprintf("user%02d@example.com", i))
		}
		br := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		first := br.get(t, accountsPath+"?sort=email")
		next := linkOf(first.body, `rel="next"`)
		if first.status != http.StatusOK || next == "" || strings.Contains(first.body, `rel="prev"`) {
			t.Fatalf("first page: %d, next %q", first.status, next)
		}
		second := br.get(t, next)
		if !strings.Contains(second.body, "user49@example.com") || strings.Contains(second.body, ">ann@example.com<") {
			t.Error("the second page does not continue the first")
		}
		prev := linkOf(second.body, `rel="prev"`)
		if back := br.get(t, prev); prev == "" || !strings.Contains(back.body, ">ann@example.com<") || strings.Contains(back.body, "user49@example.com") {
			t.Errorf("previous page %q does not show the first page again", prev)
		}
	})
}

// linkOf is the href of the link with the attribute, unescaped.
func linkOf(body, attr string) string {
	i := strings.Index(body, attr)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], `href="`)
	if start < 0 {
		return ""
	}
	href := body[start+len(`href="`):]
	href = href[:strings.Index(href, `"`)]
	return strings.ReplaceAll(href, "&amp;", "&")
}

// TestAccountSearchPins: a field pinned moves to the top of the panel for
// that administrator only, and unpinning puts it back.
func TestAccountSearchPins(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, _ := newAccountsEnv(t, newStore(t))
		me := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		got := me.post(t, "/admin/account-search/pins", url.Values{"store": {storeA}, "pin": {"attr.city"}, "back": {"email_prefix=ann"}})
		if got.status != http.StatusSeeOther || got.location != accountsPath+"?email_prefix=ann&notice=saved" {
			t.Fatalf("pin: %d to %q", got.status, got.location)
		}
		page := me.get(t, accountsPath).body
		pinned := page[strings.Index(page, `id="pinned-fields"`):strings.Index(page, `id="more-fields"`)]
		if !strings.Contains(pinned, `id="sf-attr.city"`) || !strings.Contains(pinned, `name="unpin" value="attr.city"`) {
			t.Error("the pinned field is not at the top with an Unpin control")
		}
		other := e.signIn(t, e.admin(t, "other@example.com", grant(storage.RoleSupport)))
		if strings.Contains(other.get(t, accountsPath).body, `id="pinned-fields"`) {
			t.Error("another administrator sees the pins")
		}
		if got := me.post(t, "/admin/account-search/pins", url.Values{"store": {storeA}, "pin": {"password"}}); got.status != http.StatusBadRequest {
			t.Errorf("pinning an unknown field: %d, want 400", got.status)
		}
		me.post(t, "/admin/account-search/pins", url.Values{"store": {storeA}, "unpin": {"attr.city"}})
		if strings.Contains(me.get(t, accountsPath).body, `id="pinned-fields"`) {
			t.Error("the unpinned field is still pinned")
		}
		if got := me.postRaw(t, "/admin/account-search/pins", url.Values{"store": {storeA}, "pin": {"email"}}, e.server.URL); got.status != http.StatusForbidden {
			t.Errorf("a pin without the form token: %d, want 403", got.status)
		}
	})
}

// TestAccountsNav: the menu's Accounts entry opens a store's list, and the
// switcher on the list opens the other store's list.
func TestAccountsNav(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, _ := newAccountsEnv(t, newStore(t))
		br := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		if got := br.get(t, "/admin/accounts?store="+storeB); got.status != http.StatusSeeOther || got.location != "/admin/stores/"+storeB+"/accounts" {
			t.Errorf("Accounts entry: %d to %q", got.status, got.location)
		}
		if !strings.Contains(br.get(t, accountsPath).body, `<input type="hidden" name="view" value="accounts">`) {
			t.Error("the switcher on the list does not keep to the account list")
		}
		if got := br.get(t, "/admin/switch?store="+storeB+"&view=accounts"); got.location != "/admin/stores/"+storeB+"/accounts" {
			t.Errorf("switching stores on the list goes to %q", got.location)
		}
	})
}
