package selfservice_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"foyer/selfservice"
	"foyer/selfservice/selfservicetest"
	"foyer/storage"
)

// queued waits for the deferred requests and returns the messages queued
// to to of kind, newest first. (Tests that read them this way never call
// Settle, so what was queued stays in the store as queued.)
func queued(t *testing.T, env *selfservicetest.Env, kind, to string) []storage.Notification {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := env.Handler.DeferredIdle(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := env.Store.ListNotifications(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []storage.Notification
	for _, n := range list {
		if n.Kind == kind && n.To == to {
			out = append(out, n)
		}
	}
	return out
}

// smsCode is the code of the newest reset code queued to to.
func smsCode(t *testing.T, env *selfservicetest.Env, to string) string {
	t.Helper()
	list := queued(t, env, "password_reset_code", to)
	if len(list) == 0 {
		t.Fatalf("no reset code to %s", to)
	}
	code := sixDigits.FindString(list[0].Text)
	if code == "" || list[0].Channel != "sms" {
		t.Fatalf("no code in %+v", list[0])
	}
	return code
}

// resetLink is the link of the newest reset mail queued to to.
func resetLink(t *testing.T, env *selfservicetest.Env, to string) string {
	t.Helper()
	list := queued(t, env, "password_reset", to)
	if len(list) == 0 {
		t.Fatalf("no reset mail to %s", to)
	}
	for _, line := range strings.Split(list[0].Text, "\n") {
		if strings.HasPrefix(line, env.Server.URL+selfservice.ResetPath+"?") {
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("no reset link in:\n%s", list[0].Text)
	return ""
}

// expectEvents checks the account's activity log holds events of kinds,
// each with an IP and a user agent.
func expectEvents(t *testing.T, env *selfservicetest.Env, accountID string, kinds ...string) {
	t.Helper()
	queued(t, env, "", "") // the deferred requests write some
	events, err := env.Store.ListEvents(context.Background(), accountID, 50)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Kind] = true
		if !strings.HasPrefix(e.Kind, "login.") && (e.IP == "" || e.Data["user_agent"] == "") {
			t.Errorf("event %s without IP or user agent", e.Kind)
		}
	}
	for _, k := range kinds {
		if !seen[k] {
			t.Errorf("no %s event in %v", k, seen)
		}
	}
}

// deadLink checks that a used or expired link, opened or confirmed, gets
// a 400 page saying want and no confirmation form.
func deadLink(t *testing.T, b *selfservicetest.Browser, link, want string) {
	t.Helper()
	opened := b.Get(link)
	if opened.Status != http.StatusBadRequest || !strings.Contains(opened.Body, want) || opened.Has("token") {
		t.Errorf("GET %s: %d, want 400 with %q and no confirmation form\n%s", link, opened.Status, want, opened.Body)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	confirmed := b.Post(u, u.Path, u.Query())
	if confirmed.Status != http.StatusBadRequest || !strings.Contains(confirmed.Body, want) {
		t.Errorf("confirming %s: %d, want 400 with %q\n%s", link, confirmed.Status, want, confirmed.Body)
	}
}

// phoneSwitch posts "send a code to my phone instead" from the page a
// reset request answered.
func phoneSwitch(t *testing.T, b *selfservicetest.Browser, sent *selfservicetest.Page) *selfservicetest.Page {
	t.Helper()
	_, values := selfservicetest.Form(t, sent.Body)
	values.Del("code")
	return b.Post(sent.URL, selfservice.RecoverPhonePath, values)
}

var (
	reminderLink        = regexp.MustCompile(`href="(/recover/username\?[^"]+)"`)
	reminderLinkByPhone = regexp.MustCompile(`href="(/recover/username\?[^"]*by=phone[^"]*)"`)
)

// reminder opens the username reminder from a new browser's recovery
// page, switches to the phone form if asked, and submits contact.
func reminder(t *testing.T, env *selfservicetest.Env, byPhone bool, contact string) *selfservicetest.Page {
	t.Helper()
	b := env.Browser(t)
	p := b.Get(env.RecoverURL(env.Interaction(t, b, "", nil)))
	m := reminderLink.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no username reminder link:\n%s", p.Body)
	}
	p = b.Get(env.Server.URL + html.UnescapeString(m[1]))
	field := "email"
	if byPhone {
		if m = reminderLinkByPhone.FindStringSubmatch(p.Body); m == nil {
			t.Fatalf("no switch to the phone number:\n%s", p.Body)
		}
		p, field = b.Get(env.Server.URL+html.UnescapeString(m[1])), "phone"
	}
	if !p.Has(field) {
		t.Fatalf("reminder page without %s field:\n%s", field, p.Body)
	}
	return b.Submit(p, map[string]string{field: contact})
}

// A phone-only account gets a code, and the same page; five wrong codes
// spend it; a right one opens the new-password form and signs in.
func TestPasswordResetByPhoneCode(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	guessed := env.AccountWith(t, &storage.Account{Username: "guessed", Phone: "+41790000001", PhoneConfirmed: true}, alicePass)
	b, sent := requestReset(t, env, "guessed")
	code := smsCode(t, env, guessed.Phone)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := range 5 {
		if got := b.Submit(sent, map[string]string{"code": wrong}); got.Status != http.StatusBadRequest || !strings.Contains(got.Body, "wrong or has expired") {
			t.Fatalf("wrong code %d: %d\n%s", i, got.Status, got.Body)
		}
	}
	if got := b.Submit(sent, map[string]string{"code": code}); got.Status != http.StatusBadRequest {
		t.Fatalf("the right code after five wrong ones: %d\n%s", got.Status, got.Body)
	}
	expectEvents(t, env, guessed.ID, "password_reset.requested", "password_reset.failed")

	owner := env.AccountWith(t, &storage.Account{Username: "phoneowner", Phone: "+41790000002", PhoneConfirmed: true}, alicePass)
	b = env.Browser(t)
	id := env.Interaction(t, b, "", nil)
	sent = b.Submit(b.Get(env.RecoverURL(id)), map[string]string{"identifier": "phoneowner"})
	_, unknown := requestReset(t, env, "nobody")
	sameAnswer(t, "phone-only reset request", sent, unknown)
	form := b.Submit(sent, map[string]string{"code": smsCode(t, env, owner.Phone)})
	if form.Status != http.StatusOK || !form.Has("password_confirm") {
		t.Fatalf("right code: %d\n%s", form.Status, form.Body)
	}
	if done := b.Submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass}); done.URL.Path != selfservicetest.ResumePath {
		t.Fatalf("new password: %d at %s\n%s", done.Status, done.URL, done.Body)
	}
	if r := env.Resumed(t, id); r.AccountID != owner.ID || r.ACR != "1" || len(r.AMR) != 1 || r.AMR[0] != "sms" {
		t.Errorf("after a reset by SMS code: %+v, want owner with acr 1, amr [sms]", r)
	}
	if n := len(queued(t, env, "password_changed", owner.Phone)); n != 1 {
		t.Errorf("%d password-changed SMS, want 1", n)
	}
}

