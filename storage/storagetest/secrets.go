package storagetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"foyer/storage"
)

func secretAccount(t *testing.T, s storage.Store, status storage.AccountStatus) *storage.Account {
	t.Helper()
	is := &storage.IdentityStore{Name: unique("secrets"), IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}
	must(t, "CreateIdentityStore", s.CreateIdentityStore(t.Context(), is))
	a := &storage.Account{StoreID: is.ID, Status: status, Email: unique("user") + "@example.com"}
	must(t, "CreateAccount", s.CreateAccount(t.Context(), a))
	return a
}

func secretHash(v string) []byte {
	sum := sha256.Sum256([]byte(v))
	return sum[:]
}

func testOneTimeSecrets(t *testing.T, s storage.Store) {
	ctx := t.Context()
	now := time.Now().UTC()
	acct := secretAccount(t, s, storage.AccountPending)
	live := &storage.OneTimeSecret{Purpose: "activation", Hash: secretHash(unique("s")), AccountID: acct.ID,
		Data: "interaction-1", ExpiresAt: now.Add(time.Hour)}
	expired := &storage.OneTimeSecret{Purpose: "activation", Hash: secretHash(unique("s")), AccountID: acct.ID,
		ExpiresAt: now.Add(-time.Second), CreatedAt: now.Add(-time.Hour)}
	must(t, "CreateOneTimeSecret", s.CreateOneTimeSecret(ctx, expired))
	must(t, "CreateOneTimeSecret", s.CreateOneTimeSecret(ctx, live))
	if live.ID == "" || live.CreatedAt.IsZero() {
		t.Errorf("CreateOneTimeSecret left ID or CreatedAt unset: %+v", live)
	}
	wantErr(t, "duplicate hash", s.CreateOneTimeSecret(ctx, &storage.OneTimeSecret{Purpose: "activation",
		Hash: live.Hash, AccountID: acct.ID, ExpiresAt: now.Add(time.Hour)}), storage.ErrConflict)

	latest, err := s.LatestOneTimeSecret(ctx, acct.ID, "activation")
	must(t, "LatestOneTimeSecret", err)
	if latest.ID != live.ID {
		t.Errorf("LatestOneTimeSecret = %s, want the newest %s", latest.ID, live.ID)
	}
	_, err = s.LatestOneTimeSecret(ctx, acct.ID, "password_reset")
	wantErr(t, "LatestOneTimeSecret other purpose", err, storage.ErrNotFound)

	usable := func(name, purpose string, hash []byte, want bool) {
		t.Helper()
		got, err := s.OneTimeSecretUsable(ctx, purpose, hash, now)
		must(t, "OneTimeSecretUsable "+name, err)
		if got != want {
			t.Errorf("OneTimeSecretUsable(%s) = %v, want %v", name, got, want)
		}
	}
	usable("live", "activation", live.Hash, true)
	usable("live, twice (nothing spent)", "activation", live.Hash, true)
	usable("expired", "activation", expired.Hash, false)
	usable("other purpose", "password_reset", live.Hash, false)
	usable("unknown", "activation", secretHash(unique("s")), false)

	_, err = s.UseOneTimeSecret(ctx, "password_reset", live.Hash, now)
	wantErr(t, "use with another purpose", err, storage.ErrNotFound)
	used, err := s.UseOneTimeSecret(ctx, "activation", live.Hash, now)
	must(t, "UseOneTimeSecret", err)
	if used.ID != live.ID || used.AccountID != acct.ID || used.Data != "interaction-1" || used.UsedAt == nil {
		t.Errorf("UseOneTimeSecret = %+v, want the live secret marked used", used)
	} else {
		sameTime(t, "used at", *used.UsedAt, now)
	}
	_, err = s.UseOneTimeSecret(ctx, "activation", live.Hash, now)
	wantErr(t, "second use", err, storage.ErrNotFound)
	usable("used", "activation", live.Hash, false)
	_, err = s.UseOneTimeSecret(ctx, "activation", expired.Hash, now)
	wantErr(t, "expired", err, storage.ErrNotFound)
	_, err = s.UseOneTimeSecret(ctx, "activation", secretHash("unknown"), now)
	wantErr(t, "unknown", err, storage.ErrNotFound)

	// Of parallel uses of one link exactly one wins.
	race := &storage.OneTimeSecret{Purpose: "activation", Hash: secretHash(unique("s")), AccountID: acct.ID,
		ExpiresAt: now.Add(time.Hour)}
	must(t, "CreateOneTimeSecret", s.CreateOneTimeSecret(ctx, race))
	var wg sync.WaitGroup
	var won atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.UseOneTimeSecret(ctx, "activation", race.Hash, now); err == nil {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d parallel uses of a single-use secret won", won.Load())
	}
}

