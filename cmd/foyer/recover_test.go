package main

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice/password"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

const resetPass = "amber-lantern-meadow-77"

// hiddenValues are the anti-forgery values a comparison of two answers
// removes: the interaction, its signature and form secrets.
var hiddenValues = regexp.MustCompile(`name="(interaction|sig|token)" value="[^"]*"|(interaction|sig)=[^"&]*`)

// recoverPage starts an authorization request in a new browser and
// follows the sign-in page's "Forgot your password?" link.
func (s *regSetup) recoverPage(t *testing.T, state string) (*browser, *page, string) {
	t.Helper()
	return s.pageFromSignIn(t, state, "/recover", `name="identifier"`)
}

func (s *regSetup) resetLink(t *testing.T, to string) string {
	t.Helper()
	mails := s.mails(t, "password_reset", to)
	if len(mails) == 0 {
		t.Fatalf("no reset mail to %s", to)
	}
	for _, line := range strings.Split(mails[0].Text, "\n") { // the newest
		if strings.HasPrefix(line, s.srv.issuer+"/recover/reset?") {
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("no reset link in:\n%s", mails[0].Text)
	return ""
}

// phoneAccount creates an enabled account with the given contacts.
func (s *regSetup) phoneAccount(t *testing.T, a storage.Account) *storage.Account {
	t.Helper()
	ctx := context.Background()
	a.StoreID, a.Status = defaultStoreID, storage.AccountEnabled
	if err := s.srv.store.CreateAccount(ctx, &a); err != nil {
		t.Fatal(err)
	}
	hash, err := password.NewHasher(password.OWASP).Hash(ctx, alicePass)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.srv.store.SetPassword(ctx, a.ID, hash); err != nil {
		t.Fatal(err)
	}
	return &a
}

func sameAnswer(t *testing.T, what string, a, b *page) {
	t.Helper()
	if a.status != b.status || hiddenValues.ReplaceAllString(a.body, "") != hiddenValues.ReplaceAllString(b.body, "") {
		t.Errorf("%s: answers differ (%d, %d):\n%s\n---\n%s", what, a.status, b.status, a.body, b.body)
	}
}

// Reset by link end to end: the same answer for an unknown identifier,
// the link opens the new-password form, the relying party gets its code,
// the old password stops working, other sessions end, the owner is told.
func TestPasswordResetByLink(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		s := newRegSetup(t, newStore(t), nil, authz.ClientSpec{})
		ctx := context.Background()
		alice := s.srv.account(t, "alice@example.com", alicePass)
		other := newBrowser(t, s.srv.Listener.Addr().String())
		otherVerifier := oauth2.GenerateVerifier()
		otherCB := other.signIn(s.rp.oauth.AuthCodeURL("state-other", oauth2.S256ChallengeOption(otherVerifier)), "alice@example.com", alicePass)
		before, err := s.rp.oauth.Exchange(ctx, otherCB.Query().Get("code"), oauth2.VerifierOption(otherVerifier))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(before)); err != nil {
			t.Fatalf("the access token does not work before the reset: %v", err)
		}

		b, p, verifier := s.recoverPage(t, "state-reset")
		known := b.submit(p, map[string]string{"identifier": "alice@example.com"})
		b2, p2, _ := s.recoverPage(t, "state-unknown")
		unknown := b2.submit(p2, map[string]string{"identifier": "nobody@example.com"})
		if known.status != http.StatusOK || !strings.Contains(known.body, "If an account matches") {
			t.Fatalf("reset request: %d\n%s", known.status, known.body)
		}
		sameAnswer(t, "reset request", known, unknown)
		if n := len(s.mails(t, "password_reset", "nobody@example.com")); n != 0 {
			t.Errorf("%d mails to an unknown address", n)
		}

		link := s.resetLink(t, "alice@example.com")
		form := confirmLink(t, b, link)
		if form.status != http.StatusOK || !strings.Contains(form.body, `name="password_confirm"`) {
			t.Fatalf("reset link: %d\n%s", form.status, form.body)
		}
		weak := b.submit(form, map[string]string{"password": "password123", "password_confirm": "password123"})
		if weak.status != http.StatusBadRequest || !strings.Contains(weak.body, "too common") {
			t.Fatalf("common password: %d\n%s", weak.status, weak.body)
		}
		done := b.submit(weak, map[string]string{"password": resetPass, "password_confirm": resetPass})
		id := s.exchange(t, done, verifier, "state-reset")
		if id.Subject != alice.ID {
			t.Errorf("subject %s, want %s", id.Subject, alice.ID)
		}
		expectAMR(t, "after a reset link", id, "1", "otp")
		// tokens issued before the reset are revoked with it
		if _, err := s.rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(before)); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("an access token from before the reset: %v, want 401", err)
		}

		sessions, err := s.srv.store.ListSessionsByAccount(ctx, alice.ID)
		if err != nil || len(sessions) != 1 {
			t.Errorf("sessions after reset = %d, %v; want only the new one", len(sessions), err)
		}
		if n := len(s.mails(t, "password_changed", "alice@example.com")); n != 1 {
			t.Errorf("%d password-changed mails, want 1", n)
		}
		fresh := newBrowser(t, s.srv.Listener.Addr().String())
		lp := fresh.get(s.rp.oauth.AuthCodeURL("state-old", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		lp = fresh.submit(lp, map[string]string{"identifier": "alice@example.com"})
		if old := fresh.submit(lp, map[string]string{"password": alicePass}); old.status != http.StatusBadRequest {
			t.Errorf("old password after reset: %d", old.status)
		}
		cb := newBrowser(t, s.srv.Listener.Addr().String()).signIn(
			s.rp.oauth.AuthCodeURL("state-new", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "alice@example.com", resetPass)
		if cb.Query().Get("code") == "" {
			t.Errorf("new password refused: %s", cb)
		}
		expectEvents(t, s, alice.ID, "password_reset.requested", "password_reset.completed")

		deadLink(t, newBrowser(t, s.srv.Listener.Addr().String()), link, "already used")
	})
}

