package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// TestRoleChecks asks every page and form of the console as each role
// and checks the server answers as the role table says: an auditor reads
// but changes nothing, support cannot touch administrators or read the
// audit log, and a grant limited to store A sees nothing of store B.
func TestRoleChecks(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, e *testEnv) {
		e.admin(t, "root@example.com", grant(storage.RoleOwner))
		target := e.admin(t, "target@example.com", grant(storage.RoleSupport))
		targetPath := "/admin/administrators/" + target.ID
		browsers := map[string]*browser{
			"owner":   e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner))),
			"admin":   e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin))),
			"support": e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport))),
			"auditor": e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor))),
			"scoped":  e.signIn(t, e.admin(t, "scoped@example.com", grant(storage.RoleAdmin, storeA))),
		}
		const ok, forbidden = http.StatusOK, http.StatusForbidden
		gets := []struct {
			path string
			want map[string]int
		}{
			{"/admin", map[string]int{"owner": ok, "admin": ok, "support": ok, "auditor": ok, "scoped": ok}},
			{"/admin/administrators", map[string]int{"owner": ok, "admin": forbidden, "support": forbidden, "auditor": ok, "scoped": forbidden}},
			{targetPath, map[string]int{"owner": ok, "admin": forbidden, "support": forbidden, "auditor": ok, "scoped": forbidden}},
			{targetPath + "/remove", map[string]int{"owner": ok, "admin": forbidden, "support": forbidden, "auditor": forbidden, "scoped": forbidden}},
			{"/admin/audit", map[string]int{"owner": ok, "admin": ok, "support": forbidden, "auditor": ok, "scoped": ok}},
			{"/admin/audit?store=" + storeB, map[string]int{"owner": ok, "admin": ok, "support": forbidden, "auditor": ok, "scoped": forbidden}},
			{"/admin/audit/export.jsonl", map[string]int{"owner": ok, "admin": ok, "support": forbidden, "auditor": ok, "scoped": ok}},
			{"/admin/audit/export.jsonl?store=" + storeB, map[string]int{"owner": ok, "admin": ok, "support": forbidden, "auditor": ok, "scoped": forbidden}},
		}
		for _, g := range gets {
			for who, want := range g.want {
				if got := browsers[who].get(t, g.path); got.status != want {
					t.Errorf("%s: GET %s = %d, want %d", who, g.path, got.status, want)
				}
			}
		}
		// Changes to administrators: only the owner; each refusal leaves
		// the target as it was.
		for _, who := range []string{"admin", "support", "auditor", "scoped"} {
			br := browsers[who]
			for _, p := range []struct {
				path string
				form url.Values
			}{
				{"/admin/administrators", url.Values{"email": {who + "-invited@example.com"}, "role": {"admin"}}},
				{targetPath, url.Values{"role": {"owner"}}},
				{targetPath + "/status", url.Values{"status": {"disabled"}}},
				{targetPath + "/remove", url.Values{"confirm": {"yes"}}},
			} {
				if got := br.post(t, p.path, p.form); got.status != forbidden {
					t.Errorf("%s: POST %s = %d, want 403", who, p.path, got.status)
				}
			}
		}
		got, err := e.admins.Get(t.Context(), manage.System(), target.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != storage.AccountEnabled || len(got.Grants) != 1 || got.Grants[0].Role != storage.RoleSupport {
			t.Errorf("after refused changes the target is %+v", got)
		}
		if acts := e.auditActions(t); len(acts) != 0 {
			t.Errorf("refused changes wrote audit entries %v", acts)
		}
		// The owner may.
		if got := browsers["owner"].post(t, targetPath+"/status", url.Values{"status": {"disabled"}}); got.status != http.StatusSeeOther {
			t.Errorf("owner disabling: %d %s", got.status, got.body)
		}
	})
}

