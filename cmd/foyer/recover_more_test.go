package main

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// A phone-only account gets a code, and the same page; five wrong codes
// spend it; a right one opens the new-password form and signs in.
func TestPasswordResetByPhoneCode(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), nil, authz.ClientSpec{})
	guessed := s.phoneAccount(t, storage.Account{Username: "guessed", Phone: "+41790000001", PhoneConfirmed: true})
	b, p, _ := s.recoverPage(t, "state-guess")
	sent := b.submit(p, map[string]string{"identifier": "guessed"})
	code := s.smsCode(t, guessed.Phone)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := range 5 {
		if got := b.submit(sent, map[string]string{"code": wrong}); got.status != http.StatusBadRequest || !strings.Contains(got.body, "wrong or has expired") {
			t.Fatalf("wrong code %d: %d\n%s", i, got.status, got.body)
		}
	}
	if got := b.submit(sent, map[string]string{"code": code}); got.status != http.StatusBadRequest {
		t.Fatalf("the right code after five wrong ones: %d\n%s", got.status, got.body)
	}
	expectEvents(t, s, guessed.ID, "password_reset.requested", "password_reset.failed")

	owner := s.phoneAccount(t, storage.Account{Username: "phoneowner", Phone: "+41790000002", PhoneConfirmed: true})
	b, p, verifier := s.recoverPage(t, "state-phone")
	sent = b.submit(p, map[string]string{"identifier": "phoneowner"})
	b2, p2, _ := s.recoverPage(t, "state-phone-unknown")
	sameAnswer(t, "phone-only reset request", sent, b2.submit(p2, map[string]string{"identifier": "nobody"}))
	form := b.submit(sent, map[string]string{"code": s.smsCode(t, owner.Phone)})
	if form.status != http.StatusOK || !strings.Contains(form.body, `name="password_confirm"`) {
		t.Fatalf("right code: %d\n%s", form.status, form.body)
	}
	id := s.exchange(t, b.submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass}), verifier, "state-phone")
	if id.Subject != owner.ID {
		t.Errorf("subject %s, want %s", id.Subject, owner.ID)
	}
	expectAMR(t, "after a reset by SMS code", id, "1", "sms")
	if n := len(s.mails(t, "password_changed", owner.Phone)); n != 1 {
		t.Errorf("%d password-changed SMS, want 1", n)
	}
}

// Tries are limited per account too: after two codes' worth of wrong
// ones within the hour, a new code does not give a guesser five more, and
// even the right code is refused (and spent).
func TestResetCodeTriesLimitedPerAccount(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), func(p *storage.SelfServicePolicy) { p.ReRequestInterval = time.Second }, authz.ClientSpec{})
	acct := s.phoneAccount(t, storage.Account{Username: "persistent", Phone: "+41790000009", PhoneConfirmed: true})
	request := func(round int) (*browser, *page, string) {
		t.Helper()
		b, p, _ := s.recoverPage(t, fmt.Sprintf("state-round-%d", round))
		sent := b.submit(p, map[string]string{"identifier": "persistent"})
		if n := len(s.mails(t, "password_reset_code", acct.Phone)); n != round+1 {
			t.Fatalf("round %d: %d codes sent, want %d", round, n, round+1)
		}
		return b, sent, s.smsCode(t, acct.Phone)
	}
	for round := range 2 {
		b, sent, code := request(round)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for i := range maxCodeTries {
			if got := b.submit(sent, map[string]string{"code": wrong}); got.status != http.StatusBadRequest {
				t.Fatalf("round %d, wrong code %d: %d\n%s", round, i, got.status, got.body)
			}
		}
		time.Sleep(1100 * time.Millisecond) // the re-request interval
	}
	b, sent, code := request(2)
	if got := b.submit(sent, map[string]string{"code": code}); got.status != http.StatusBadRequest || !strings.Contains(got.body, "wrong or has expired") {
		t.Fatalf("the right code after ten wrong ones across codes: %d\n%s", got.status, got.body)
	}
	used, err := s.srv.store.LatestOneTimeSecret(context.Background(), acct.ID, "password_reset_code")
	if err != nil || used.UsedAt == nil {
		t.Errorf("the refused code was not spent: %+v, %v", used, err)
	}
}

