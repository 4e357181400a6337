package storagetest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"foyer/storage"
)

func testAuthenticators(t *testing.T, s storage.Store) {
	ctx := t.Context()
	acct := secretAccount(t, s, storage.AccountEnabled)
	other := secretAccount(t, s, storage.AccountEnabled)
	totp := &storage.Authenticator{AccountID: acct.ID, Kind: storage.AuthenticatorTOTP, Name: "Phone app", Secret: []byte("sealed")}
	must(t, "CreateAuthenticator totp", s.CreateAuthenticator(ctx, totp))
	credID := []byte(unique("cred"))
	key := &storage.Authenticator{AccountID: acct.ID, Kind: storage.AuthenticatorPasskey, Name: "Key",
		Secret: []byte("sealed credential"), CredentialID: credID, CreatedAt: at(time.Minute)}
	must(t, "CreateAuthenticator passkey", s.CreateAuthenticator(ctx, key))
	if totp.ID == "" || totp.CreatedAt.IsZero() {
		t.Fatalf("CreateAuthenticator left ID or CreatedAt unset: %+v", totp)
	}
	wantErr(t, "duplicate credential id", s.CreateAuthenticator(ctx, &storage.Authenticator{AccountID: other.ID,
		Kind: storage.AuthenticatorPasskey, CredentialID: credID}), storage.ErrConflict)
	// Authenticators without a credential id do not collide on the index.
	must(t, "second TOTP-less authenticator", s.CreateAuthenticator(ctx, &storage.Authenticator{AccountID: other.ID,
		Kind: storage.AuthenticatorEmail, Address: other.Email}))

	list, err := s.ListAuthenticators(ctx, acct.ID)
	must(t, "ListAuthenticators", err)
	if len(list) != 2 || list[0].ID != totp.ID || list[1].ID != key.ID || !bytes.Equal(list[0].Secret, []byte("sealed")) {
		t.Fatalf("ListAuthenticators = %+v, want totp then passkey", list)
	}
	got, err := s.GetAuthenticatorByCredentialID(ctx, credID)
	must(t, "GetAuthenticatorByCredentialID", err)
	if got.ID != key.ID || got.AccountID != acct.ID {
		t.Errorf("GetAuthenticatorByCredentialID = %+v, want %s", got, key.ID)
	}
	_, err = s.GetAuthenticatorByCredentialID(ctx, []byte("nope"))
	wantErr(t, "unknown credential id", err, storage.ErrNotFound)

	now := time.Now().UTC()
	must(t, "UseAuthenticator step 100", s.UseAuthenticator(ctx, acct.ID, totp.ID, 100, now))
	wantErr(t, "same step again", s.UseAuthenticator(ctx, acct.ID, totp.ID, 100, now), storage.ErrConflict)
	wantErr(t, "older step", s.UseAuthenticator(ctx, acct.ID, totp.ID, 99, now), storage.ErrConflict)
	wantErr(t, "another account's authenticator", s.UseAuthenticator(ctx, other.ID, totp.ID, 101, now), storage.ErrNotFound)
	// A passkey that counts nothing is used again and again at zero.
	must(t, "passkey counter 0", s.UseAuthenticator(ctx, acct.ID, key.ID, 0, now))
	must(t, "passkey counter 0 again", s.UseAuthenticator(ctx, acct.ID, key.ID, 0, now))
	list, err = s.ListAuthenticators(ctx, acct.ID)
	must(t, "ListAuthenticators after use", err)
	if list[0].Counter != 100 || list[0].LastUsedAt == nil {
		t.Errorf("after use: counter %d, last used %v; want 100 and a time", list[0].Counter, list[0].LastUsedAt)
	}

	wantErr(t, "delete another account's", s.DeleteAuthenticator(ctx, other.ID, totp.ID), storage.ErrNotFound)
	must(t, "DeleteAuthenticator", s.DeleteAuthenticator(ctx, acct.ID, totp.ID))
	wantErr(t, "delete twice", s.DeleteAuthenticator(ctx, acct.ID, totp.ID), storage.ErrNotFound)
}

func testParallelTOTPStep(t *testing.T, s storage.Store) {
	acct := secretAccount(t, s, storage.AccountEnabled)
	a := &storage.Authenticator{AccountID: acct.ID, Kind: storage.AuthenticatorTOTP}
	must(t, "CreateAuthenticator", s.CreateAuthenticator(t.Context(), a))
	errs := race(8, func(int) error { return s.UseAuthenticator(t.Context(), acct.ID, a.ID, 7, time.Now()) })
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, storage.ErrConflict):
			t.Errorf("parallel use: %v, want nil or ErrConflict", err)
		}
	}
	if wins != 1 {
		t.Errorf("%d parallel uses of one TOTP step succeeded, want exactly 1", wins)
	}
}

