package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/authz"
	"foyer/selfservice/password"
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
