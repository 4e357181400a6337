package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"foyer/storage"
)

// profileFixture: a customer of store A with a schema attribute, a
// session a client with a back-channel logout URI took part in, a group,
// and administrators: support of store A, an auditor, support of store B.
type profileFixture struct {
	e                       *testEnv
	customer                *storage.Account
	group                   *storage.Group
	support, auditor, other *browser
	path                    string
}

func newProfileFixture(t *testing.T, e *testEnv) *profileFixture {
	t.Helper()
	ctx := context.Background()
	is, err := e.store.GetIdentityStore(ctx, storeA)
	if err != nil {
		t.Fatal(err)
	}
	is.Attributes = []storage.AttributeDef{{Name: "nickname", Visible: true, Editable: true, AdminVisible: true, AdminEditable: true, MaxLength: 8}}
	must(t, e.store.(consoleStore).UpdateIdentityStore(ctx, is, is.Version))
	f := &profileFixture{e: e, customer: e.account(t, storeA, "ann@example.com")}
	app := &storage.Application{StoreID: storeA, Name: "Shop"}
	must(t, e.store.CreateApplication(ctx, app))
	must(t, e.store.CreateClient(ctx, &storage.Client{ID: "shop", ApplicationID: app.ID, Name: "Shop",
		RedirectURIs: []string{"https://shop.example/cb"}, BackchannelLogoutURI: "https://shop.example/logout"}))
	now := time.Now().UTC()
	must(t, e.store.CreateSession(ctx, &storage.Session{ID: "sess-ann", AccountID: f.customer.ID, AuthTime: now, ExpiresAt: now.Add(time.Hour)}))
	must(t, e.store.RecordSessionClient(ctx, "sess-ann", "shop"))
	f.group = &storage.Group{StoreID: storeA, Name: "staff"}
	must(t, e.store.CreateGroup(ctx, f.group))
	f.support = e.signIn(t, e.admin(t, "support@admins.example", grant(storage.RoleSupport, storeA)))
	f.auditor = e.signIn(t, e.admin(t, "auditor@admins.example", grant(storage.RoleAuditor)))
	f.other = e.signIn(t, e.admin(t, "other@admins.example", grant(storage.RoleSupport, storeB)))
	f.path = "/admin/stores/" + storeA + "/accounts/" + f.customer.ID
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestAccountProfileAttributesTab(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		f := newProfileFixture(t, e)
		page := f.support.get(t, f.path)
		if page.status != http.StatusOK || !strings.Contains(page.body, `name="attr.nickname"`) || !strings.Contains(page.body, `name="version" value="1"`) ||
			!strings.Contains(page.body, "/groups") {
			t.Fatalf("attributes tab: %d %s", page.status, page.body)
		}
		ro := f.auditor.get(t, f.path)
		if ro.status != http.StatusOK || strings.Contains(ro.body, "<form method=\"post\" action=\""+f.path+"\"") || strings.Contains(ro.body, "/delete") {
			t.Errorf("the auditor's view has forms: %d", ro.status)
		}
		if got := f.other.get(t, f.path); got.status != http.StatusForbidden && got.status != http.StatusNotFound {
			t.Errorf("another store's support: %d", got.status)
		}
		root := e.admin(t, "root@admins.example", grant(storage.RoleOwner))
		owner := e.signIn(t, root)
		adminPath := "/admin/stores/" + storage.AdministratorsStoreID + "/accounts/" + root.ID
		for _, p := range []string{adminPath, adminPath + "/groups", adminPath + "/export"} {
			if got := owner.get(t, p); got.status != http.StatusNotFound {
				t.Errorf("an owner reaches an administrator through %s: %d", p, got.status)
			}
		}
		if got := owner.post(t, adminPath+"/status", url.Values{"status": {"disabled"}}); got.status != http.StatusNotFound {
			t.Errorf("an owner disables an administrator through the account pages: %d", got.status)
		}
		n := len(e.auditActions(t))
		bad := f.support.post(t, f.path, url.Values{"version": {"1"}, "email": {"not-an-address"}, "attr.nickname": {"much too long"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `value="much too long"`) || !strings.Contains(bad.body, "This is too long.") || !strings.Contains(bad.body, `id="email-error"`) {
			t.Errorf("bad input: %d", bad.status)
		}
		if got, _ := e.store.GetAccount(context.Background(), f.customer.ID); got.Email != "ann@example.com" || len(e.auditActions(t)) != n {
			t.Error("refused input changed something")
		}
		ok := f.support.post(t, f.path, url.Values{"version": {"1"}, "email": {"ann@example.com"}, "attr.nickname": {"Annie"}})
		if ok.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", ok.status, ok.body)
		}
		if got := e.auditActions(t); got[0] != "account.attributes_updated" {
			t.Errorf("audit = %v", got)
		}
		stale := f.support.post(t, f.path, url.Values{"version": {"1"}, "attr.nickname": {"Old"}})
		if stale.status != http.StatusPreconditionFailed || !strings.Contains(stale.body, `value="Old"`) {
			t.Errorf("stale edit: %d", stale.status)
		}
		if got := f.auditor.post(t, f.path, url.Values{"version": {"2"}, "attr.nickname": {"X"}}); got.status != http.StatusForbidden {
			t.Errorf("auditor's post: %d", got.status)
		}
	})
}

