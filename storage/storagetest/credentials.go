package storagetest

import (
	"testing"
	"time"

	"foyer/storage"
)

// testClearCredentials: DeletePassword and DeleteAllOneTimeSecrets remove
// one account's password and secrets of every purpose, and nobody else's.
func testClearCredentials(t *testing.T, s storage.Store) {
	ctx := t.Context()
	now := time.Now().UTC()
	storeID := newIdentityStore(t, s).ID
	a, other := newAccount(t, s, storeID), newAccount(t, s, storeID)
	for _, acct := range []*storage.Account{a, other} {
		must(t, "SetPassword", s.SetPassword(ctx, acct.ID, "$argon2id$v=19$m=65536,t=3,p=4$x"))
		for _, purpose := range []string{"password_reset", "activation", "recovery_code"} {
			must(t, "CreateOneTimeSecret", s.CreateOneTimeSecret(ctx, &storage.OneTimeSecret{Purpose: purpose,
				Hash: secretHash(unique("s")), AccountID: acct.ID, ExpiresAt: now.Add(time.Hour)}))
		}
	}
	must(t, "DeletePassword", s.DeletePassword(ctx, a.ID))
	_, err := s.GetPassword(ctx, a.ID)
	wantErr(t, "GetPassword after DeletePassword", err, storage.ErrNotFound)
	must(t, "DeletePassword again", s.DeletePassword(ctx, a.ID))
	n, err := s.DeleteAllOneTimeSecrets(ctx, a.ID)
	must(t, "DeleteAllOneTimeSecrets", err)
	if n != 3 {
		t.Errorf("DeleteAllOneTimeSecrets = %d, want 3", n)
	}
	for _, purpose := range []string{"password_reset", "activation", "recovery_code"} {
		_, err := s.LatestOneTimeSecret(ctx, a.ID, purpose)
		wantErr(t, "LatestOneTimeSecret after DeleteAllOneTimeSecrets", err, storage.ErrNotFound)
		if _, err := s.LatestOneTimeSecret(ctx, other.ID, purpose); err != nil {
			t.Errorf("the other account's %s secret went: %v", purpose, err)
		}
	}
	if _, err := s.GetPassword(ctx, other.ID); err != nil {
		t.Errorf("the other account's password went: %v", err)
	}
}