func expectEvents(t *testing.T, s *regSetup, accountID string, kinds ...string) {
	t.Helper()
	s.srv.drain(t)
	events, err := s.srv.store.ListEvents(context.Background(), accountID, 50)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Kind] = true
		if strings.HasPrefix(e.Kind, "login.") {
			continue // recorded by the sign-in pages
		}
		if e.IP == "" || e.Data["user_agent"] == "" {
			t.Errorf("event %s without IP or user agent", e.Kind)
		}
	}
	for _, k := range kinds {
		if !seen[k] {
			t.Errorf("no %s event in %v", k, seen)
		}
	}
}

// reminderRequest opens the username reminder from the recovery page,
// switches to the phone form if asked, and submits contact.
func reminderRequest(t *testing.T, s *regSetup, state string, byPhone bool, contact string) *page {
	t.Helper()
	b, p, _ := s.recoverPage(t, state)
	m := regexp.MustCompile(`href="(/recover/username\?[^"]+)"`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no username reminder link:\n%s", p.body)
	}
	p = b.get(s.srv.URL + html.UnescapeString(m[1]))
	field := "email"
	if byPhone {
		m = regexp.MustCompile(`href="(/recover/username\?[^"]*by=phone[^"]*)"`).FindStringSubmatch(p.body)
		if m == nil {
			t.Fatalf("no switch to the phone number:\n%s", p.body)
		}
		p, field = b.get(s.srv.URL+html.UnescapeString(m[1])), "phone"
	}
	if !strings.Contains(p.body, `name="`+field+`"`) {
		t.Fatalf("reminder page without %s field:\n%s", field, p.body)
	}
	return b.submit(p, map[string]string{field: contact})
}
