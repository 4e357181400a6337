package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"foyer/storage"
)

// testDevices names every user agent alike, so the tests need no parser.
type testDevices struct{}

func (testDevices) Device(ua string) (string, string) {
	if ua == "" {
		return "", ""
	}
	return "Firefox 128", "Linux"
}
func (testDevices) Locate(string) string { return "Testville, Testland" }

// tabsFixture: a customer of store A, administrators of each kind.
type tabsFixture struct {
	customer                        *storage.Account
	support, auditor, adminB, owner *browser
	base                            string // the customer's profile path
}

func newTabsFixture(t *testing.T, e *testEnv) tabsFixture {
	t.Helper()
	f := tabsFixture{customer: e.account(t, storeA, "carol@example.com")}
	f.support = e.signIn(t, e.admin(t, "support@admins.example", grant(storage.RoleSupport, storeA)))
	f.auditor = e.signIn(t, e.admin(t, "auditor@admins.example", grant(storage.RoleAuditor)))
	f.adminB = e.signIn(t, e.admin(t, "admin-b@admins.example", grant(storage.RoleAdmin, storeB)))
	f.owner = e.signIn(t, e.admin(t, "owner@admins.example", grant(storage.RoleOwner)))
	f.base = "/admin/stores/" + storeA + "/accounts/" + f.customer.ID
	return f
}

func wantIn(t *testing.T, what string, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			t.Errorf("%s: body lacks %q", what, p)
		}
	}
}

func wantStatus(t *testing.T, what string, r response, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: %d, want %d (location %q)", what, r.status, status, r.location)
	}
	return r
}

func TestAccountActivityTab(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		f := newTabsFixture(t, e)
		ctx := context.Background()
		t0 := e.clock.Now().UTC().Add(-48 * time.Hour)
		kinds := []string{"login.failed", "custom.thing<b>"}
		for i := range 53 {
			kinds = append(kinds, "login.succeeded")
			_ = i
		}
		for i, k := range kinds {
			if err := e.store.AppendEvent(ctx, &storage.Event{AccountID: f.customer.ID, Kind: k, Actor: f.customer.ID, IP: "203.0.113.5",
				Data: map[string]string{"user_agent": "UA-" + fmt.Sprint(i)}, CreatedAt: t0.Add(time.Duration(i) * time.Second)}); err != nil {
				t.Fatal(err)
			}
		}
		page := wantStatus(t, "support reads", f.support.get(t, f.base+"/activity"), http.StatusOK)
		wantIn(t, "activity", page, "Signed in", "203.0.113.5", "The customer", "UA-54", "Firefox 128, Linux", `aria-current="page">Activity<`, "Older")
		if strings.Contains(page.body, "UA-0<") {
			t.Error("the first page shows the oldest event")
		}
		// The tabs are in their order.
		if a, s, c := strings.Index(page.body, ">Activity<"), strings.Index(page.body, ">Sessions<"), strings.Index(page.body, ">Consents<"); a < 0 || !(a < s && s < c) {
			t.Errorf("tabs out of order: activity %d, sessions %d, consents %d", a, s, c)
		}
		next := between(page.body, `<nav class="pager"`, "</nav>")
		href := between(next, `href="`, `"`)
		older := wantStatus(t, "older", f.support.get(t, strings.ReplaceAll(href, "&amp;", "&")), http.StatusOK)
		wantIn(t, "older page", older, "UA-0<", "Sign-in failed", "custom.thing&lt;b&gt;", "Newest")

		// A family filter keeps only its kinds; the select shows it.
		login := wantStatus(t, "filter", f.support.get(t, f.base+"/activity?kind=login.failed"), http.StatusOK)
		wantIn(t, "filter", login, "Sign-in failed", `<option value="login.failed" selected>`)
		if strings.Contains(login.body, "UA-54") {
			t.Error("the filter kept another kind")
		}
		wantStatus(t, "bad date", f.support.get(t, f.base+"/activity?since=yesterday"), http.StatusUnprocessableEntity)
		wantStatus(t, "foreign cursor", f.support.get(t, f.base+"/activity?kind=mfa.&cursor=garbage"), http.StatusUnprocessableEntity)

		// Who may read it.
		wantStatus(t, "auditor", f.auditor.get(t, f.base+"/activity"), http.StatusOK)
		// The console answers a store the administrator may not see as
		// not found, as for every page of a store.
		wantStatus(t, "admin of store B", f.adminB.get(t, f.base+"/activity"), http.StatusNotFound)
		wantStatus(t, "wrong store", f.support.get(t, "/admin/stores/"+storeB+"/accounts/"+f.customer.ID+"/activity"), http.StatusNotFound)
		admin := e.admin(t, "other@admins.example", grant(storage.RoleAuditor))
		wantStatus(t, "an administrator", f.owner.get(t, "/admin/stores/"+storage.AdministratorsStoreID+"/accounts/"+admin.ID+"/activity"), http.StatusNotFound)
	})
}

