package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
)

// TestInvite: a bad invitation shows each field's error beside its field
// and keeps what was typed; a good one invites, names the notice and
// writes administrator.invited.
func TestInvite(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
	got := br.post(t, "/admin/administrators", url.Values{"email": {"not an address"}, "role": {"wizard"}})
	if got.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad invitation: %d", got.status)
	}
	for _, want := range []string{`id="email-error"`, `id="role-error"`, `value="not an address"`, `aria-invalid="true"`} {
		if !strings.Contains(got.body, want) {
			t.Errorf("bad invitation's page lacks %s", want)
		}
	}
	got = br.post(t, "/admin/administrators", url.Values{"email": {"new@example.com"}, "role": {"auditor"}, "store_ids": {storeA}})
	if got.status != http.StatusSeeOther || got.location != "/admin/administrators?notice=invited" {
		t.Fatalf("invitation: %d to %q: %s", got.status, got.location, got.body)
	}
	page := br.get(t, got.location)
	if !strings.Contains(page.body, "new@example.com") || !strings.Contains(page.body, "auditor: Store A") ||
		!strings.Contains(page.body, "The administrator is invited.") {
		t.Errorf("the list after inviting lacks the new administrator or the notice")
	}
	if acts := e.auditActions(t); len(acts) != 1 || acts[0] != "administrator.invited" {
		t.Errorf("audit actions %v", acts)
	}
}

// TestRemovalNeedsConfirmation: a removal post without the confirmation
// page's confirm=yes goes to that page and removes nothing; the page
// (which works without JavaScript) posts it; the owner cannot remove
// themself, and the page says why.
func TestRemovalNeedsConfirmation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	owner := e.admin(t, "owner@example.com", grant(storage.RoleOwner))
	br := e.signIn(t, owner)
	target := e.admin(t, "target@example.com", grant(storage.RoleSupport))
	path := "/admin/administrators/" + target.ID + "/remove"
	got := br.post(t, path, nil)
	if got.status != http.StatusSeeOther || got.location != path {
		t.Fatalf("removal without confirm: %d to %q", got.status, got.location)
	}
	if _, err := e.admins.Get(t.Context(), manage.System(), target.ID); err != nil {
		t.Fatalf("removed without confirmation: %v", err)
	}
	page := br.get(t, path)
	if page.status != http.StatusOK || !strings.Contains(page.body, `name="confirm" value="yes"`) || !strings.Contains(page.body, "target@example.com") {
		t.Fatalf("confirmation page: %d", page.status)
	}
	got = br.post(t, path, url.Values{"confirm": {"yes"}})
	if got.status != http.StatusSeeOther || got.location != "/admin/administrators?notice=removed" {
		t.Fatalf("confirmed removal: %d to %q", got.status, got.location)
	}
	if _, err := e.admins.Get(t.Context(), manage.System(), target.ID); err == nil {
		t.Error("the administrator is still there")
	}
	self := br.post(t, "/admin/administrators/"+owner.ID+"/remove", url.Values{"confirm": {"yes"}})
	if self.status != http.StatusConflict || !strings.Contains(self.body, "cannot disable or remove themself") {
		t.Errorf("removing oneself: %d", self.status)
	}
	if acts := e.auditActions(t); len(acts) != 1 || acts[0] != "administrator.removed" {
		t.Errorf("audit actions %v", acts)
	}
}