func TestAccountProfileOverviewActions(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		f := newProfileFixture(t, e)
		ctx := context.Background()
		if got := f.auditor.post(t, f.path+"/status", url.Values{"status": {"disabled"}}); got.status != http.StatusForbidden {
			t.Errorf("auditor disables: %d", got.status)
		}
		if got := f.other.post(t, f.path+"/status", url.Values{"status": {"disabled"}}); got.status != http.StatusForbidden && got.status != http.StatusNotFound {
			t.Errorf("other store disables: %d", got.status)
		}
		got := f.support.post(t, f.path+"/status", url.Values{"status": {"disabled"}})
		if got.status != http.StatusSeeOther || !strings.Contains(got.location, "notice=account_disabled") {
			t.Fatalf("disable: %d %q", got.status, got.location)
		}
		acct, _ := e.store.GetAccount(ctx, f.customer.ID)
		if acct.Status != storage.AccountDisabled || e.auditActions(t)[0] != "account.disabled" {
			t.Errorf("after disable: %s, audit %v", acct.Status, e.auditActions(t))
		}
		if _, err := e.store.GetSession(ctx, "sess-ann"); err == nil {
			t.Error("the session survived the disable")
		}
		notices, err := e.store.ClaimLogoutNotices(ctx, time.Now().Add(time.Minute), time.Minute, 10)
		must(t, err)
		if len(notices) != 1 || notices[0].ClientID != "shop" {
			t.Errorf("logout notices: %+v", notices)
		}
		if page := f.support.get(t, got.location); !strings.Contains(page.body, "The account is disabled") || !strings.Contains(page.body, `value="enabled"`) {
			t.Errorf("the profile after disabling: %s", page.body)
		}
		f.support.post(t, f.path+"/status", url.Values{"status": {"enabled"}})
		if e.auditActions(t)[0] != "account.enabled" {
			t.Errorf("enable: audit %v", e.auditActions(t))
		}
		if got := f.support.post(t, f.path+"/end-sessions", nil); got.status != http.StatusSeeOther {
			t.Errorf("end sessions: %d", got.status)
		}
		x := f.auditor.get(t, f.path+"/export?format=json")
		if x.status != http.StatusOK || !strings.Contains(x.body, `"admin"`) || !strings.Contains(x.body, "account.disabled") {
			t.Errorf("json export: %d %s", x.status, x.body)
		}
		if h := f.auditor.get(t, f.path+"/export?format=html"); h.status != http.StatusOK || !strings.Contains(h.body, "ann@example.com") {
			t.Errorf("html export: %d", h.status)
		}
		if got := f.support.post(t, f.path+"/delete", nil); got.status != http.StatusSeeOther || got.location != f.path+"/delete" {
			t.Errorf("delete without confirm: %d to %q", got.status, got.location)
		}
		if page := f.support.get(t, f.path+"/delete"); page.status != http.StatusOK || !strings.Contains(page.body, `name="confirm" value="yes"`) ||
			!strings.Contains(page.body, "irreversible") {
			t.Errorf("the deletion question: %d", page.status)
		}
		if got := f.auditor.get(t, f.path+"/delete"); got.status != http.StatusForbidden {
			t.Errorf("the auditor sees the deletion question: %d", got.status)
		}
		del := f.support.post(t, f.path+"/delete", url.Values{"confirm": {"yes"}})
		if del.status != http.StatusSeeOther || !strings.Contains(del.location, "notice=account_deleted") {
			t.Fatalf("delete: %d %q", del.status, del.location)
		}
		if _, err := e.store.GetAccount(ctx, f.customer.ID); err == nil || e.auditActions(t)[0] != "account.deleted" {
			t.Errorf("after delete: %v, audit %v", err, e.auditActions(t))
		}
		if got := f.support.get(t, f.path); got.status != http.StatusNotFound {
			t.Errorf("the deleted account's page: %d", got.status)
		}
	})
}