func TestAccountSessionsTab(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		f := newTabsFixture(t, e)
		ctx := context.Background()
		if err := e.store.CreateClient(ctx, &storage.Client{ID: "rp-bc", BackchannelLogoutURI: "https://rp.example/bc"}); err != nil {
			t.Fatal(err)
		}
		now := e.clock.Now().UTC()
		var ids []string
		for i := range 2 {
			s := &storage.Session{AccountID: f.customer.ID, AuthTime: now.Add(-time.Duration(i+1) * time.Hour), IP: fmt.Sprintf("198.51.100.%d", i+1),
				UserAgent: "Mozilla/5.0", AMR: []string{"pwd"}, LastSeenAt: now.Add(-time.Duration(i) * time.Minute), ExpiresAt: now.Add(time.Hour)}
			if err := e.store.CreateSession(ctx, s); err != nil {
				t.Fatal(err)
			}
			if err := e.store.RecordSessionClient(ctx, s.ID, "rp-bc"); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, s.ID)
		}
		page := wantStatus(t, "support reads", f.support.get(t, f.base+"/sessions"), http.StatusOK)
		wantIn(t, "sessions", page, "Firefox 128", "Linux", "Testville, Testland", "198.51.100.1", "198.51.100.2", "End all sessions",
			// Each end button names its session for a screen reader.
			`End session<span class="visually-hidden">: Firefox 128, Linux, 198.51.100.1 · `,
			`End session<span class="visually-hidden">: Firefox 128, Linux, 198.51.100.2 · `)
		audit := wantStatus(t, "auditor reads", f.auditor.get(t, f.base+"/sessions"), http.StatusOK)
		if strings.Contains(audit.body, "End session") {
			t.Error("the auditor is offered to end sessions")
		}

		end := f.base + "/sessions/" + ids[1] + "/end"
		wantStatus(t, "auditor ends", f.auditor.post(t, end, nil), http.StatusForbidden)
		wantStatus(t, "admin of store B ends", f.adminB.post(t, end, nil), http.StatusNotFound)
		wantStatus(t, "unknown session", f.support.post(t, f.base+"/sessions/nope/end", nil), http.StatusNotFound)
		wantStatus(t, "auditor ends all", f.auditor.post(t, f.base+"/sessions/end-all", nil), http.StatusForbidden)
		if got := e.auditActions(t); len(got) != 0 {
			t.Fatalf("refusals wrote audit entries %v", got)
		}
		for _, id := range ids {
			if _, err := e.store.GetSession(ctx, id); err != nil {
				t.Fatalf("a refusal ended session %s: %v", id, err)
			}
		}

		done := wantStatus(t, "support ends", f.support.post(t, end, nil), http.StatusSeeOther)
		if !strings.HasSuffix(done.location, "/sessions?notice=session_ended") {
			t.Errorf("redirect to %q", done.location)
		}
		wantIn(t, "after", f.support.get(t, done.location), "The session is ended.")
		if _, err := e.store.GetSession(ctx, ids[1]); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("the ended session is still there: %v", err)
		}
		notices, err := e.store.ClaimLogoutNotices(ctx, now.Add(time.Hour), time.Minute, 10)
		if err != nil || len(notices) != 1 || notices[0].SessionID != ids[1] || notices[0].ClientID != "rp-bc" {
			t.Errorf("notices = %+v, %v; want one for rp-bc", notices, err)
		}
		if got := e.auditActions(t); len(got) != 1 || got[0] != "account.session_ended" {
			t.Errorf("audit = %v", got)
		}
		wantStatus(t, "end all", f.support.post(t, f.base+"/sessions/end-all", nil), http.StatusSeeOther)
		if got := e.auditActions(t); len(got) != 2 || got[0] != "account.sessions_ended" {
			t.Errorf("audit = %v", got)
		}
		wantIn(t, "none left", f.support.get(t, f.base+"/sessions"), "The account is not signed in anywhere.")

		// The support actions view shows both, with the full log's link
		// only for those who may read the audit log.
		sv := wantStatus(t, "support actions", f.support.get(t, f.base+"/activity?view=support"), http.StatusOK)
		wantIn(t, "support actions", sv, "account.sessions_ended", "account.session_ended", "support@admins.example")
		if strings.Contains(sv.body, "Open these entries in the audit log") {
			t.Error("support without audit.read gets the audit log link")
		}
		wantIn(t, "auditor's support actions", f.auditor.get(t, f.base+"/activity?view=support"), "Open these entries in the audit log")
		wantIn(t, "account.-filtered", f.support.get(t, f.base+"/activity?view=support&kind="+url.QueryEscape("account.sessions_")), "No administrator has changed this account.")
	})
}

