package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// activityFixture is a customer of store A with two live sessions in
// which a client with a back-channel logout URI took part, and events.
type activityFixture struct {
	acct     *storage.Account
	sessions []*storage.Session
	path     string
}

func newActivityFixture(t *testing.T, e *apiEnv) activityFixture {
	t.Helper()
	ctx := context.Background()
	acct := &storage.Account{StoreID: storeA, Status: storage.AccountEnabled, Email: "carol@example.com"}
	e.must(e.store.CreateAccount(ctx, acct))
	e.must(e.store.CreateClient(ctx, &storage.Client{ID: "rp-bc", ApplicationID: appA, BackchannelLogoutURI: "https://rp.example/bc"}))
	f := activityFixture{acct: acct, path: "/stores/" + storeA + "/accounts/" + acct.ID}
	now := time.Now().UTC()
	for i := range 2 {
		s := &storage.Session{AccountID: acct.ID, AuthTime: now.Add(-time.Hour), IP: "127.0.0.1",
			UserAgent: "Mozilla/5.0", LastSeenAt: now.Add(-time.Duration(i) * time.Minute), ExpiresAt: now.Add(time.Hour)}
		e.must(e.store.CreateSession(ctx, s))
		e.must(e.store.RecordSessionClient(ctx, s.ID, "rp-bc"))
		f.sessions = append(f.sessions, s)
	}
	for i, k := range []string{"login.succeeded", "login.failed", "mfa.failed"} {
		e.must(e.store.AppendEvent(ctx, &storage.Event{AccountID: acct.ID, Kind: k, Actor: acct.ID, IP: "203.0.113.1",
			CreatedAt: now.Add(time.Duration(i-10) * time.Minute)}))
	}
	return f
}

func (e *apiEnv) notices() []storage.LogoutNotice {
	e.t.Helper()
	n, err := e.store.ClaimLogoutNotices(context.Background(), time.Now().Add(time.Hour), time.Minute, 100)
	e.must(err)
	return n
}

func TestAccountActivityAPIReads(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		f := newActivityFixture(t, e)
		for _, tok := range []string{"support", "auditor", "owner"} {
			for _, p := range []string{"/activity", "/support-actions", "/sessions", "/consents"} {
				e.do(tok, http.MethodGet, f.path+p, nil).expect(t, tok+" GET "+p, http.StatusOK)
			}
		}
		for _, p := range []string{"/activity", "/support-actions", "/sessions", "/consents"} {
			e.do("admin-b", http.MethodGet, f.path+p, nil).expect(t, "admin of store B "+p, http.StatusForbidden)
			e.do("support", http.MethodGet, "/stores/"+storeB+"/accounts/"+f.acct.ID+p, nil).expect(t, "wrong store "+p, http.StatusNotFound)
			e.do("owner", http.MethodGet, "/stores/"+storage.AdministratorsStoreID+"/accounts/"+e.ids["owner"]+p, nil).
				expect(t, "an administrator "+p, http.StatusNotFound)
		}

		// The log pages newest first and filters by kind prefix.
		r := e.do("support", http.MethodGet, f.path+"/activity?limit=2", nil).expect(t, "activity", http.StatusOK)
		items, _ := r.body["items"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["kind"] != "mfa.failed" || r.str("next_cursor") == "" {
			t.Fatalf("activity page 1 = %s", r.raw)
		}
		r = e.do("support", http.MethodGet, f.path+"/activity?limit=2&cursor="+r.str("next_cursor"), nil).expect(t, "activity 2", http.StatusOK)
		items, _ = r.body["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["kind"] != "login.succeeded" || r.str("next_cursor") != "" {
			t.Fatalf("activity page 2 = %s", r.raw)
		}
		r = e.do("support", http.MethodGet, f.path+"/activity?kind=login.", nil).expect(t, "login.", http.StatusOK)
		if items, _ := r.body["items"].([]any); len(items) != 2 {
			t.Errorf("kind login. = %s", r.raw)
		}
		first := e.do("support", http.MethodGet, f.path+"/activity?limit=1", nil).str("next_cursor")
		for name, q := range map[string]string{
			"cursor of another filter": "?kind=mfa.&cursor=" + first,
			"bad since":                "?since=yesterday",
			"until before since":       "?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z",
			"limit":                    "?limit=0",
		} {
			e.do("support", http.MethodGet, f.path+"/activity"+q, nil).expect(t, name, http.StatusBadRequest)
		}
		r = e.do("auditor", http.MethodGet, f.path+"/sessions", nil).expect(t, "sessions", http.StatusOK)
		if items, _ := r.body["items"].([]any); len(items) != 2 || items[0].(map[string]any)["id"] != f.sessions[0].ID {
			t.Errorf("sessions = %s", r.raw)
		}
		r = e.do("auditor", http.MethodGet, f.path+"/consents", nil).expect(t, "consents", http.StatusOK)
		if c, ok := r.body["consents"].([]any); !ok || len(c) != 0 {
			t.Errorf("consents = %s", r.raw)
		}
	})
}