func testConfirmContact(t *testing.T, s storage.Store) {
	ctx := t.Context()
	acct := secretAccount(t, s, storage.AccountEnabled)
	must(t, "ConfirmContact email", s.ConfirmContact(ctx, acct.ID, storage.IdentifierEmail, strings.ToUpper(acct.Email)))
	wantErr(t, "another address", s.ConfirmContact(ctx, acct.ID, storage.IdentifierEmail, "x@example.com"), storage.ErrNotFound)
	must(t, "ConfirmContact phone", s.ConfirmContact(ctx, acct.ID, storage.IdentifierPhone, "+4915112345678"))
	got, err := s.GetAccount(ctx, acct.ID)
	must(t, "GetAccount", err)
	if !got.EmailConfirmed || got.Phone != "+4915112345678" || !got.PhoneConfirmed {
		t.Errorf("after ConfirmContact: %+v", got)
	}
	// Another account of the same store cannot take the number.
	twin := &storage.Account{StoreID: acct.StoreID, Status: storage.AccountEnabled, Email: unique("twin") + "@example.com"}
	must(t, "CreateAccount", s.CreateAccount(ctx, twin))
	wantErr(t, "taken phone", s.ConfirmContact(ctx, twin.ID, storage.IdentifierPhone, "+4915112345678"), storage.ErrConflict)
	wantErr(t, "unknown account", s.ConfirmContact(ctx, "nobody", storage.IdentifierPhone, "+4915100000000"), storage.ErrNotFound)
	// A number other than the account's own does not replace it.
	wantErr(t, "another number", s.ConfirmContact(ctx, acct.ID, storage.IdentifierPhone, "+4915100000001"), storage.ErrNotFound)
	if got, _ := s.GetAccount(ctx, acct.ID); got.Phone != "+4915112345678" {
		t.Errorf("ConfirmContact replaced the account's phone with %q", got.Phone)
	}
}

func testMFAPolicy(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := &storage.IdentityStore{Name: unique("mfa")}
	must(t, "CreateIdentityStore", s.CreateIdentityStore(ctx, is))
	app := &storage.Application{StoreID: is.ID, Name: "MFA app"}
	must(t, "CreateApplication", s.CreateApplication(ctx, app))
	got, err := s.GetApplication(ctx, app.ID)
	must(t, "GetApplication", err)
	if got.MFA.Mode != storage.MFAOff || !equalStrings(got.MFA.Methods, storage.AllMFAMethods) {
		t.Errorf("unset MFA policy reads %+v, want the defaults", got.MFA)
	}
	p := storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodTOTP, storage.MethodPasskey}, Passwordless: true}
	must(t, "SetMFAPolicy", s.SetMFAPolicy(ctx, app.ID, p))
	got, err = s.GetApplication(ctx, app.ID)
	must(t, "GetApplication", err)
	if got.MFA.Mode != p.Mode || !equalStrings(got.MFA.Methods, p.Methods) || !got.MFA.Passwordless {
		t.Errorf("MFA policy reads %+v, want %+v", got.MFA, p)
	}
	wantErr(t, "unknown application", s.SetMFAPolicy(ctx, "nope", p), storage.ErrNotFound)
}

func testRecoveryCodeSecrets(t *testing.T, s storage.Store) {
	ctx := t.Context()
	now := time.Now().UTC()
	acct := secretAccount(t, s, storage.AccountEnabled)
	for i := range 3 {
		must(t, "CreateOneTimeSecret", s.CreateOneTimeSecret(ctx, &storage.OneTimeSecret{Purpose: "recovery_code",
			Hash: secretHash(unique("rc")), AccountID: acct.ID, ExpiresAt: now.Add(time.Duration(i+1) * time.Hour)}))
	}
	used := &storage.OneTimeSecret{Purpose: "recovery_code", Hash: secretHash(unique("rc")), AccountID: acct.ID, ExpiresAt: now.Add(time.Hour)}
	must(t, "CreateOneTimeSecret", s.CreateOneTimeSecret(ctx, used))
	_, err := s.UseOneTimeSecret(ctx, "recovery_code", used.Hash, now)
	must(t, "UseOneTimeSecret", err)
	n, err := s.CountUsableOneTimeSecrets(ctx, acct.ID, "recovery_code", now)
	must(t, "CountUsableOneTimeSecrets", err)
	if n != 3 {
		t.Errorf("CountUsableOneTimeSecrets = %d, want 3 (one used)", n)
	}
	n, err = s.SpendOneTimeSecrets(ctx, acct.ID, "recovery_code", now)
	must(t, "SpendOneTimeSecrets", err)
	if n != 3 {
		t.Errorf("SpendOneTimeSecrets = %d, want the 3 unused", n)
	}
	if n, _ := s.CountUsableOneTimeSecrets(ctx, acct.ID, "recovery_code", now); n != 0 {
		t.Errorf("after spending %d remain usable", n)
	}
	if _, err := s.UseOneTimeSecret(ctx, "recovery_code", used.Hash, now); !isErr(err, storage.ErrNotFound) {
		t.Errorf("a spent secret was used again: %v", err)
	}
	n, err = s.DeleteOneTimeSecrets(ctx, acct.ID, "recovery_code")
	must(t, "DeleteOneTimeSecrets", err)
	if n != 4 {
		t.Errorf("DeleteOneTimeSecrets = %d, want 4", n)
	}
	if n, _ := s.CountUsableOneTimeSecrets(ctx, acct.ID, "recovery_code", now); n != 0 {
		t.Errorf("after delete %d remain", n)
	}
}

func testListLoginAttempts(t *testing.T, s storage.Store) {
	ctx := t.Context()
	key := unique("mfa-lock")
	for _, d := range []time.Duration{-2 * time.Hour, -time.Minute, -time.Second} {
		if _, err := s.RecordLoginAttempt(ctx, key, time.Now().Add(d), time.Now()); err != nil {
			t.Fatalf("RecordLoginAttempt: %v", err)
		}
	}
	got, err := s.ListLoginAttempts(ctx, key, time.Now().Add(-time.Hour))
	must(t, "ListLoginAttempts", err)
	if len(got) != 2 || !got[0].Before(got[1]) {
		t.Errorf("ListLoginAttempts = %v, want the two of the last hour, oldest first", got)
	}
}
