package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

func vpoliciesPart(e *testEnv) part {
	return part{
		list: func(storeID string) string { return "/admin/stores/" + storeID + "/verification-policies" },
		form: func(s string) url.Values {
			return url.Values{"name": {"Policy " + s}, "methods": {"in person\nvideo call " + s}}
		},
		field: "vpolicy-name",
		create: func(t *testing.T, storeID, name string) string {
			t.Helper()
			p := &storage.VerificationPolicy{StoreID: storeID, Name: name, Methods: []string{"in person"}, CreatedAt: e.clock.Now()}
			if err := e.store.CreateVerificationPolicy(context.Background(), p); err != nil {
				t.Fatal(err)
			}
			return p.ID
		},
	}
}

// TestVerificationPolicyRoles: owners and admins change policies, support
// and auditors only read them, an admin of store A finds none of B's.
func TestVerificationPolicyRoles(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		checkPartRoles(t, e, vpoliciesPart(e))
	})
}

// TestVerificationPolicyForms: errors beside their fields with what was
// typed, a taken name, the methods one per line, a stale version refused,
// the audit entries, and the store's links to the list.
func TestVerificationPolicyForms(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
		list := "/admin/stores/" + storeA + "/verification-policies"
		bad := br.post(t, list, url.Values{"name": {" "}, "methods": {"in person\nIN PERSON"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="name-error"`) ||
			!strings.Contains(bad.body, `id="methods-error"`) || !strings.Contains(bad.body, ">in person\nIN PERSON</textarea>") {
			t.Errorf("bad policy: %d %s", bad.status, bad.body)
		}
		if got := br.post(t, list, url.Values{"name": {"Empty"}, "methods": {"\n \n"}}); got.status != http.StatusUnprocessableEntity ||
			!strings.Contains(got.body, `id="methods-error"`) {
			t.Errorf("policy without methods: %d", got.status)
		}
		if got := br.post(t, list, url.Values{"name": {"Branch"}, "methods": {"in person\r\n document check \r\n"}}); got.status != http.StatusSeeOther ||
			got.location != list+"?notice=created" {
			t.Fatalf("create: %d to %q", got.status, got.location)
		}
		policies, err := e.store.ListVerificationPolicies(context.Background(), storeA, "", 0)
		if err != nil || len(policies) != 1 || strings.Join(policies[0].Methods, "|") != "in person|document check" {
			t.Fatalf("stored = %+v, %v", policies, err)
		}
		taken := br.post(t, list, url.Values{"name": {"branch"}, "methods": {"x"}})
		if taken.status != http.StatusConflict || !strings.Contains(taken.body, "a verification policy with this name exists in the store") {
			t.Errorf("taken name: %d", taken.status)
		}
		path := list + "/" + policies[0].ID
		if got := br.post(t, path, url.Values{"name": {"Counter"}, "methods": {"video call"}, "version": {"1"}}); got.status != http.StatusSeeOther {
			t.Fatalf("edit: %d", got.status)
		}
		stale := br.post(t, path, url.Values{"name": {"Lost"}, "methods": {"x"}, "version": {"1"}})
		if stale.status != http.StatusPreconditionFailed || !strings.Contains(stale.body, `value="Lost"`) {
			t.Errorf("stale edit: %d", stale.status)
		}
		page := br.get(t, list)
		if !strings.Contains(page.body, ">Counter</a>") || !strings.Contains(page.body, "video call") ||
			!strings.Contains(page.body, `href="`+list+`" aria-current="page"`) {
			t.Error("the list lacks the policy or the menu's entry")
		}
		if store := br.get(t, "/admin/stores/"+storeA); !strings.Contains(store.body, `href="`+list+`"`) {
			t.Error("the store's page does not link its verification policies")
		}
		br.checkConfirmation(t, path+"/delete", "2")
		if got := br.post(t, path+"/delete", url.Values{"confirm": {"yes"}, "version": {"2"}}); got.status != http.StatusSeeOther || got.location != list+"?notice=deleted" {
			t.Errorf("delete: %d to %q", got.status, got.location)
		}
		entries, err := e.store.(consoleStore).ListAuditEntries(context.Background(), storage.AuditFilter{TargetID: policies[0].ID})
		if err != nil || len(entries) != 3 || entries[0].Action != "verification_policy.deleted" || entries[1].Action != "verification_policy.updated" {
			t.Errorf("audit = %+v, %v", entries, err)
		}
	})
}
