package manage_test

import (
	"strings"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
)

// linkIdentity links alice to (provider, subject).
func linkIdentity(t *testing.T, e *authEnv, acct *storage.Account, provider, subject string) {
	t.Helper()
	if err := e.s.LinkExternalIdentity(t.Context(), &storage.ExternalIdentity{AccountID: acct.ID, Provider: provider,
		Subject: subject, Email: subject + "@upstream.example"}); err != nil {
		t.Fatal(err)
	}
}

// Support lists an account's external identities with their providers'
// names (a legacy one raw) and removes one: audited before and after,
// an external.unlinked event with the administrator as actor, and a
// notice e-mail to the customer, though no client was chosen.
func TestRemoveExternalIdentity(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		google := upstream(t, e.s, "s1", "Google")
		linkIdentity(t, e, e.alice, google.ID, "g-1")
		linkIdentity(t, e, e.alice, "github", "gh-1") // by "foyer account link"
		used := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		if err := e.s.RecordExternalSignIn(ctx, google.ID, "g-1", []string{"pwd", "mfa"}, "urn:acr:2", used); err != nil {
			t.Fatal(err)
		}
		got, err := e.auth.ExternalIdentities(ctx, auditorAll, "s1", e.alice.ID)
		if err != nil || len(got) != 2 {
			t.Fatalf("ExternalIdentities = %+v, %v", got, err)
		}
		byName := map[string]manage.ExternalIdentityView{}
		for _, x := range got {
			byName[x.ProviderName] = x
		}
		if g := byName["Google"]; g.Provider != google.ID || g.Subject != "g-1" || g.Email != "g-1@upstream.example" ||
			g.LastUsedAt == nil || !g.LastUsedAt.Equal(used) || strings.Join(g.AMR, " ") != "pwd mfa" || g.ACR != "urn:acr:2" {
			t.Errorf("Google identity = %+v", g)
		}
		if gh, ok := byName["github"]; !ok || gh.Provider != "github" || gh.LastUsedAt != nil {
			t.Errorf("legacy identity = %+v (%v)", gh, ok)
		}
		if v, err := e.auth.List(ctx, supportAll, "s1", e.alice.ID); err != nil || len(v.External) != 2 {
			t.Errorf("the Authenticators tab's external identities = %+v, %v", v, err)
		}

		refusedForOthers(t, e, func(a manage.Actor, storeID, accountID string) error {
			return e.auth.RemoveExternalIdentity(ctx, a, storeID, accountID, google.ID, "g-1", manage.RemoveInput{})
		})
		authErr(t, e.auth.RemoveExternalIdentity(ctx, supportAll, "s1", e.alice.ID, google.ID, "other", manage.RemoveInput{}), manage.ErrNotFound)
		authErr(t, e.auth.RemoveExternalIdentity(ctx, supportAll, "s1", e.bob.ID, google.ID, "g-1", manage.RemoveInput{}), manage.ErrNotFound)

		if err := e.auth.RemoveExternalIdentity(ctx, supportAll, "s1", e.alice.ID, google.ID, "g-1", manage.RemoveInput{}); err != nil {
			t.Fatal(err)
		}
		audits := e.audits(t)
		entry := audits[0]
		if entry.Action != "account.external_identity_removed" || entry.TargetID != e.alice.ID || entry.StoreID != "s1" ||
			entry.ActorID != supportAll.ID || !strings.Contains(entry.Before, `"provider_name":"Google"`) ||
			strings.Contains(entry.After, "Google") || !strings.Contains(entry.After, `"subject":"gh-1"`) {
			t.Errorf("audit entry = %+v", entry)
		}
		if n := audits[1]; n.Action != "account.notified" || !strings.Contains(n.After, "email.external_removed.title") {
			t.Errorf("notice entry = %+v", n)
		}
		events, err := e.s.ListEvents(ctx, e.alice.ID, 1)
		if err != nil || len(events) != 1 || events[0].Kind != "external.unlinked" || events[0].Actor != supportAll.ID ||
			events[0].Data["provider"] != google.ID || events[0].Data["provider_name"] != "Google" {
			t.Errorf("event = %+v, %v", events, err)
		}
		m := e.deliver(t).Next(t, "alice@example.com")
		m.Branded(t, "Acme Shop") // the one client that fits alice
		if !strings.Contains(m.Text, "A sign-in with another account was removed") || !strings.Contains(m.Text, "can no longer sign in with it") {
			t.Errorf("notice = %q\n%s", m.Subject, m.Text)
		}
		if left, _ := e.s.ListExternalIdentities(ctx, e.alice.ID); len(left) != 1 || left[0].Provider != "github" {
			t.Errorf("left = %+v", left)
		}
	})
}

// The account's only way in stays: the last identity of an account
// without password or passkey is refused, saying what to do; with a
// passkey (or a password) it goes.
func TestRemoveExternalIdentityOnlyWayIn(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		linkIdentity(t, e, e.alice, "github", "gh-1")
		before := len(e.audits(t))
		err := e.auth.RemoveExternalIdentity(ctx, supportAll, "s1", e.alice.ID, "github", "gh-1", manage.RemoveInput{})
		authErr(t, err, manage.ErrConflict)
		if !strings.Contains(err.Error(), "only way in") || !strings.Contains(err.Error(), "password reset") {
			t.Errorf("refusal = %v", err)
		}
		if left, _ := e.s.ListExternalIdentities(ctx, e.alice.ID); len(left) != 1 {
			t.Errorf("the refusal unlinked: %+v", left)
		}
		if n := len(e.audits(t)); n != before {
			t.Errorf("the refusal wrote %d audit entries", n-before)
		}
		if q := e.queued(t); len(q) != 0 {
			t.Errorf("the refusal queued %d messages", len(q))
		}
		pk := &storage.Authenticator{AccountID: e.alice.ID, Kind: storage.AuthenticatorPasskey, Name: "Key", CredentialID: []byte{7}, Secret: []byte("s")}
		if err := e.s.CreateAuthenticator(ctx, pk); err != nil {
			t.Fatal(err)
		}
		if err := e.auth.RemoveExternalIdentity(ctx, supportAll, "s1", e.alice.ID, "github", "gh-1",
			manage.RemoveInput{Notify: &manage.NotifyChoice{ClientID: "b2b-web"}}); err == nil {
			t.Error("a client that does not fit the account was accepted")
		}
		if err := e.auth.RemoveExternalIdentity(ctx, supportAll, "s1", e.alice.ID, "github", "gh-1",
			manage.RemoveInput{Notify: &manage.NotifyChoice{ClientID: "shop-web"}}); err != nil {
			t.Errorf("with a passkey left: %v", err)
		}
	})
}
