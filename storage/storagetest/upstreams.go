package storagetest

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"foyer/storage"
)

// upstreamAreas are the external identity providers' conformance cases;
// Run includes them.
var upstreamAreas = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"UpstreamProviders", testUpstreamProviders},
	{"UpstreamAttempts", testUpstreamAttempts},
	{"ExternalSignIns", testExternalSignIns},
}

func newUpstreamProvider(t *testing.T, s storage.Store, storeID string) *storage.UpstreamProvider {
	t.Helper()
	p := &storage.UpstreamProvider{StoreID: storeID, Name: unique("Upstream"), Kind: storage.UpstreamOIDC,
		Issuer: "https://idp.example", ClientID: "foyer", ClientSecretSealed: []byte{1, 2, 3},
		Scopes: []string{"openid", "email"}, ClaimMapping: map[string]string{"nickname": "preferred_username"},
		Enabled: true}
	must(t, "CreateUpstreamProvider", s.CreateUpstreamProvider(t.Context(), p))
	return p
}

func testUpstreamProviders(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	p := newUpstreamProvider(t, s, is.ID)
	if p.ID == "" || p.Version != 1 || p.CreatedAt.IsZero() {
		t.Fatalf("created %+v", p)
	}
	wantErr(t, "unknown store", s.CreateUpstreamProvider(ctx, &storage.UpstreamProvider{StoreID: "nope",
		Name: "X", Kind: storage.UpstreamOIDC, ClientID: "c"}), storage.ErrNotFound)
	dup := &storage.UpstreamProvider{StoreID: is.ID, Name: strings.ToUpper(p.Name), Kind: storage.UpstreamOIDC, ClientID: "c"}
	wantErr(t, "same name, other case", s.CreateUpstreamProvider(ctx, dup), storage.ErrConflict)
	got, err := s.GetUpstreamProvider(ctx, p.ID)
	must(t, "GetUpstreamProvider", err)
	if got.Name != p.Name || !bytes.Equal(got.ClientSecretSealed, []byte{1, 2, 3}) || len(got.Scopes) != 2 ||
		got.ClaimMapping["nickname"] != "preferred_username" || !got.Enabled || got.PrivateKeySealed != nil {
		t.Errorf("GetUpstreamProvider = %+v", got)
	}
	got.Enabled, got.Scopes = false, []string{"openid"}
	must(t, "UpdateUpstreamProvider", s.UpdateUpstreamProvider(ctx, got))
	if got.Version != 2 {
		t.Errorf("version after update = %d", got.Version)
	}
	stale := *got
	stale.Version = 1
	wantErr(t, "stale update", s.UpdateUpstreamProvider(ctx, &stale), storage.ErrStale)
	wantErr(t, "update unknown", s.UpdateUpstreamProvider(ctx, &storage.UpstreamProvider{ID: "nope"}), storage.ErrNotFound)
	other := newUpstreamProvider(t, s, is.ID)
	renamed := *other
	renamed.Name = p.Name
	wantErr(t, "rename to a taken name", s.UpdateUpstreamProvider(ctx, &renamed), storage.ErrConflict)
	list, err := s.ListUpstreamProviders(ctx, is.ID)
	must(t, "ListUpstreamProviders", err)
	if len(list) != 2 || list[0].Enabled == list[1].Enabled {
		t.Errorf("ListUpstreamProviders = %+v", list)
	}

	acct := newAccount(t, s, is.ID)
	must(t, "LinkExternalIdentity", s.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: acct.ID,
		Provider: p.ID, Subject: unique("sub")}))
	if n, err := s.CountExternalIdentities(ctx, p.ID); err != nil || n != 1 {
		t.Errorf("CountExternalIdentities = %d, %v", n, err)
	}
	wantErr(t, "delete while linked", s.DeleteUpstreamProvider(ctx, p.ID), storage.ErrConflict)
	must(t, "DeleteUpstreamProvider", s.DeleteUpstreamProvider(ctx, other.ID))
	wantErr(t, "delete twice", s.DeleteUpstreamProvider(ctx, other.ID), storage.ErrNotFound)
}

