package selfservice_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/selfservicetest"
	"foyer/storage"
)

const resetPass = "amber-lantern-meadow-77"

// hiddenValues are the anti-forgery values a comparison of two answers
// removes: the interaction, its signature and form secrets.
var hiddenValues = regexp.MustCompile(`name="(interaction|sig|token)" value="[^"]*"|(interaction|sig)=[^"&]*`)

// requestReset asks for a reset of identifier from a new browser's
// sign-in and returns the browser and the answer.
func requestReset(t *testing.T, env *selfservicetest.Env, identifier string) (*selfservicetest.Browser, *selfservicetest.Page) {
	t.Helper()
	b := env.Browser(t)
	id := env.Interaction(t, b, "", nil)
	p := b.Get(env.RecoverURL(id))
	if p.Status != http.StatusOK || !p.Has("identifier") {
		t.Fatalf("reset page: %d\n%s", p.Status, p.Body)
	}
	return b, b.Submit(p, map[string]string{"identifier": identifier})
}

// confirmLink opens a link from a message: a confirmation page (so mail
// scanners that fetch links use nothing) whose button goes on.
func confirmLink(t *testing.T, b *selfservicetest.Browser, link string) *selfservicetest.Page {
	t.Helper()
	p := b.Get(link)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `<form method="post"`) || !p.Has("token") {
		t.Fatalf("GET %s: no confirmation form: %d\n%s", link, p.Status, p.Body)
	}
	return b.Submit(p, nil)
}

// Reset by link: the same answer for an unknown identifier; the link
// opens the new-password form; the new password works and the old one no
// longer does; the owner is told.
func TestPasswordResetByLink(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	env.Account(t, "alice@example.com", alicePass)
	b, known := requestReset(t, env, "alice@example.com")
	_, unknown := requestReset(t, env, "nobody@example.com")
	if known.Status != unknown.Status || hiddenValues.ReplaceAllString(known.Body, "") != hiddenValues.ReplaceAllString(unknown.Body, "") {
		t.Fatalf("a reset for an unknown identifier answers differently:\n%s\n---\n%s", known.Body, unknown.Body)
	}
	env.Settle(t)
	m := env.Inbox.Next(t, "alice@example.com")
	m.Branded(t, selfservicetest.AppName)
	form := confirmLink(t, b, m.Link(t, env.Server.URL+"/recover/reset?"))
	done := b.Submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
	if done.Status >= 400 {
		t.Fatalf("new password: %d\n%s", done.Status, done.Body)
	}
	env.Settle(t)
	notice := env.Inbox.Next(t, "alice@example.com")
	if strings.Contains(notice.Text, "/recover/reset?") {
		t.Errorf("the password-changed notice carries a reset token:\n%s", notice.Text)
	}
	if id, p := env.SignIn(t, env.Browser(t), "alice@example.com", alicePass, nil); env.WasResumed(id) {
		t.Errorf("the old password still signs in: %d", p.Status)
	}
	if id, p := env.SignIn(t, env.Browser(t), "alice@example.com", resetPass, nil); !env.WasResumed(id) {
		t.Errorf("the new password does not sign in: %d\n%s", p.Status, p.Body)
	}
}

// Forged and expired links get the clear page, and no confirmation form.
func TestResetLinkForgedAndExpired(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	alice := env.Account(t, "alice@example.com", alicePass)
	now := env.Clock.Now()
	sum := sha256.Sum256([]byte("expired-token"))
	if err := env.Store.CreateOneTimeSecret(context.Background(), &storage.OneTimeSecret{Purpose: "password_reset",
		Hash: sum[:], AccountID: alice.ID, CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"forged", "expired-token"} {
		p := env.Browser(t).Get(env.Server.URL + "/recover/reset?" + url.Values{"token": {token}}.Encode())
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "invalid, has expired") || p.Has("token") {
			t.Errorf("%s: %d, want 400 with the expired page\n%s", token, p.Status, p.Body)
		}
	}
}

