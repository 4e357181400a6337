package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

// TestPolicyRoles: every role that reads configuration reads the
// policies; a store-scoped admin, support and an auditor change none
// (policies belong to no store: only an unlimited grant changes them).
func TestPolicyRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	owner := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
	created := owner.post(t, "/admin/policies", url.Values{"kind": {"mfa"}, "name": {"Strict"}})
	if created.status != http.StatusSeeOther || !strings.HasPrefix(created.location, "/admin/policies/") {
		t.Fatalf("create: %d to %q %s", created.status, created.location, created.body)
	}
	path := strings.TrimSuffix(created.location, "?notice=created")
	for who, br := range map[string]*browser{
		"auditor": e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor))),
		"support": e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport))),
		"scoped":  e.signIn(t, e.admin(t, "scoped@example.com", grant(storage.RoleAdmin, storeA))),
	} {
		list := br.get(t, "/admin/policies?kind=mfa")
		if list.status != http.StatusOK || !strings.Contains(list.body, "Strict") || strings.Contains(list.body, `method="post" action="/admin/policies"`) {
			t.Errorf("%s: list %d, or it offers the creation form", who, list.status)
		}
		if page := br.get(t, path); page.status != http.StatusOK || strings.Contains(page.body, path+"/delete") {
			t.Errorf("%s: page %d, or it offers deletion", who, page.status)
		}
		if got := br.get(t, path+"/delete"); got.status != http.StatusForbidden {
			t.Errorf("%s: GET delete = %d", who, got.status)
		}
		for _, p := range []struct {
			path string
			form url.Values
		}{
			{"/admin/policies", url.Values{"kind": {"mfa"}, "name": {"Mine"}}},
			{path, url.Values{"name": {"X"}, "mode": {"off"}, "methods": {"totp"}, "version": {"1"}}},
			{path + "/default", nil},
			{path + "/delete", url.Values{"confirm": {"yes"}, "version": {"1"}}},
		} {
			if got := br.post(t, p.path, p.form); got.status != http.StatusForbidden {
				t.Errorf("%s: POST %s = %d", who, p.path, got.status)
			}
		}
	}
	if acts := e.auditActions(t); len(acts) != 1 || acts[0] != "policy.created" {
		t.Errorf("refused changes wrote %v", acts)
	}
}

// TestPolicyLifecycle: create (field errors first), edit an MFA policy
// (the service's error kept beside the form, a stale form refused), a
// self-service policy with a bad number, a consent policy with bad JSON;
// make one Default; delete through the confirmation, refused for the
// Default.
func TestPolicyLifecycle(t *testing.T) {
	t.Parallel()
	onBothStores(t, policyLifecycle)
}

func policyLifecycle(t *testing.T, e *testEnv) {
	br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
	if bad := br.post(t, "/admin/policies", url.Values{"kind": {"mfa"}, "name": {""}}); bad.status != http.StatusUnprocessableEntity ||
		!strings.Contains(bad.body, `id="name-error"`) {
		t.Fatalf("bad create: %d", bad.status)
	}
	created := br.post(t, "/admin/policies", url.Values{"kind": {"mfa"}, "name": {"Strict"}})
	path := strings.TrimSuffix(created.location, "?notice=created")
	if page := br.get(t, path); !strings.Contains(page.body, `name="mode" value="off" checked`) || !strings.Contains(page.body, `value="totp" checked`) {
		t.Fatalf("the new MFA policy's form: %d %s", page.status, page.body)
	}
	noMethod := br.post(t, path, url.Values{"name": {"Strict"}, "mode": {"required"}, "version": {"1"}})
	if noMethod.status != http.StatusUnprocessableEntity || !strings.Contains(noMethod.body, `id="body-error"`) ||
		!strings.Contains(noMethod.body, `value="required" checked`) {
		t.Errorf("no method: %d", noMethod.status)
	}
	if got := br.post(t, path, url.Values{"name": {"Strict MFA"}, "mode": {"required"}, "methods": {"totp", "passkey"}, "version": {"1"}}); got.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", got.status, got.body)
	}
	if stale := br.post(t, path, url.Values{"name": {"Old tab"}, "mode": {"off"}, "methods": {"totp"}, "version": {"1"}}); stale.status != http.StatusPreconditionFailed {
		t.Errorf("a stale form: %d", stale.status)
	}
	id := strings.TrimPrefix(path, "/admin/policies/")
	p, err := e.store.(consoleStore).GetPolicy(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Strict MFA" || p.MFA.Mode != storage.MFARequired || strings.Join(p.MFA.Methods, ",") != "passkey,totp" {
		t.Errorf("after editing: %+v", p)
	}
	ss := br.post(t, "/admin/policies", url.Values{"kind": {"self_service"}, "name": {"Closed"}})
	ssPath := strings.TrimSuffix(ss.location, "?notice=created")
	badNum := br.post(t, ssPath, url.Values{"name": {"Closed"}, "reset_link_minutes": {"soon"}, "activation_link_minutes": {"60"},
		"code_minutes": {"10"}, "password_min_length": {"12"}, "version": {"1"}})
	if badNum.status != http.StatusUnprocessableEntity || !strings.Contains(badNum.body, `id="reset_link_minutes-error"`) || !strings.Contains(badNum.body, `value="soon"`) {
		t.Errorf("a bad number: %d", badNum.status)
	}
	if got := br.post(t, ssPath, url.Values{"name": {"Closed"}, "reset_by_email_link": {"yes"}, "reset_link_minutes": {"30"}, "activation_link_minutes": {"60"},
		"code_minutes": {"10"}, "password_min_length": {"12"}, "version": {"1"}}); got.status != http.StatusSeeOther {
		t.Fatalf("self-service edit: %d %s", got.status, got.body)
	}
	cp := br.post(t, "/admin/policies", url.Values{"kind": {"consent"}, "name": {"Docs"}})
	cpPath := strings.TrimSuffix(cp.location, "?notice=created")
	if bad := br.post(t, cpPath, url.Values{"name": {"Docs"}, "consent": {"[{"}, "version": {"1"}}); bad.status != http.StatusUnprocessableEntity ||
		!strings.Contains(bad.body, `id="consent-error"`) {
		t.Errorf("bad JSON: %d", bad.status)
	}
	if got := br.post(t, path+"/default", nil); got.status != http.StatusSeeOther {
		t.Fatalf("default: %d %s", got.status, got.body)
	}
	if got := br.post(t, path+"/delete", url.Values{"version": {"2"}}); got.location != path+"/delete" {
		t.Errorf("deletion without confirm goes to %q", got.location)
	}
	if got := br.post(t, path+"/delete", url.Values{"version": {"3"}, "confirm": {"yes"}}); got.status != http.StatusConflict ||
		!strings.Contains(got.body, "the policy is a Default or assigned to applications") {
		t.Errorf("deleting the Default: %d", got.status)
	}
	if page := br.get(t, cpPath+"/delete"); !strings.Contains(page.body, `name="version" value="1"`) {
		t.Error("the confirmation page lacks the version")
	}
	if got := br.post(t, cpPath+"/delete", url.Values{"version": {"1"}, "confirm": {"yes"}}); got.location != "/admin/policies?kind=consent&notice=deleted" {
		t.Errorf("delete: %d to %q %s", got.status, got.location, got.body)
	}
	want := "policy.deleted policy.default_set policy.created policy.updated policy.created policy.updated policy.created"
	if acts := strings.Join(e.auditActions(t), " "); acts != want {
		t.Errorf("audit actions %q, want %q", acts, want)
	}
}