func TestAccountConsentsTab(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		f := newTabsFixture(t, e)
		ctx := context.Background()
		t0 := e.clock.Now().UTC().Add(-time.Hour)
		for _, r := range []*storage.ConsentRecord{
			{AccountID: f.customer.ID, Consent: "terms_of_service", Version: "v1", GrantedAt: t0},
			{AccountID: f.customer.ID, Consent: "newsletter", Version: "n1", GrantedAt: t0},
		} {
			if err := e.store.RecordConsent(ctx, r); err != nil {
				t.Fatal(err)
			}
			if err := e.store.AppendConsentEvent(ctx, &storage.ConsentEvent{AccountID: f.customer.ID, Consent: r.Consent, Version: r.Version,
				Action: storage.ConsentGranted, CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.store.RevokeConsent(ctx, f.customer.ID, "newsletter", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.OutdateConsents(ctx, storeA, "terms_of_service", []string{"v2"}, t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		page := wantStatus(t, "auditor reads", f.auditor.get(t, f.base+"/consents"), http.StatusOK)
		wantIn(t, "consents", page, "Terms of service <code>terms_of_service</code>", "v1", "Replaced by a newer version", "<code>newsletter</code>", "Opted out", "Given")
		if strings.Contains(page.body, "<form method=\"post\" action=\""+f.base) {
			t.Error("the consents tab offers a change")
		}
		wantStatus(t, "admin of store B", f.adminB.get(t, f.base+"/consents"), http.StatusNotFound)
		wantStatus(t, "unknown account", f.support.get(t, "/admin/stores/"+storeA+"/accounts/nobody/consents"), http.StatusNotFound)
	})
}

// Every kind and family the tab names has its text in each catalog.
func TestEventKindStrings(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		for _, lang := range []string{"en", "de"} {
			for _, k := range eventKindKeys() {
				if got := e.handler.render.T(lang, k); got == k {
					t.Errorf("%s: no text for %s", lang, k)
				}
			}
		}
		if e.handler.render.T("de", "admin.account.event.login.succeeded") == e.handler.render.T("en", "admin.account.event.login.succeeded") {
			t.Error("the German catalog repeats the English text")
		}
	})
}

// between is the text of s after the first start and before the next end.
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	if j := strings.Index(s, end); j >= 0 {
		return s[:j]
	}
	return s
}