// Tries are limited per account too: after two codes' worth of wrong
// ones within the hour, a new code does not give a guesser five more, and
// even the right code is refused (and spent).
func TestResetCodeTriesLimitedPerAccount(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, func(p *storage.SelfServicePolicy) { p.ReRequestInterval = time.Second })
	acct := env.AccountWith(t, &storage.Account{Username: "persistent", Phone: "+41790000009", PhoneConfirmed: true}, alicePass)
	request := func(round int) (*selfservicetest.Browser, *selfservicetest.Page, string) {
		t.Helper()
		b, sent := requestReset(t, env, "persistent")
		if n := len(queued(t, env, "password_reset_code", acct.Phone)); n != round+1 {
			t.Fatalf("round %d: %d codes sent, want %d", round, n, round+1)
		}
		return b, sent, smsCode(t, env, acct.Phone)
	}
	for round := range 2 {
		b, sent, code := request(round)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for i := range maxCodeTries {
			if got := b.Submit(sent, map[string]string{"code": wrong}); got.Status != http.StatusBadRequest {
				t.Fatalf("round %d, wrong code %d: %d\n%s", round, i, got.Status, got.Body)
			}
		}
		env.Clock.Advance(2 * time.Second) // past the re-request interval
	}
	b, sent, code := request(2)
	if got := b.Submit(sent, map[string]string{"code": code}); got.Status != http.StatusBadRequest || !strings.Contains(got.Body, "wrong or has expired") {
		t.Fatalf("the right code after ten wrong ones across codes: %d\n%s", got.Status, got.Body)
	}
	used, err := env.Store.LatestOneTimeSecret(context.Background(), acct.ID, "password_reset_code")
	if err != nil || used.UsedAt == nil {
		t.Errorf("the refused code was not spent: %+v, %v", used, err)
	}
}