func testActivateAccount(t *testing.T, s storage.Store) {
	ctx := t.Context()
	pending := secretAccount(t, s, storage.AccountPending)
	must(t, "ActivateAccount", s.ActivateAccount(ctx, pending.ID))
	got, err := s.GetAccount(ctx, pending.ID)
	must(t, "GetAccount", err)
	if got.Status != storage.AccountEnabled || !got.EmailConfirmed {
		t.Errorf("after activation: status %q, email confirmed %v", got.Status, got.EmailConfirmed)
	}
	wantErr(t, "activate twice", s.ActivateAccount(ctx, pending.ID), storage.ErrNotFound)
	disabled := secretAccount(t, s, storage.AccountDisabled)
	wantErr(t, "activate disabled", s.ActivateAccount(ctx, disabled.ID), storage.ErrNotFound)
	wantErr(t, "activate missing", s.ActivateAccount(ctx, "missing"), storage.ErrNotFound)
}

func testConsentRecords(t *testing.T, s storage.Store) {
	ctx := t.Context()
	acct := secretAccount(t, s, storage.AccountEnabled)
	at := time.Now().UTC().Add(-time.Minute)
	must(t, "RecordConsent tos", s.RecordConsent(ctx, &storage.ConsentRecord{AccountID: acct.ID,
		Consent: "terms_of_service", Version: "1", GrantedAt: at}))
	must(t, "RecordConsent privacy", s.RecordConsent(ctx, &storage.ConsentRecord{AccountID: acct.ID,
		Consent: "privacy_policy", Version: "1", GrantedAt: at.Add(time.Second)}))
	must(t, "RecordConsent again", s.RecordConsent(ctx, &storage.ConsentRecord{AccountID: acct.ID,
		Consent: "privacy_policy", Version: "1", GrantedAt: at.Add(2 * time.Second)}))
	list, err := s.ListConsents(ctx, acct.ID)
	must(t, "ListConsents", err)
	if len(list) != 2 || list[0].Consent != "terms_of_service" || list[1].Consent != "privacy_policy" {
		t.Fatalf("ListConsents = %+v", list)
	}
	sameTime(t, "renewed consent", list[1].GrantedAt, at.Add(2*time.Second))
}

// ResetSecretStore is what IssueResetSecrets and UsableResetSecrets need.
type ResetSecretStore interface {
	CreateOneTimeSecret(ctx context.Context, s *storage.OneTimeSecret) error
	CountUsableOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error)
}

var resetPurposes = []string{storage.PurposeResetLink, storage.PurposeResetCode, storage.PurposeResetForm}

// IssueResetSecrets gives the account one unused secret of each password
// reset purpose, valid for an hour from now: a reset link, code and
// opened form still out when a test changes the password or the address.
func IssueResetSecrets(t *testing.T, s ResetSecretStore, accountID string, now time.Time) {
	t.Helper()
	for i, purpose := range resetPurposes {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s-%s-%d", accountID, purpose, i)))
		if err := s.CreateOneTimeSecret(t.Context(), &storage.OneTimeSecret{Purpose: purpose, Hash: sum[:],
			AccountID: accountID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
}

// UsableResetSecrets counts the account's password reset secrets, of
// every purpose, that could still be used at now.
func UsableResetSecrets(t *testing.T, s ResetSecretStore, accountID string, now time.Time) int64 {
	t.Helper()
	var n int64
	for _, purpose := range resetPurposes {
		k, err := s.CountUsableOneTimeSecrets(t.Context(), accountID, purpose, now)
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	return n
}