func TestAccountProfileGroupsTab(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		f := newProfileFixture(t, e)
		page := f.support.get(t, f.path+"/groups")
		if page.status != http.StatusOK || !strings.Contains(page.body, `<option value="`+f.group.ID+`">staff</option>`) ||
			!strings.Contains(page.body, "restricted to that group") {
			t.Fatalf("groups tab: %d %s", page.status, page.body)
		}
		if got := f.auditor.post(t, f.path+"/groups", url.Values{"action": {"add"}, "group": {f.group.ID}}); got.status != http.StatusForbidden {
			t.Errorf("auditor adds: %d", got.status)
		}
		if got := f.support.post(t, f.path+"/groups", url.Values{"action": {"add"}, "group": {"nope"}}); got.status != http.StatusUnprocessableEntity {
			t.Errorf("unknown group: %d", got.status)
		}
		if got := f.support.post(t, f.path+"/groups", url.Values{"action": {"add"}, "group": {f.group.ID}}); got.status != http.StatusSeeOther {
			t.Fatalf("add: %d", got.status)
		}
		if e.auditActions(t)[0] != "account.group_added" {
			t.Errorf("audit %v", e.auditActions(t))
		}
		ro := f.auditor.get(t, f.path+"/groups")
		if !strings.Contains(ro.body, "<td>staff</td>") || strings.Contains(ro.body, `name="action"`) {
			t.Errorf("the auditor's groups tab: %s", ro.body)
		}
		if got := f.support.post(t, f.path+"/groups", url.Values{"action": {"remove"}, "group": {f.group.ID}}); got.status != http.StatusSeeOther {
			t.Fatalf("remove: %d", got.status)
		}
		if e.auditActions(t)[0] != "account.group_removed" {
			t.Errorf("audit %v", e.auditActions(t))
		}
	})
}

// TestAccountStatusButtons: the overview offers what the status allows —
// an enabled account Disable, a disabled one Enable, and one whose
// activation is pending both (support may activate it, or block it).
func TestAccountStatusButtons(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		f := newProfileFixture(t, e)
		ctx := context.Background()
		enable, disable := `name="status" value="enabled"`, `name="status" value="disabled"`
		for _, c := range []struct {
			status       storage.AccountStatus
			want, absent []string
		}{
			{storage.AccountEnabled, []string{disable}, []string{enable}},
			{storage.AccountDisabled, []string{enable}, []string{disable}},
			{storage.AccountPending, []string{enable, disable}, nil},
		} {
			must(t, e.store.SetAccountStatus(ctx, f.customer.ID, c.status))
			page := f.support.get(t, f.path)
			for _, s := range c.want {
				if !strings.Contains(page.body, s) {
					t.Errorf("%s account: no %s button", c.status, s)
				}
			}
			for _, s := range c.absent {
				if strings.Contains(page.body, s) {
					t.Errorf("%s account: a %s button", c.status, s)
				}
			}
		}
		if page := f.auditor.get(t, f.path); strings.Contains(page.body, `name="status"`) {
			t.Error("the auditor is offered a status button")
		}
	})
}
