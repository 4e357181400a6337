package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/authz"
	"foyer/selfservice/password"
	"foyer/selfservice/regulate"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// The reset e-mail support sends (manage makes the secret the way
// selfservice does, since admin may not import it) opens selfservice's
// reset page, which sets the new password: a change of the secret's
// purpose, data or path on either side fails here.
func TestSupportResetLinkWorks(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), nil, authz.ClientSpec{})
	ctx := context.Background()
	alice := s.srv.account(t, "alice@example.com", alicePass)
	renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
	if err != nil {
		t.Fatal(err)
	}
	notices, auth := newAccountAuthServices(newAdminCore(s.srv.store, nil), s.srv.store, s.srv.notifications, renderer, nil, s.srv.issuer)
	clients, err := notices.Clients(ctx, manage.System(), alice)
	if err != nil || len(clients) == 0 {
		t.Fatalf("notice clients = %v, %v", clients, err)
	}
	if err := auth.SendPasswordReset(ctx, manage.System(), alice.StoreID, alice.ID, manage.ResetInput{ClientID: clients[0].ID}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s.srv.Listener.Addr().String())
	form := confirmLink(t, b, s.resetLink(t, "alice@example.com"))
	if form.status != http.StatusOK || !strings.Contains(form.body, `name="password_confirm"`) {
		t.Fatalf("reset link: %d\n%s", form.status, form.body)
	}
	done := b.submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
	if done.status != http.StatusOK || !strings.Contains(done.body, "Your password was changed") {
		t.Fatalf("new password: %d\n%s", done.status, done.body)
	}
	cred, err := s.srv.store.GetPassword(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := password.NewHasher(password.OWASP).Verify(ctx, resetPass, cred.Hash); err != nil {
		t.Errorf("the new password does not verify: %v", err)
	}
}

// Clearing a lockout forgets the counters selfservice keeps: the password
// tries typed with any case of the address, and the second-factor tries.
func TestSupportClearsSelfserviceLockout(t *testing.T) {
	t.Parallel()
	store := sqltest.SQLite(t)
	srv := startServer(t, store)
	ctx := context.Background()
	alice := srv.account(t, "alice@example.com", alicePass)
	renderer, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, auth := newAccountAuthServices(newAdminCore(store, nil), store, srv.notifications, renderer, nil, srv.issuer)
	limits := regulate.New(store)
	now := time.Now().UTC()
	for range 10 {
		if _, err := limits.Attempt(ctx, regulate.SignIn.Key(alice.StoreID, "ALICE@example.com"), now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := limits.Attempt(ctx, regulate.SecondFactor.Key(alice.ID, storage.MethodTOTP), now); err != nil {
		t.Fatal(err)
	}
	v, err := auth.List(ctx, manage.System(), alice.StoreID, alice.ID)
	if err != nil || !v.Lockout.Locked || v.Lockout.FailedAttempts != 11 {
		t.Fatalf("lockout = %+v, %v", v, err)
	}
	if n, err := auth.ClearLockout(ctx, manage.System(), alice.StoreID, alice.ID); err != nil || n != 11 {
		t.Fatalf("cleared %d, %v", n, err)
	}
	verdict, err := limits.Attempt(ctx, regulate.SignIn.Key(alice.StoreID, "alice@example.com"), now)
	if err != nil || verdict.Count != 1 {
		t.Errorf("after clearing, a try counts %d (%v)", verdict.Count, err)
	}
}