func TestAccountSessionsAPIEnd(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		f := newActivityFixture(t, e)
		one := f.path + "/sessions/" + url.PathEscape(f.sessions[1].ID)
		before := e.auditCount()
		e.do("auditor", http.MethodDelete, one, nil).expect(t, "auditor ends one", http.StatusForbidden)
		e.do("auditor", http.MethodDelete, f.path+"/sessions", nil).expect(t, "auditor ends all", http.StatusForbidden)
		e.do("admin-b", http.MethodDelete, one, nil).expect(t, "admin of store B", http.StatusForbidden)
		e.do("support", http.MethodDelete, f.path+"/sessions/no-such-session", nil).expect(t, "unknown session", http.StatusNotFound)
		e.do("support", http.MethodDelete, "/stores/"+storeB+"/accounts/"+f.acct.ID+"/sessions/"+f.sessions[1].ID, nil).
			expect(t, "wrong store", http.StatusNotFound)
		if n := e.auditCount(); n != before {
			t.Fatalf("refusals wrote %d audit entries", n-before)
		}
		for _, s := range f.sessions {
			if _, err := e.store.GetSession(context.Background(), s.ID); err != nil {
				t.Fatalf("a refusal ended a session: %v", err)
			}
		}
		if n := e.notices(); len(n) != 0 {
			t.Fatalf("refusals queued notices: %+v", n)
		}

		e.do("support", http.MethodDelete, one, nil).expect(t, "support ends one", http.StatusNoContent)
		if _, err := e.store.GetSession(context.Background(), f.sessions[1].ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("the ended session is still there: %v", err)
		}
		if n := e.notices(); len(n) != 1 || n[0].SessionID != f.sessions[1].ID || n[0].ClientID != "rp-bc" {
			t.Errorf("notices = %+v, want one for rp-bc", n)
		}
		a := e.lastAudit()
		if a.Action != "account.session_ended" || a.TargetType != "account" || a.TargetID != f.acct.ID || a.StoreID != storeA ||
			a.ActorID != e.ids["support"] {
			t.Errorf("audit entry = %+v", a)
		}
		e.do("support", http.MethodDelete, one, nil).expect(t, "again", http.StatusNotFound)

		r := e.do("support", http.MethodDelete, f.path+"/sessions", nil).expect(t, "support ends all", http.StatusOK)
		if r.body["ended"] != float64(1) {
			t.Errorf("ended = %s", r.raw)
		}
		if a := e.lastAudit(); a.Action != "account.sessions_ended" || a.TargetID != f.acct.ID {
			t.Errorf("audit entry = %+v", a)
		}
		r = e.do("support", http.MethodGet, f.path+"/support-actions?action=account.", nil).expect(t, "support actions", http.StatusOK)
		items, _ := r.body["items"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["action"] != "account.sessions_ended" {
			t.Errorf("support actions = %s", r.raw)
		}
		if _, leaked := items[0].(map[string]any)["ip"]; leaked {
			t.Errorf("a support action shows the administrator's IP: %s", r.raw)
		}
	})
}