// TestStoreScope: a grant limited to store A lists store A only, in the
// dashboard and the switcher, and cannot switch to store B.
func TestStoreScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "scoped@example.com", grant(storage.RoleAdmin, storeA)))
	page := br.get(t, "/admin")
	if page.status != http.StatusOK || !strings.Contains(page.body, "Store A") || strings.Contains(page.body, "Store B") {
		t.Errorf("dashboard of a store-A admin: %d, shows A %v, shows B %v", page.status,
			strings.Contains(page.body, "Store A"), strings.Contains(page.body, "Store B"))
	}
	if strings.Contains(page.body, `href="/admin/administrators"`) {
		t.Error("a store-A admin's menu links to the administrators")
	}
	if got := br.get(t, "/admin/switch?store="+storeB); got.status != http.StatusSeeOther || got.location != "/admin" {
		t.Errorf("switching to store B: %d to %q, want back to /admin", got.status, got.location)
	}
	if got := br.get(t, "/admin/switch?store="+storeA); got.location != "/admin/stores/"+storeA {
		t.Errorf("switching to store A goes to %q", got.location)
	}
}

// TestNotAnAdministrator: a customer's session, a disabled administrator
// and one without any grant get the 403 page, never the console.
func TestNotAnAdministrator(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.admin(t, "owner@example.com", grant(storage.RoleOwner))
	customer := e.account(t, storeA, "customer@example.com")
	noGrant := e.admin(t, "nogrant@example.com")
	disabled := e.admin(t, "disabled@example.com", grant(storage.RoleOwner))
	if err := e.store.SetAccountStatus(t.Context(), disabled.ID, storage.AccountDisabled); err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]*storage.Account{"customer": customer, "no grant": noGrant, "disabled": disabled} {
		br := e.signIn(t, a)
		for _, path := range []string{"/admin", "/admin/audit", "/admin/administrators"} {
			got := br.get(t, path)
			if got.status != http.StatusForbidden || !strings.Contains(got.body, "No access") {
				t.Errorf("%s: GET %s = %d, want the 403 page", name, path, got.status)
			}
			if strings.Contains(got.body, "admin-nav") {
				t.Errorf("%s: the 403 page shows the console's menu", name)
			}
		}
		if got := br.post(t, "/admin/administrators", url.Values{"email": {"x@example.com"}, "role": {"owner"}}); got.status != http.StatusForbidden {
			t.Errorf("%s: invite = %d, want 403", name, got.status)
		}
	}
	if acts := e.auditActions(t); len(acts) != 0 {
		t.Errorf("audit entries %v", acts)
	}
}

// TestSignedOut: without a console sign-in, pages send the browser to
// the sign-in (remembering the page) and posts change nothing.
func TestSignedOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signedOut(t)
	got := br.get(t, "/admin/audit?action=store.")
	if got.status != http.StatusSeeOther || got.location != "/admin/login?next="+url.QueryEscape("/admin/audit?action=store.") {
		t.Errorf("signed-out GET: %d to %q", got.status, got.location)
	}
	got = br.postRaw(t, "/admin/administrators", url.Values{"email": {"x@example.com"}, "role": {"owner"}}, e.server.URL)
	if got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, "/admin/login") {
		t.Errorf("signed-out POST: %d to %q", got.status, got.location)
	}
	// The sign-in: PKCE, state and nonce, as foyer-admin.
	got = br.get(t, "/admin/login?next=/admin/audit")
	u, err := url.Parse(got.location)
	if err != nil || got.status != http.StatusFound || u.Path != "/oauth2/auth" {
		t.Fatalf("sign-in: %d to %q", got.status, got.location)
	}
	q := u.Query()
	if q.Get("client_id") != "foyer-admin" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
		q.Get("state") == "" || q.Get("nonce") == "" || q.Get("redirect_uri") != e.server.URL+"/admin/callback" {
		t.Errorf("authorization request %v", q)
	}
	// A callback whose code cannot be exchanged is refused, and so is one
	// with another state (the flow cookie is spent by then, too).
	got = br.get(t, "/admin/callback?code=x&state="+url.QueryEscape(q.Get("state")))
	if got.status != http.StatusBadRequest || !strings.Contains(got.body, "Signing in to the admin console did not work") {
		t.Errorf("callback with a code that does not exchange: %d", got.status)
	}
	br.get(t, "/admin/login")
	got = br.get(t, "/admin/callback?code=x&state=forged")
	if got.status != http.StatusBadRequest {
		t.Errorf("callback with a forged state: %d", got.status)
	}
	if got := br.get(t, "/admin"); got.status != http.StatusSeeOther {
		t.Errorf("after failed callbacks the console answers %d, want the sign-in", got.status)
	}
}

