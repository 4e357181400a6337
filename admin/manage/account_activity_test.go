package manage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// activityEnv is the tabs' service over a fresh store with the identity
// stores "eu" and "us", an account in each and one in the administrators
// store, and a client that registered a back-channel logout URI.
type activityEnv struct {
	s            storage.Store
	svc          *manage.AccountActivity
	alice, bob   *storage.Account
	adminAccount *storage.Account
}

// fakeDevices names every user agent alike, so tests need no parser.
type fakeDevices struct{}

func (fakeDevices) Device(ua string) (string, string) {
	if ua == "" {
		return "", ""
	}
	return "Firefox 128", "Linux"
}
func (fakeDevices) Locate(string) string { return "Testville, Testland" }

func newActivityEnv(t *testing.T, s storage.Store) *activityEnv {
	t.Helper()
	ctx := t.Context()
	for _, st := range []storage.IdentityStore{
		{ID: "eu", Name: "EU", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}},
		{ID: "us", Name: "US", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}},
		{ID: storage.AdministratorsStoreID, Name: "Administrators", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}},
	} {
		if err := s.CreateIdentityStore(ctx, &st); err != nil {
			t.Fatal(err)
		}
	}
	e := &activityEnv{s: s}
	for _, a := range []struct {
		dst          **storage.Account
		store, email string
	}{{&e.alice, "eu", "alice@example.com"}, {&e.bob, "us", "bob@example.com"},
		{&e.adminAccount, storage.AdministratorsStoreID, "owner@example.com"}} {
		acct := &storage.Account{StoreID: a.store, Email: a.email, EmailConfirmed: true, Status: storage.AccountEnabled}
		if err := s.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		*a.dst = acct
	}
	if err := s.CreateClient(ctx, &storage.Client{ID: "rp-bc", BackchannelLogoutURI: "https://rp.example/bc"}); err != nil {
		t.Fatal(err)
	}
	core := manage.NewCore(s, nil)
	e.svc = manage.NewAccountActivity(core, s, session.NewManager(s, session.Config{}), fakeDevices{})
	return e
}

// session creates a live session of the account in which rp-bc took part.
func (e *activityEnv) session(t *testing.T, acct *storage.Account, lastSeen time.Time) *storage.Session {
	t.Helper()
	now := time.Now().UTC()
	ss := &storage.Session{AccountID: acct.ID, AuthTime: now.Add(-time.Hour), AMR: []string{"pwd"}, IP: "127.0.0.1",
		UserAgent: "Mozilla/5.0 Firefox", CreatedAt: now.Add(-time.Hour), LastSeenAt: lastSeen, ExpiresAt: now.Add(time.Hour)}
	if err := e.s.CreateSession(t.Context(), ss); err != nil {
		t.Fatal(err)
	}
	if err := e.s.RecordSessionClient(t.Context(), ss.ID, "rp-bc"); err != nil {
		t.Fatal(err)
	}
	return ss
}

// notices claims and returns the queued back-channel logout notices.
func (e *activityEnv) notices(t *testing.T) []storage.LogoutNotice {
	t.Helper()
	n, err := e.s.ClaimLogoutNotices(t.Context(), time.Now().Add(time.Hour), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *activityEnv) audit(t *testing.T) []storage.AuditEntry {
	t.Helper()
	got, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{TargetType: "account"})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func bothActivity(t *testing.T, fn func(t *testing.T, e *activityEnv)) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		fn(t, newActivityEnv(t, newStore(t)))
	})
}

