package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// TestPublishingAConsentVersionEndsTheOldOne: seed 002's consent log holds
// "the time of opt-out for outdated consent versions". Publishing version 2
// of the terms ends, at that time, every acceptance of version 1 in the
// store; the portal and both exports show when.
func TestPublishingAConsentVersionEndsTheOldOne(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := t.Context()
		alice, bob := newPortalUser(t, srv, "alice@example.com"), srv.account(t, "bob@example.com", alicePass)
		granted := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Second)
		for _, id := range []string{alice.account.ID, bob.ID} {
			for _, name := range []string{"terms_of_service", "privacy_policy"} {
				if err := srv.store.RecordConsent(ctx, &storage.ConsentRecord{AccountID: id, Consent: name, Version: "1", GrantedAt: granted}); err != nil {
					t.Fatal(err)
				}
			}
		}
		app, err := srv.store.GetApplication(ctx, defaultApplicationID)
		if err != nil {
			t.Fatal(err)
		}
		policy := storage.DefaultConsentPolicy()
		policy[0].Version = "2" // terms_of_service
		published := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
		if err := publishConsentPolicy(ctx, srv.store, app, policy, published); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{alice.account.ID, bob.ID} {
			recs, err := srv.store.ListConsents(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				outdated := r.OutdatedAt != nil && r.OutdatedAt.Equal(published)
				if outdated != (r.Consent == "terms_of_service") {
					t.Errorf("%s: %s@%s outdated at %v, want %v only for the terms", id, r.Consent, r.Version, r.OutdatedAt, published)
				}
			}
		}

		wantBody(t, "privacy page", alice.get("/account/privacy"),
			"terms_of_service (version 1): Ended: a newer version replaced it",
			`<time datetime="2031-05-06T07:08:09Z">May 6, 2031, 7:08 AM UTC</time>`) // no zone known: UTC, said so
		var x struct {
			Consents []struct {
				Consent    string     `json:"consent"`
				OutdatedAt *time.Time `json:"outdated_at"`
			} `json:"consents"`
			History []struct {
				Consent, Action string
				At              time.Time
			} `json:"consent_history"`
		}
		if err := json.Unmarshal([]byte(alice.get("/account/export.json").body), &x); err != nil {
			t.Fatal(err)
		}
		var ended, logged bool
		for _, c := range x.Consents {
			ended = ended || (c.Consent == "terms_of_service" && c.OutdatedAt != nil && c.OutdatedAt.Equal(published))
		}
		for _, e := range x.History {
			logged = logged || (e.Consent == "terms_of_service" && e.Action == "outdated" && e.At.Equal(published))
		}
		if !ended || !logged {
			t.Errorf("JSON export: outdated_at %v, history entry %v\n%+v", ended, logged, x)
		}
		h := alice.get("/account/export.html").body
		if !strings.Contains(h, "2031-05-06 07:08 UTC (Ended: a newer version replaced it)") ||
			!strings.Contains(h, "terms_of_service (version 1): Ended: a newer version replaced it") {
			t.Errorf("HTML export does not show the end of version 1:\n%s", h)
		}
	})
}

// TestPublishingAConsentVersionCostsTheSameForAnyNumberOfAccounts: ending
// the old version's acceptances is one statement per document, not a query
// per account (it must hold at a million accounts).
func TestPublishingAConsentVersionCostsTheSameForAnyNumberOfAccounts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var mu sync.Mutex
	count := 0
	s, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "foyer.db"), sqlstore.WithStatementHook(func(context.Context, string) {
		mu.Lock()
		count++
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	is := &storage.IdentityStore{Name: "customers"}
	if err := s.CreateIdentityStore(ctx, is); err != nil {
		t.Fatal(err)
	}
	app := &storage.Application{StoreID: is.ID, Name: "Shop"}
	if err := s.CreateApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	statements := func(accounts int, version string) int {
		t.Helper()
		for i := range accounts {
			a := &storage.Account{StoreID: is.ID, Status: storage.AccountEnabled, Email: fmt.Sprintf("c%d-%s@example.com", i, version)}
			if err := s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
			if err := s.RecordConsent(ctx, &storage.ConsentRecord{AccountID: a.ID, Consent: "terms_of_service", Version: app.Consents[0].Version}); err != nil {
				t.Fatal(err)
			}
		}
		policy := []storage.ConsentDocument{{Name: "terms_of_service", Version: version, Required: true}}
		mu.Lock()
		before := count
		mu.Unlock()
		if err := publishConsentPolicy(ctx, s, app, policy, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		app.Consents = policy
		mu.Lock()
		defer mu.Unlock()
		return count - before
	}
	app.Consents = []storage.ConsentDocument{{Name: "terms_of_service", Version: "1", Required: true}}
	if err := s.SetConsentPolicy(ctx, app.ID, app.Consents); err != nil {
		t.Fatal(err)
	}
	one, many := statements(1, "2"), statements(200, "3")
	if one != many {
		t.Errorf("publishing ran %d statements for 1 account, %d for 200", one, many)
	}
	var ended int
	for i := range 200 {
		a, err := s.FindAccountByIdentifier(ctx, is.ID, storage.IdentifierEmail, fmt.Sprintf("c%d-3@example.com", i))
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := s.ListConsents(ctx, a.ID)
		if len(recs) == 1 && recs[0].OutdatedAt != nil {
			ended++
		}
	}
	if ended != 200 {
		t.Errorf("%d of 200 acceptances of version 2 ended, want all", ended)
	}
}