// maxCodeTries mirrors selfservice.maxCodeAttempts.
const maxCodeTries = 5

// With both contacts the link is the default; "send a code to my phone
// instead" sends a code. A second request inside the interval sends
// nothing and answers the same.
func TestPasswordResetBothContactsAndThrottle(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), nil, authz.ClientSpec{})
	both := s.phoneAccount(t, storage.Account{Email: "both@example.com", EmailConfirmed: true, Phone: "+41790000003", PhoneConfirmed: true})
	b, p, _ := s.recoverPage(t, "state-both")
	sent := b.submit(p, map[string]string{"identifier": "both@example.com"})
	if len(s.mails(t, "password_reset", both.Email)) != 1 || len(s.mails(t, "password_reset_code", both.Phone)) != 0 {
		t.Fatal("with both contacts the link is not the default")
	}
	if !strings.Contains(sent.body, "Send a code to my phone instead") {
		t.Fatalf("no phone switch:\n%s", sent.body)
	}
	// A used link whose sign-in request still waits offers a new one.
	link := s.resetLink(t, both.Email)
	confirmLink(t, b, link)
	deadLink(t, b, link, "Send a new link")
	viaPhone := postTo(b, sent, "/recover/phone", nil)
	if viaPhone.status != http.StatusOK || len(s.mails(t, "password_reset_code", both.Phone)) != 1 {
		t.Fatalf("phone switch: %d\n%s", viaPhone.status, viaPhone.body)
	}
	b3, p3, _ := s.recoverPage(t, "state-both-unknown")
	sameAnswer(t, "phone switch", viaPhone, postTo(b3, b3.submit(p3, map[string]string{"identifier": "x@example.com"}), "/recover/phone", nil))

	// Inside the 20-second interval: nothing more is sent, same answer.
	b2, p2, _ := s.recoverPage(t, "state-again")
	again := b2.submit(p2, map[string]string{"identifier": "both@example.com"})
	sameAnswer(t, "throttled request", sent, again)
	if n := len(s.mails(t, "password_reset", both.Email)); n != 1 {
		t.Errorf("%d reset mails inside the re-request interval, want 1", n)
	}
	postTo(b2, again, "/recover/phone", nil)
	if n := len(s.mails(t, "password_reset_code", both.Phone)); n != 1 {
		t.Errorf("%d reset codes inside the re-request interval, want 1", n)
	}
}