// Who may read the tabs: support and auditor of the store (or of every
// store); not an administrator of another store; never an account of
// the administrators store or of another store than the URL's.
func TestAccountActivityReaders(t *testing.T) {
	bothActivity(t, func(t *testing.T, e *activityEnv) {
		ctx := t.Context()
		reads := map[string]func(a manage.Actor, store, id string) error{
			"events": func(a manage.Actor, store, id string) error {
				_, err := e.svc.Events(ctx, a, store, id, manage.ActivityQuery{})
				return err
			},
			"support actions": func(a manage.Actor, store, id string) error {
				_, err := e.svc.SupportActions(ctx, a, store, id, manage.ActivityQuery{})
				return err
			},
			"sessions": func(a manage.Actor, store, id string) error {
				_, err := e.svc.Sessions(ctx, a, store, id)
				return err
			},
			"consents": func(a manage.Actor, store, id string) error {
				_, err := e.svc.Consents(ctx, a, store, id)
				return err
			},
		}
		for name, read := range reads {
			for _, a := range []manage.Actor{appAdmin(storage.RoleSupport, "eu"), appAdmin(storage.RoleAuditor), appAdmin(storage.RoleAdmin, "eu")} {
				if err := read(a, "eu", e.alice.ID); err != nil {
					t.Errorf("%s by %s: %v", name, a.Name, err)
				}
			}
			appWantIs(t, name+" by support of us", read(appAdmin(storage.RoleSupport, "us"), "eu", e.alice.ID), manage.ErrForbidden)
			appWantIs(t, name+" of an account of another store", read(appAdmin(storage.RoleSupport), "eu", e.bob.ID), manage.ErrNotFound)
			appWantIs(t, name+" of an unknown account", read(appAdmin(storage.RoleSupport), "eu", "nobody"), manage.ErrNotFound)
			appWantIs(t, name+" of an administrator", read(appAdmin(storage.RoleOwner), storage.AdministratorsStoreID, e.adminAccount.ID), manage.ErrNotFound)
		}
	})
}