// maxCodeTries mirrors selfservice's limit of tries per code.
const maxCodeTries = 5

// With both contacts the link is the default; "send a code to my phone
// instead" sends a code. A second request inside the interval sends
// nothing and answers the same.
func TestPasswordResetBothContactsAndThrottle(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	both := env.AccountWith(t, &storage.Account{Email: "both@example.com", EmailConfirmed: true, Phone: "+41790000003", PhoneConfirmed: true}, alicePass)
	b, sent := requestReset(t, env, "both@example.com")
	if len(queued(t, env, "password_reset", both.Email)) != 1 || len(queued(t, env, "password_reset_code", both.Phone)) != 0 {
		t.Fatal("with both contacts the link is not the default")
	}
	if !strings.Contains(sent.Body, "Send a code to my phone instead") {
		t.Fatalf("no phone switch:\n%s", sent.Body)
	}
	// A used link whose sign-in request still waits offers a new one.
	link := resetLink(t, env, both.Email)
	confirmLink(t, b, link)
	deadLink(t, b, link, "Send a new link")
	viaPhone := phoneSwitch(t, b, sent)
	if viaPhone.Status != http.StatusOK || len(queued(t, env, "password_reset_code", both.Phone)) != 1 {
		t.Fatalf("phone switch: %d\n%s", viaPhone.Status, viaPhone.Body)
	}
	b3, unknown := requestReset(t, env, "x@example.com")
	sameAnswer(t, "phone switch", viaPhone, phoneSwitch(t, b3, unknown))

	// Inside the 20-second interval: nothing more is sent, same answer.
	b2, again := requestReset(t, env, "both@example.com")
	sameAnswer(t, "throttled request", sent, again)
	if n := len(queued(t, env, "password_reset", both.Email)); n != 1 {
		t.Errorf("%d reset mails inside the re-request interval, want 1", n)
	}
	phoneSwitch(t, b2, again)
	if n := len(queued(t, env, "password_reset_code", both.Phone)); n != 1 {
		t.Errorf("%d reset codes inside the re-request interval, want 1", n)
	}
}

// Unconfirmed contacts receive nothing unless the policy allows them.
func TestPasswordResetUnconfirmedContacts(t *testing.T) {
	t.Parallel()
	for _, allow := range []bool{false, true} {
		env := registerEnv(t, func(p *storage.SelfServicePolicy) { p.AllowUnconfirmedContacts = allow })
		a := env.AccountWith(t, &storage.Account{Email: "unconfirmed@example.com", Username: "unconfirmed", Phone: "+41790000004"}, alicePass)
		requestReset(t, env, "unconfirmed@example.com")
		want := 0
		if allow {
			want = 1
		}
		if n := len(queued(t, env, "password_reset", a.Email)); n != want {
			t.Errorf("allow=%v: %d reset mails, want %d", allow, n, want)
		}
		reminder(t, env, false, a.Email)
		if n := len(queued(t, env, "username_reminder", a.Email)); n != want {
			t.Errorf("allow=%v: %d reminders, want %d", allow, n, want)
		}
	}
}