// Unconfirmed contacts receive nothing unless the policy allows them.
func TestPasswordResetUnconfirmedContacts(t *testing.T) {
	t.Parallel()
	for _, allow := range []bool{false, true} {
		s := newRegSetup(t, sqltest.SQLite(t), func(p *storage.SelfServicePolicy) { p.AllowUnconfirmedContacts = allow }, authz.ClientSpec{})
		a := s.phoneAccount(t, storage.Account{Email: "unconfirmed@example.com", Username: "unconfirmed", Phone: "+41790000004"})
		b, p, _ := s.recoverPage(t, "state-unconfirmed")
		b.submit(p, map[string]string{"identifier": "unconfirmed@example.com"})
		want := 0
		if allow {
			want = 1
		}
		if n := len(s.mails(t, "password_reset", a.Email)); n != want {
			t.Errorf("allow=%v: %d reset mails, want %d", allow, n, want)
		}
		reminderRequest(t, s, "state-unconfirmed-reminder", false, a.Email)
		if n := len(s.mails(t, "username_reminder", a.Email)); n != want {
			t.Errorf("allow=%v: %d reminders, want %d", allow, n, want)
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

// The username goes by e-mail or SMS; unknown contacts get the same page.
func TestUsernameReminder(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), nil, authz.ClientSpec{})
	a := s.phoneAccount(t, storage.Account{Username: "forgetful", Email: "forgetful@example.com", EmailConfirmed: true,
		Phone: "+41790000005", PhoneConfirmed: true})
	byMail := reminderRequest(t, s, "state-rem-1", false, a.Email)
	sameAnswer(t, "reminder by e-mail", byMail, reminderRequest(t, s, "state-rem-2", false, "nobody@example.com"))
	mails := s.mails(t, "username_reminder", a.Email)
	if byMail.status != http.StatusOK || len(mails) != 1 || !strings.Contains(mails[0].Text, "forgetful") {
		t.Fatalf("reminder by e-mail: %d, %+v\n%s", byMail.status, mails, byMail.body)
	}
	bySMS := reminderRequest(t, s, "state-rem-3", true, a.Phone)
	sameAnswer(t, "reminder by SMS", bySMS, reminderRequest(t, s, "state-rem-4", true, "+41799999999"))
	sms := s.mails(t, "username_reminder", a.Phone)
	if len(sms) != 1 || sms[0].Channel != "sms" || !strings.Contains(sms[0].Text, "forgetful") {
		t.Fatalf("reminder by SMS: %+v", sms)
	}
	// Throttled per channel: a second e-mail inside the interval is held.
	sameAnswer(t, "throttled reminder", byMail, reminderRequest(t, s, "state-rem-5", false, a.Email))
	if n := len(s.mails(t, "username_reminder", a.Email)); n != 1 {
		t.Errorf("%d reminders inside the interval, want 1", n)
	}
	expectEvents(t, s, a.ID, "username_reminder.requested")
	if _, err := s.srv.store.GetAccount(context.Background(), a.ID); err != nil {
		t.Fatal(err)
	}

	// An empty form names the one field it shows.
	for _, c := range []struct {
		byPhone bool
		want    string
	}{{false, "Enter your email address."}, {true, "Enter your phone number."}} {
		got := reminderRequest(t, s, "state-rem-empty", c.byPhone, "")
		if got.status != http.StatusBadRequest || !strings.Contains(got.body, c.want) {
			t.Errorf("empty reminder form (by phone %v): %d\n%s", c.byPhone, got.status, got.body)
		}
	}
}

// TestResetTakesOverASquattedAddress: someone registers the owner's address
// first (the account waits for activation, with the squatter's password);
// the owner resets the password by the link sent to that address, which
// activates the account and leaves the squatter's password useless.
func TestResetTakesOverASquattedAddress(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), nil, authz.ClientSpec{})
	const squatterPass = "squatter-knows-this-one-42"
	b, p, _ := s.registerPage(t, "state-squat")
	b.submit(p, regFields("owner@example.com", squatterPass))
	s.srv.drain(t)
	acct, err := s.srv.store.FindAccountByIdentifier(context.Background(), defaultStoreID, storage.IdentifierEmail, "owner@example.com")
	if err != nil || acct.Status != storage.AccountPending {
		t.Fatalf("squatted account: %+v, %v", acct, err)
	}

	b, p, verifier := s.recoverPage(t, "state-owner")
	b.submit(p, map[string]string{"identifier": "owner@example.com"})
	form := confirmLink(t, b, s.resetLink(t, "owner@example.com"))
	done := b.submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
	if id := s.exchange(t, done, verifier, "state-owner"); id.Subject != acct.ID {
		t.Fatalf("subject %s, want %s", id.Subject, acct.ID)
	}
	after, err := s.srv.store.GetAccount(context.Background(), acct.ID)
	if err != nil || after.Status != storage.AccountEnabled || !after.EmailConfirmed {
		t.Fatalf("after the owner's reset: %+v, %v; want enabled with a confirmed address", after, err)
	}
	// the squatter's password no longer signs in
	sb := newBrowser(t, s.srv.Listener.Addr().String())
	login := sb.get(s.rp.oauth.AuthCodeURL("state-squatter", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	login = sb.submit(login, map[string]string{"identifier": "owner@example.com"})
	if got := sb.submit(login, map[string]string{"password": squatterPass}); got.status != http.StatusBadRequest {
		t.Fatalf("the squatter's password after the owner's reset: %d", got.status)
	}
}