func TestAccountEventsPageAndFilter(t *testing.T) {
	bothActivity(t, func(t *testing.T, e *activityEnv) {
		ctx := t.Context()
		t0 := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
		for i, k := range []string{"login.succeeded", "login.failed", "mfa.failed", "login.succeeded", "logout"} {
			ev := &storage.Event{AccountID: e.alice.ID, Kind: k, Actor: e.alice.ID, IP: "203.0.113.9",
				Data: map[string]string{"i": string(rune('0' + i))}, CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
			if err := e.s.AppendEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.s.AppendEvent(ctx, &storage.Event{AccountID: e.bob.ID, Kind: "login.succeeded", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		support := appAdmin(storage.RoleSupport, "eu")
		var kinds []string
		q := manage.ActivityQuery{Limit: 2}
		for range 5 {
			p, err := e.svc.Events(ctx, support, "eu", e.alice.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Items {
				kinds = append(kinds, it.Kind)
			}
			if p.Next == "" {
				break
			}
			q.After = p.Next
		}
		want := []string{"logout", "login.succeeded", "mfa.failed", "login.failed", "login.succeeded"}
		if len(kinds) != len(want) {
			t.Fatalf("paged kinds = %v, want %v", kinds, want)
		}
		for i := range want {
			if kinds[i] != want[i] {
				t.Fatalf("paged kinds = %v, want %v", kinds, want)
			}
		}
		p, err := e.svc.Events(ctx, support, "eu", e.alice.ID, manage.ActivityQuery{Kind: "login.", Since: t0.Add(time.Minute)})
		if err != nil || len(p.Items) != 2 || p.Items[0].Kind != "login.succeeded" || p.Items[1].Kind != "login.failed" || p.Next != "" {
			t.Fatalf("login. since minute 1 = %+v, %v", p, err)
		}
		if p.Items[0].IP != "203.0.113.9" || p.Items[0].Actor != e.alice.ID || p.Items[0].Data["i"] != "3" {
			t.Errorf("event fields = %+v", p.Items[0])
		}

		// A cursor continues only its own query; bad input is a field error.
		first, _ := e.svc.Events(ctx, support, "eu", e.alice.ID, manage.ActivityQuery{Limit: 1})
		for name, c := range map[string]struct {
			q     manage.ActivityQuery
			field string
		}{
			"cursor of another filter": {manage.ActivityQuery{Kind: "mfa.", After: first.Next}, "cursor"},
			"garbage cursor":           {manage.ActivityQuery{After: "x"}, "cursor"},
			"until before since":       {manage.ActivityQuery{Since: t0, Until: t0}, "until"},
			"limit":                    {manage.ActivityQuery{Limit: 201}, "limit"},
			"kind too long":            {manage.ActivityQuery{Kind: string(make([]byte, 101))}, "kind"},
		} {
			_, err := e.svc.Events(ctx, support, "eu", e.alice.ID, c.q)
			if f := appFields(t, err); f[c.field] == "" {
				t.Errorf("%s: fields %v, want %s", name, f, c.field)
			}
		}
	})
}

func TestAccountEndSession(t *testing.T) {
	bothActivity(t, func(t *testing.T, e *activityEnv) {
		ctx := t.Context()
		now := time.Now().UTC()
		old := e.session(t, e.alice, now.Add(-30*time.Minute))
		recent := e.session(t, e.alice, now.Add(-time.Minute))
		bobs := e.session(t, e.bob, now)
		support := appAdmin(storage.RoleSupport, "eu")

		list, err := e.svc.Sessions(ctx, appAdmin(storage.RoleAuditor), "eu", e.alice.ID)
		if err != nil || len(list) != 2 || list[0].ID != recent.ID || list[1].ID != old.ID {
			t.Fatalf("Sessions = %+v, %v; want recent then old", list, err)
		}
		if s := list[0]; s.Browser != "Firefox 128" || s.OS != "Linux" || s.Location != "Testville, Testland" || s.IP != "127.0.0.1" {
			t.Errorf("session described as %+v", s)
		}

		// Refused or unknown: nothing changes.
		appWantIs(t, "auditor", e.svc.EndSession(ctx, appAdmin(storage.RoleAuditor), "eu", e.alice.ID, old.ID), manage.ErrForbidden)
		appWantIs(t, "support of us", e.svc.EndSession(ctx, appAdmin(storage.RoleSupport, "us"), "eu", e.alice.ID, old.ID), manage.ErrForbidden)
		appWantIs(t, "unknown session", e.svc.EndSession(ctx, support, "eu", e.alice.ID, "no-such-session"), manage.ErrNotFound)
		appWantIs(t, "another account's session", e.svc.EndSession(ctx, support, "eu", e.alice.ID, bobs.ID), manage.ErrNotFound)
		if _, err := e.svc.EndSessions(ctx, appAdmin(storage.RoleAuditor), "eu", e.alice.ID); !errors.Is(err, manage.ErrForbidden) {
			t.Errorf("auditor ending every session = %v", err)
		}
		if n := len(e.audit(t)); n != 0 {
			t.Fatalf("%d audit entries after refusals, want 0", n)
		}
		if n := e.notices(t); len(n) != 0 {
			t.Fatalf("notices after refusals: %+v", n)
		}
		for _, id := range []string{old.ID, recent.ID, bobs.ID} {
			if _, err := e.s.GetSession(ctx, id); err != nil {
				t.Fatalf("session %s after refusals: %v", id, err)
			}
		}

		if err := e.svc.EndSession(ctx, support, "eu", e.alice.ID, old.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.GetSession(ctx, old.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("ended session still there: %v", err)
		}
		if n := e.notices(t); len(n) != 1 || n[0].SessionID != old.ID || n[0].ClientID != "rp-bc" || n[0].AccountID != e.alice.ID {
			t.Errorf("notices = %+v, want one for rp-bc", n)
		}
		entries := e.audit(t)
		if len(entries) != 1 || entries[0].Action != "account.session_ended" || entries[0].TargetID != e.alice.ID ||
			entries[0].StoreID != "eu" || entries[0].Role != storage.RoleSupport {
			t.Fatalf("audit = %+v", entries)
		}

		n, err := e.svc.EndSessions(ctx, support, "eu", e.alice.ID)
		if err != nil || n != 1 {
			t.Fatalf("EndSessions = %d, %v; want 1", n, err)
		}
		if entries := e.audit(t); len(entries) != 2 || entries[0].Action != "account.sessions_ended" {
			t.Fatalf("audit after EndSessions = %+v", entries)
		}
		if n := e.notices(t); len(n) != 1 || n[0].SessionID != recent.ID {
			t.Errorf("notices after EndSessions = %+v", n)
		}
		if _, err := e.s.GetSession(ctx, bobs.ID); err != nil {
			t.Errorf("another account's session ended: %v", err)
		}
		// None left: no change, no entry.
		if n, err := e.svc.EndSessions(ctx, support, "eu", e.alice.ID); err != nil || n != 0 || len(e.audit(t)) != 2 {
			t.Errorf("EndSessions of none = %d, %v, %d entries", n, err, len(e.audit(t)))
		}

		// The support actions show both, to support without audit.read.
		p, err := e.svc.SupportActions(ctx, support, "eu", e.alice.ID, manage.ActivityQuery{Limit: 1})
		if err != nil || len(p.Items) != 1 || p.Items[0].Action != "account.sessions_ended" || p.Next == "" {
			t.Fatalf("SupportActions = %+v, %v", p, err)
		}
		p, err = e.svc.SupportActions(ctx, support, "eu", e.alice.ID, manage.ActivityQuery{Limit: 1, After: p.Next})
		if err != nil || len(p.Items) != 1 || p.Items[0].Action != "account.session_ended" || p.Items[0].ActorName != "support@example.com" || p.Next != "" {
			t.Fatalf("SupportActions page 2 = %+v, %v", p, err)
		}
		if p.Items[0].Before == nil || p.Items[0].Role != "support" {
			t.Errorf("support action = %+v", p.Items[0])
		}
		if p, _ := e.svc.SupportActions(ctx, support, "eu", e.alice.ID, manage.ActivityQuery{Kind: "account.disabled"}); len(p.Items) != 0 {
			t.Errorf("filter account.disabled = %+v", p.Items)
		}
	})
}

func TestAccountConsents(t *testing.T) {
	bothActivity(t, func(t *testing.T, e *activityEnv) {
		ctx := context.Background()
		t0 := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
		for _, r := range []*storage.ConsentRecord{
			{AccountID: e.alice.ID, Consent: "terms", Version: "1", GrantedAt: t0},
			{AccountID: e.alice.ID, Consent: "newsletter", Version: "1", GrantedAt: t0.Add(time.Minute)},
		} {
			if err := e.s.RecordConsent(ctx, r); err != nil {
				t.Fatal(err)
			}
			if err := e.s.AppendConsentEvent(ctx, &storage.ConsentEvent{AccountID: e.alice.ID, Consent: r.Consent,
				Version: r.Version, Action: storage.ConsentGranted, CreatedAt: r.GrantedAt}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.s.RevokeConsent(ctx, e.alice.ID, "newsletter", t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := e.s.AppendConsentEvent(ctx, &storage.ConsentEvent{AccountID: e.alice.ID, Consent: "newsletter",
			Version: "1", Action: storage.ConsentRevoked, CreatedAt: t0.Add(2 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.OutdateConsents(ctx, "eu", "terms", []string{"2"}, t0.Add(3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Consents(ctx, appAdmin(storage.RoleAuditor, "eu"), "eu", e.alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]string{}
		for _, c := range got.Consents {
			states[c.Consent+"@"+c.Version] = c.State
		}
		if len(got.Consents) != 2 || states["terms@1"] != manage.ConsentOutdated || states["newsletter@1"] != manage.ConsentRevoked {
			t.Errorf("consents = %+v", got.Consents)
		}
		var actions []string
		for _, l := range got.History {
			actions = append(actions, l.Consent+":"+l.Action)
		}
		want := []string{"terms:granted", "newsletter:granted", "newsletter:revoked", "terms:outdated"}
		if len(actions) != len(want) {
			t.Fatalf("history = %v, want %v", actions, want)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Fatalf("history = %v, want %v", actions, want)
			}
		}
	})
}