// The username goes by e-mail or SMS; unknown contacts get the same page.
func TestUsernameReminder(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	a := env.AccountWith(t, &storage.Account{Username: "forgetful", Email: "forgetful@example.com", EmailConfirmed: true,
		Phone: "+41790000005", PhoneConfirmed: true}, alicePass)
	byMail := reminder(t, env, false, a.Email)
	sameAnswer(t, "reminder by e-mail", byMail, reminder(t, env, false, "nobody@example.com"))
	mails := queued(t, env, "username_reminder", a.Email)
	if byMail.Status != http.StatusOK || len(mails) != 1 || !strings.Contains(mails[0].Text, "forgetful") {
		t.Fatalf("reminder by e-mail: %d, %+v\n%s", byMail.Status, mails, byMail.Body)
	}
	bySMS := reminder(t, env, true, a.Phone)
	sameAnswer(t, "reminder by SMS", bySMS, reminder(t, env, true, "+41799999999"))
	sms := queued(t, env, "username_reminder", a.Phone)
	if len(sms) != 1 || sms[0].Channel != "sms" || !strings.Contains(sms[0].Text, "forgetful") {
		t.Fatalf("reminder by SMS: %+v", sms)
	}
	// Throttled per channel: a second e-mail inside the interval is held.
	sameAnswer(t, "throttled reminder", byMail, reminder(t, env, false, a.Email))
	if n := len(queued(t, env, "username_reminder", a.Email)); n != 1 {
		t.Errorf("%d reminders inside the interval, want 1", n)
	}
	expectEvents(t, env, a.ID, "username_reminder.requested")

	// An empty form names the one field it shows.
	for _, c := range []struct {
		byPhone bool
		want    string
	}{{false, "Enter your email address."}, {true, "Enter your phone number."}} {
		got := reminder(t, env, c.byPhone, "")
		if got.Status != http.StatusBadRequest || !strings.Contains(got.Body, c.want) {
			t.Errorf("empty reminder form (by phone %v): %d\n%s", c.byPhone, got.Status, got.Body)
		}
	}
}

// TestResetTakesOverASquattedAddress: someone registers the owner's address
// first (the account waits for activation, with the squatter's password);
// the owner resets the password by the link sent to that address, which
// activates the account and leaves the squatter's password useless.
func TestResetTakesOverASquattedAddress(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	const squatterPass = "squatter-knows-this-one-42"
	_, b, p := registerPage(t, env)
	b.Submit(p, regFields("owner@example.com", squatterPass))
	queued(t, env, "", "")
	acct, err := env.Store.FindAccountByIdentifier(context.Background(), selfservicetest.StoreID, storage.IdentifierEmail, "owner@example.com")
	if err != nil || acct.Status != storage.AccountPending {
		t.Fatalf("squatted account: %+v, %v", acct, err)
	}

	b = env.Browser(t)
	id := env.Interaction(t, b, "", nil)
	b.Submit(b.Get(env.RecoverURL(id)), map[string]string{"identifier": "owner@example.com"})
	form := confirmLink(t, b, resetLink(t, env, "owner@example.com"))
	b.Submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
	if r := env.Resumed(t, id); r.AccountID != acct.ID {
		t.Fatalf("handed back %+v, want the squatted account %s", r, acct.ID)
	}
	after, err := env.Store.GetAccount(context.Background(), acct.ID)
	if err != nil || after.Status != storage.AccountEnabled || !after.EmailConfirmed {
		t.Fatalf("after the owner's reset: %+v, %v; want enabled with a confirmed address", after, err)
	}
	if id, got := env.SignIn(t, env.Browser(t), "owner@example.com", squatterPass, nil); got.Status != http.StatusBadRequest || env.WasResumed(id) {
		t.Fatalf("the squatter's password after the owner's reset: %d", got.Status)
	}
}