func randomDigest(t *testing.T) []byte {
	t.Helper()
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

func testUpstreamAttempts(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	p := newUpstreamProvider(t, s, is.ID)
	now := time.Now().UTC()
	first := &storage.UpstreamAttempt{StateHash: randomDigest(t), ProviderID: p.ID, Purpose: storage.UpstreamSignIn,
		InteractionID: unique("in"), Nonce: "n1", CodeVerifier: "v1", ExpiresAt: now.Add(10 * time.Minute)}
	must(t, "CreateUpstreamAttempt", s.CreateUpstreamAttempt(ctx, first))
	second := *first
	second.StateHash, second.Nonce = randomDigest(t), "n2"
	must(t, "CreateUpstreamAttempt again", s.CreateUpstreamAttempt(ctx, &second))
	_, err := s.TakeUpstreamAttempt(ctx, first.StateHash, now)
	wantErr(t, "the replaced attempt", err, storage.ErrNotFound)
	got, err := s.TakeUpstreamAttempt(ctx, second.StateHash, now)
	must(t, "TakeUpstreamAttempt", err)
	if got.Nonce != "n2" || got.CodeVerifier != "v1" || got.InteractionID != first.InteractionID || got.ProviderID != p.ID {
		t.Errorf("TakeUpstreamAttempt = %+v", got)
	}
	_, err = s.TakeUpstreamAttempt(ctx, second.StateHash, now)
	wantErr(t, "take twice", err, storage.ErrNotFound)

	link := &storage.UpstreamAttempt{StateHash: randomDigest(t), ProviderID: p.ID, Purpose: storage.UpstreamLink,
		AccountID: "a", SessionID: unique("sess"), Nonce: "n", CodeVerifier: "v", ReturnTo: "/account",
		ExpiresAt: now.Add(time.Minute)}
	must(t, "CreateUpstreamAttempt link", s.CreateUpstreamAttempt(ctx, link))
	_, err = s.TakeUpstreamAttempt(ctx, link.StateHash, now.Add(time.Minute))
	wantErr(t, "take expired", err, storage.ErrNotFound)
	_, err = s.TakeUpstreamAttempt(ctx, link.StateHash, now)
	wantErr(t, "expired was deleted", err, storage.ErrNotFound)
}

func testExternalSignIns(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	p := newUpstreamProvider(t, s, is.ID)
	acct := newAccount(t, s, is.ID)
	sub := unique("sub")
	must(t, "LinkExternalIdentity", s.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: acct.ID,
		Provider: p.ID, Subject: sub, Email: acct.Email}))
	x, err := s.GetExternalIdentity(ctx, p.ID, sub)
	must(t, "GetExternalIdentity", err)
	if x.AccountID != acct.ID || x.LastUsedAt != nil || len(x.AMR) != 0 {
		t.Errorf("GetExternalIdentity = %+v", x)
	}
	_, err = s.GetExternalIdentity(ctx, p.ID, "other")
	wantErr(t, "unknown subject", err, storage.ErrNotFound)
	at := time.Now().UTC().Truncate(time.Second)
	must(t, "RecordExternalSignIn", s.RecordExternalSignIn(ctx, p.ID, sub, []string{"pwd", "mfa"}, "urn:x", at))
	wantErr(t, "record unknown", s.RecordExternalSignIn(ctx, p.ID, "other", nil, "", at), storage.ErrNotFound)
	list, err := s.ListExternalIdentities(ctx, acct.ID)
	must(t, "ListExternalIdentities", err)
	if len(list) != 1 || list[0].ACR != "urn:x" || len(list[0].AMR) != 2 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(at) {
		t.Errorf("after sign-in: %+v", list)
	}
}