// A reset link expires by the clock: one opened after its lifetime is dead.
func TestResetLinkExpiresWithTheClock(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	env.Account(t, "alice@example.com", alicePass)
	b, _ := requestReset(t, env, "alice@example.com")
	env.Settle(t)
	link := env.Inbox.Next(t, "alice@example.com").Link(t, env.Server.URL+"/recover/reset?")
	env.Clock.Advance(25 * time.Hour)
	if p := b.Get(link); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "invalid, has expired") {
		t.Fatalf("a day-old reset link: %d\n%s", p.Status, p.Body)
	}
}

// An account disabled after its reset link went out keeps its password:
// the new-password form is refused and no "password changed" notice goes.
func TestResetRefusedForAccountDisabledMeanwhile(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	alice := env.Account(t, "alice@example.com", alicePass)
	b, _ := requestReset(t, env, "alice@example.com")
	env.Settle(t)
	form := confirmLink(t, b, env.Inbox.Next(t, "alice@example.com").Link(t, env.Server.URL+"/recover/reset?"))
	if err := env.Store.SetAccountStatus(context.Background(), alice.ID, storage.AccountDisabled); err != nil {
		t.Fatal(err)
	}
	got := b.Submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
	if got.Status != http.StatusBadRequest || !strings.Contains(got.Body, "invalid, has expired") {
		t.Errorf("new password for a disabled account: %d\n%s", got.Status, got.Body)
	}
	env.Settle(t)
	env.Inbox.None(t, "alice@example.com")
	if err := env.Store.SetAccountStatus(context.Background(), alice.ID, storage.AccountEnabled); err != nil {
		t.Fatal(err)
	}
	if id, p := env.SignIn(t, env.Browser(t), "alice@example.com", alicePass, nil); !env.WasResumed(id) {
		t.Errorf("the old password stopped working: %d", p.Status)
	}
}

// A completed reset kills the other reset links and forms of the account:
// an older link (or one sent to a mailbox read by someone else) must not
// set the password again after its owner chose a new one.
func TestResetSpendsTheOtherResetLinks(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	env.Account(t, "alice@example.com", alicePass)
	first, _ := requestReset(t, env, "alice@example.com")
	env.Settle(t)
	older := env.Inbox.Next(t, "alice@example.com").Link(t, env.Server.URL+"/recover/reset?")
	env.Clock.Advance(time.Minute) // past the re-request interval
	b, _ := requestReset(t, env, "alice@example.com")
	env.Settle(t)
	newer := env.Inbox.Next(t, "alice@example.com").Link(t, env.Server.URL+"/recover/reset?")
	// A new-password form opened from the older link, left open.
	staleForm := confirmLink(t, first, older)
	// The older link opened again gets a form too, only until the reset.
	form := confirmLink(t, b, newer)
	if done := b.Submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass}); done.Status >= 400 {
		t.Fatalf("new password: %d\n%s", done.Status, done.Body)
	}
	const other = "copper-harbour-violet-31"
	if p := first.Submit(staleForm, map[string]string{"password": other, "password_confirm": other}); p.Status != http.StatusBadRequest {
		t.Errorf("a form opened before the reset still sets a password: %d\n%s", p.Status, p.Body)
	}
	if id, p := env.SignIn(t, env.Browser(t), "alice@example.com", resetPass, nil); !env.WasResumed(id) {
		t.Errorf("the reset password no longer signs in: %d\n%s", p.Status, p.Body)
	}
}

// After a reset an older, unopened link is dead.
func TestResetSpendsUnopenedLinks(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	env.Account(t, "alice@example.com", alicePass)
	requestReset(t, env, "alice@example.com")
	env.Settle(t)
	older := env.Inbox.Next(t, "alice@example.com").Link(t, env.Server.URL+"/recover/reset?")
	env.Clock.Advance(time.Minute)
	b, _ := requestReset(t, env, "alice@example.com")
	env.Settle(t)
	newer := env.Inbox.Next(t, "alice@example.com").Link(t, env.Server.URL+"/recover/reset?")
	form := confirmLink(t, b, newer)
	if done := b.Submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass}); done.Status >= 400 {
		t.Fatalf("new password: %d\n%s", done.Status, done.Body)
	}
	if p := env.Browser(t).Get(older); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "invalid, has expired") {
		t.Errorf("an older reset link still works after the reset: %d\n%s", p.Status, p.Body)
	}
}
