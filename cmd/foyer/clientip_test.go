package main

import (
	"context"
	"net"
	"net/http"
	"testing"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestEventsRecordTheClientAddressAlike: the sign-in pages, the
// registration and the portal record the client's address in one form, the
// host without a port (session.ClientIP), as sessions do.
func TestEventsRecordTheClientAddressAlike(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), withoutActivation, authz.ClientSpec{})
	ctx := context.Background()
	u := newPortalUser(t, s.srv, "alice@example.com")
	// a failed sign-in (the sign-in pages) and a profile change (the portal)
	b := newBrowser(t, s.srv.Listener.Addr().String())
	p := b.get(s.rp.oauth.AuthCodeURL("state-ip", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
	if got := b.submit(p, map[string]string{"password": "not-the-password"}); got.status != http.StatusBadRequest {
		t.Fatalf("wrong password: %d", got.status)
	}
	u.post("/account/profile", "given_name", "Alice", "email", "alice@example.com")
	registerDirect(t, s, "newcomer@example.com", newcomerPass, "state-ip-reg")
	newcomer, err := s.srv.store.FindAccountByIdentifier(ctx, defaultStoreID, storage.IdentifierEmail, "newcomer@example.com")
	if err != nil {
		t.Fatal(err)
	}

	got := map[string]string{}
	for _, id := range []string{u.account.ID, newcomer.ID} {
		events, err := s.srv.store.ListEvents(ctx, id, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			got[e.Kind] = e.IP
		}
		sessions, err := s.srv.store.ListSessionsByAccount(ctx, id)
		if err != nil || len(sessions) == 0 {
			t.Fatalf("sessions of %s: %d, %v", id, len(sessions), err)
		}
		got["session of "+id] = sessions[0].IP
	}
	for _, kind := range []string{"login.failed", "account.profile_updated", "account.registered"} {
		if _, ok := got[kind]; !ok {
			t.Errorf("no %s event in %v", kind, got)
		}
	}
	for what, ip := range got {
		if net.ParseIP(ip) == nil || ip != "127.0.0.1" {
			t.Errorf("%s recorded the client as %q, want the host alone (127.0.0.1)", what, ip)
		}
	}
}