// TestSetRolesAndStatus: an owner changes another administrator's roles
// (limited to a store), disables and enables them; the audit log shows
// each change, and the audit page lists and filters them.
func TestSetRolesAndStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
	target := e.admin(t, "target@example.com", grant(storage.RoleSupport))
	path := "/admin/administrators/" + target.ID
	if got := br.post(t, path, url.Values{}); got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, `id="roles-error"`) {
		t.Errorf("no role ticked: %d", got.status)
	}
	got := br.post(t, path, url.Values{"role": {"admin", "auditor"}, "stores_admin": {storeB}})
	if got.status != http.StatusSeeOther {
		t.Fatalf("set roles: %d %s", got.status, got.body)
	}
	a, err := e.admins.Get(t.Context(), manage.System(), target.ID)
	if err != nil {
		t.Fatal(err)
	}
	if labels := grantLabels(a.Grants, nil); len(labels) != 2 || !slices.Contains(labels, "admin: "+storeB) || !slices.Contains(labels, "auditor") {
		t.Errorf("grants after saving %v", labels)
	}
	// A form shown before the roles changed is stale: refused, not applied.
	stale := br.post(t, path+"/status", url.Values{"status": {"disabled"}, "version": {"1"}})
	if stale.status != http.StatusPreconditionFailed || !strings.Contains(stale.body, "Someone else changed this meanwhile") {
		t.Errorf("a stale status form: %d", stale.status)
	}
	list := br.get(t, "/admin/administrators")
	if want := fmt.Sprintf(`name="version" value="%d"`, a.Version); !strings.Contains(list.body, want) {
		t.Errorf("the list's forms lack %s", want)
	}
	for _, status := range []string{"disabled", "enabled"} {
		if got := br.post(t, path+"/status", url.Values{"status": {status}}); got.location != "/admin/administrators?notice="+status {
			t.Errorf("%s: %d to %q", status, got.status, got.location)
		}
	}
	want := []string{"administrator.enabled", "administrator.disabled", "administrator.roles_set"}
	if acts := e.auditActions(t); strings.Join(acts, " ") != strings.Join(want, " ") {
		t.Errorf("audit actions %v, want %v", acts, want)
	}
	page := br.get(t, "/admin/audit?action=administrator.&target_id="+target.ID)
	for _, a := range want {
		if !strings.Contains(page.body, a) {
			t.Errorf("the audit page lacks %s", a)
		}
	}
	if page := br.get(t, "/admin/audit?action=store."); strings.Contains(page.body, "administrator.enabled") {
		t.Error("the action filter lets other actions through")
	}
	if bad := br.get(t, "/admin/audit?since=yesterday"); bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="since-error"`) {
		t.Errorf("a bad date: %d", bad.status)
	}
	export := br.get(t, "/admin/audit/export.jsonl?action=administrator.")
	lines := strings.Split(strings.TrimSpace(export.body), "\n")
	if export.status != http.StatusOK || len(lines) != 3 {
		t.Fatalf("export: %d, %d lines", export.status, len(lines))
	}
	var first struct{ Action string }
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Action != "administrator.roles_set" {
		t.Errorf("export's first line %q (%v), want the oldest entry", lines[0], err)
	}
}

// TestAuditPaging: the audit page shows 50 entries and links to the next
// (older) ones.
func TestAuditPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
	for i := 0; i < auditPageSize+5; i++ {
		if err := e.store.(consoleStore).AppendAuditEntry(t.Context(), &storage.AuditEntry{ActorKind: storage.PrincipalSystem,
			ActorName: "system", Action: "store.created", TargetType: "store", TargetID: "s", StoreID: storeA}); err != nil {
			t.Fatal(err)
		}
	}
	first := br.get(t, "/admin/audit")
	if n := strings.Count(first.body, "<tr>") - 1; n != auditPageSize {
		t.Errorf("first page: %d rows", n)
	}
	const next = `href="/admin/audit?before=`
	i := strings.Index(first.body, next)
	if i < 0 {
		t.Fatal("no link to older entries")
	}
	link := first.body[i+len(`href="`):]
	link = strings.ReplaceAll(link[:strings.Index(link, `"`)], "&amp;", "&")
	second := br.get(t, link)
	if n := strings.Count(second.body, "<tr>") - 1; n != 5 || strings.Contains(second.body, next) {
		t.Errorf("second page: %d rows", n)
	}
}

// TestAdministratorsSorted: the list orders by e-mail unless a sort link
// asks for status or the last sign-in (most recent first, never last).
func TestAdministratorsSorted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "b-owner@example.com", grant(storage.RoleOwner)))
	recent := e.admin(t, "c-recent@example.com", grant(storage.RoleAuditor))
	old := e.admin(t, "a-old@example.com", grant(storage.RoleAuditor))
	disabled := e.admin(t, "d-disabled@example.com", grant(storage.RoleAuditor))
	ctx := t.Context()
	for acct, ago := range map[string]int{recent.ID: 1, old.ID: 48} {
		if err := e.store.TouchLastLogin(ctx, acct, e.clock.Now().Add(-time.Duration(ago)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.store.SetAccountStatus(ctx, disabled.ID, storage.AccountDisabled); err != nil {
		t.Fatal(err)
	}
	order := func(body string) []string {
		out := []string{"a-old", "b-owner", "c-recent", "d-disabled"}
		slices.SortFunc(out, func(x, y string) int { return strings.Index(body, x+"@") - strings.Index(body, y+"@") })
		return out
	}
	for sort, want := range map[string]string{
		"":           "a-old b-owner c-recent d-disabled",
		"last_login": "c-recent a-old b-owner d-disabled",
		"status":     "d-disabled a-old b-owner c-recent",
		"nonsense":   "a-old b-owner c-recent d-disabled",
	} {
		page := br.get(t, "/admin/administrators?sort="+sort)
		i := strings.Index(page.body, `id="admins-table"`)
		if got := strings.Join(order(page.body[i:]), " "); got != want {
			t.Errorf("sort=%s: %s, want %s", sort, got, want)
		}
	}
}
