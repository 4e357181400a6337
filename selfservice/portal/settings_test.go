package portal

import (
	"net/http"
	"testing"

	"foyer/storage"
)

func TestSettingsAndUnlink(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	alice := e.signedIn(t, "alice@example.com")
	bob := e.account(t, "", "bob@example.com")
	for _, x := range []*storage.ExternalIdentity{
		{AccountID: alice.account.ID, Provider: "google", Subject: "g-alice", Email: "alice@gmail.example"},
		{AccountID: bob.ID, Provider: "google", Subject: "g-bob"},
	} {
		if err := e.store.LinkExternalIdentity(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	p := alice.get("/account/settings")
	wantBody(t, "settings", p, "How you sign in", "alice@example.com", "Password</dt><dd>Set", "alice@gmail.example",
		">Unlink google<", `<label for="confirm">`, ">Delete my account<")
	wantStatus(t, "unlink bob's", alice.post("/account/settings/unlink", "provider", "google", "subject", "g-bob"), http.StatusNotFound)
	wantBody(t, "unlink", alice.post("/account/settings/unlink", "provider", "google", "subject", "g-alice"), "The linked account is removed.")
	mine, _ := e.store.ListExternalIdentities(ctx, alice.account.ID)
	bobs, _ := e.store.ListExternalIdentities(ctx, bob.ID)
	if len(mine) != 0 || len(bobs) != 1 {
		t.Errorf("after unlink: alice %d links, bob %d", len(mine), len(bobs))
	}
}
