package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestPublishingAConsentVersionEndsTheOldOne: seed 002's consent log holds
// "the time of opt-out for outdated consent versions". Publishing version 2
// of the terms ends, at that time, every acceptance of version 1 in the
// store; the portal and both exports show when.
func TestPublishingAConsentVersionEndsTheOldOne(t *testing.T) {
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
			"terms_of_service (version 1): Ended: a newer version replaced it", "2031-05-06 07:08 UTC")
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
