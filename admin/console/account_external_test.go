package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

// The Authenticators tab lists the external identities by provider name
// (a legacy one raw) with the upstream address; support removes one (the
// customer is told by email, the audit log and the activity say so),
// never the account's only way in; the auditor and another store's
// support may not.
func TestAuthenticatorsTabExternalIdentities(t *testing.T) {
	authOnBoth(t, func(t *testing.T, store storage.Store) {
		e, customer, pk := newAuthEnv(t, store)
		ctx := context.Background()
		google := &storage.UpstreamProvider{StoreID: storeA, Name: "Google", Kind: storage.UpstreamOIDC,
			Issuer: "https://accounts.google.com", ClientID: "foyer", Enabled: true}
		if err := store.CreateUpstreamProvider(ctx, google); err != nil {
			t.Fatal(err)
		}
		for _, x := range []storage.ExternalIdentity{{Provider: google.ID, Subject: "g-1", Email: "jane@gmail.example"}, {Provider: "github", Subject: "gh-1"}} {
			x.AccountID = customer.ID
			if err := store.LinkExternalIdentity(ctx, &x); err != nil {
				t.Fatal(err)
			}
		}
		base := "/admin/stores/" + storeA + "/accounts/" + customer.ID + "/authenticators"
		support := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		page := support.get(t, base)
		for _, want := range []string{"External identities", "<td>Google</td>", "jane@gmail.example", "<td>github</td>",
			`aria-label="Remove the identity at Google"`, `name="subject" value="g-1"`, "is always told by email"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("support's tab (%d) lacks %q", page.status, want)
			}
		}
		auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		if page := auditor.get(t, base); !strings.Contains(page.body, "<td>Google</td>") || strings.Contains(page.body, "Remove the identity at") {
			t.Errorf("the auditor's tab: lists %v, offers removal %v", strings.Contains(page.body, "<td>Google</td>"),
				strings.Contains(page.body, "Remove the identity at"))
		}
		form := url.Values{"form": {"external-0"}, "provider": {google.ID}, "subject": {"g-1"}}
		for _, br := range []*browser{auditor, e.signIn(t, e.admin(t, "b@example.com", grant(storage.RoleSupport, storeB)))} {
			if got := br.post(t, base+"/external/remove", clone(form)); got.status != http.StatusForbidden {
				t.Errorf("refused removal: %d", got.status)
			}
		}
		if got := support.post(t, base+"/external/remove", url.Values{"form": {"external-0"}, "provider": {google.ID}, "subject": {"nobody"}}); got.status != http.StatusNotFound {
			t.Errorf("unknown identity: %d", got.status)
		}
		if len(e.auditActions(t)) != 0 {
			t.Fatalf("refusals were audited: %v", e.auditActions(t))
		}
		got := support.post(t, base+"/external/remove", clone(form))
		if got.status != http.StatusSeeOther || got.location != base+"?notice=external_removed" {
			t.Fatalf("removal: %d to %q\n%s", got.status, got.location, got.body)
		}
		if a := e.auditActions(t); len(a) != 2 || a[0] != "account.external_identity_removed" || a[1] != "account.notified" {
			t.Errorf("audit = %v", a)
		}
		queued, err := store.ListNotifications(ctx, 10)
		if err != nil || len(queued) != 1 || queued[0].Kind != "notice" || queued[0].To != "jane@example.com" ||
			!strings.Contains(queued[0].Text, "A sign-in with another account was removed") {
			t.Errorf("outbox = %+v, %v", queued, err)
		}
		if ev, err := store.ListEvents(ctx, customer.ID, 1); err != nil || len(ev) != 1 || ev[0].Kind != "external.unlinked" || ev[0].Data["provider_name"] != "Google" {
			t.Errorf("events = %+v, %v", ev, err)
		}
		if page := support.get(t, base+"?notice=external_removed"); strings.Contains(page.body, "<td>Google</td>") ||
			!strings.Contains(page.body, "customer is told by email") {
			t.Error("the identity is still listed, or the notice is missing")
		}

		// Without the passkey, GitHub is the only way in.
		if err := store.DeleteAuthenticator(ctx, customer.ID, pk.ID); err != nil {
			t.Fatal(err)
		}
		last := support.post(t, base+"/external/remove", url.Values{"form": {"external-0"}, "provider": {"github"}, "subject": {"gh-1"}})
		if last.status != http.StatusConflict || !strings.Contains(last.body, "only way in") || !strings.Contains(last.body, "password reset") {
			t.Errorf("only way in: %d", last.status)
		}
		if left, _ := store.ListExternalIdentities(ctx, customer.ID); len(left) != 1 {
			t.Errorf("left = %+v", left)
		}
	})
}