// TestSessionExpires: the console cookie is sealed with its expiry on
// the console's clock; after it, the console asks to sign in again even
// though the browser still sends the cookie and the SSO session lives.
func TestSessionExpires(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
	if got := br.get(t, "/admin"); got.status != http.StatusOK {
		t.Fatalf("dashboard: %d", got.status)
	}
	e.clock.Advance(e.handler.cfg.SessionLifetime)
	if got := br.get(t, "/admin"); got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, "/admin/login") {
		t.Errorf("after the console session's lifetime: %d to %q", got.status, got.location)
	}
}

// TestCrossOriginPostRefused: a form posted from another origin, or
// without the session's form token, changes nothing.
func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
	form := url.Values{"email": {"new@example.com"}, "role": {"admin"}, formTokenField: {e.handler.formToken(br.b)}}
	if got := br.postRaw(t, "/admin/administrators", form, "https://evil.example"); got.status != http.StatusForbidden {
		t.Errorf("cross-origin post: %d, want 403", got.status)
	}
	noToken := url.Values{"email": {"new@example.com"}, "role": {"admin"}}
	if got := br.postRaw(t, "/admin/administrators", noToken, e.server.URL); got.status != http.StatusForbidden {
		t.Errorf("post without the form token: %d, want 403", got.status)
	}
	other := e.signIn(t, e.admin(t, "other@example.com", grant(storage.RoleOwner)))
	foreign := url.Values{"email": {"new@example.com"}, "role": {"admin"}, formTokenField: {e.handler.formToken(other.b)}}
	if got := br.postRaw(t, "/admin/administrators", foreign, e.server.URL); got.status != http.StatusForbidden {
		t.Errorf("post with another session's form token: %d, want 403", got.status)
	}
	if got := br.postRaw(t, "/admin/logout", url.Values{}, "https://evil.example"); got.status != http.StatusForbidden {
		t.Errorf("cross-origin sign-out: %d, want 403", got.status)
	}
	list, err := e.admins.List(t.Context(), manage.System())
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(list, func(a manage.Administrator) bool { return a.Email == "new@example.com" }) {
		t.Error("a refused post invited the administrator")
	}
	if got := br.get(t, "/admin"); got.status != http.StatusOK {
		t.Errorf("the console after a refused sign-out: %d", got.status)
	}
}

// TestSignOut: signing out ends the SSO session too, so the console asks
// to sign in again; a sign-out without the form token signs nobody out.
func TestSignOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
	if got := br.postRaw(t, "/admin/logout", url.Values{}, e.server.URL); got.status != http.StatusSeeOther {
		t.Errorf("sign-out without the form token: %d", got.status)
	}
	if _, err := e.store.GetSession(t.Context(), br.b.SessionID); err != nil {
		t.Fatalf("a sign-out without the token ended the session: %v", err)
	}
	got := br.post(t, "/admin/logout", nil)
	if got.status != http.StatusOK || !strings.Contains(got.body, "You are signed out of the admin console.") {
		t.Fatalf("sign-out: %d", got.status)
	}
	if _, err := e.store.GetSession(t.Context(), br.b.SessionID); err == nil {
		t.Error("the SSO session outlived the sign-out")
	}
	if got := br.get(t, "/admin"); got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, "/admin/login") {
		t.Errorf("after signing out: %d to %q", got.status, got.location)
	}
}
