package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice/password"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// The self-service flows over the real providers: every message is taken
// off an in-process SMTP server or webhook receiver (withInbox), not the
// outbox table, and the link or code in it is what the test uses next.

// mailSetup is a regSetup whose server sends through an inbox.
type mailSetup struct {
	*regSetup
	in      *inbox
	appName string
}

func newMailSetup(t *testing.T, store storage.Store) *mailSetup {
	t.Helper()
	in, configure := withInbox(t)
	srv := startServerWith(t, store, configure)
	id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback}, FirstParty: true,
		GrantTypes: []string{"authorization_code"}})
	s := &regSetup{srv: srv, rp: newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID, "email")}
	app, err := store.GetApplication(context.Background(), defaultApplicationID)
	if err != nil {
		t.Fatal(err)
	}
	return &mailSetup{regSetup: s, in: in, appName: app.Name}
}

// mail waits for the next e-mail to to and checks its parts.
func (s *mailSetup) mail(t *testing.T, to, wantSubject string) delivered {
	t.Helper()
	m := s.in.Next(t, to)
	m.Branded(t, s.appName)
	if !strings.Contains(m.Subject, wantSubject) {
		t.Errorf("subject %q, want it to contain %q", m.Subject, wantSubject)
	}
	return m
}

// sms waits for the next text message to the phone number.
func (s *mailSetup) sms(t *testing.T, to string) delivered {
	t.Helper()
	m := s.in.Next(t, to)
	if m.Channel != "sms" || !strings.Contains(m.Text, s.appName) {
		t.Fatalf("want an SMS naming %q, got %+v", s.appName, m)
	}
	return m
}

// openLink opens a link from a message in the browser. A page that only
// asks to confirm (a form posting the link's token back, so that mail
// scanners fetching the link spend nothing) is confirmed.
func openLink(t *testing.T, b *browser, link string) *page {
	t.Helper()
	p := b.get(link)
	if p.status == http.StatusOK && strings.Contains(p.body, `name="token"`) && !strings.Contains(p.body, `name="password"`) {
		p = b.submit(p, nil)
	}
	return p
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// Registration: the activation e-mail's link signs the newcomer in; a taken
// address gets the signup-attempt e-mail and no activation.
func TestDeliveredRegistrationMails(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		s := newMailSetup(t, newStore(t))
		owner := s.srv.account(t, "owner@example.com", alicePass)

		b, p, verifier := s.registerPage(t, "state-newcomer")
		b.submit(p, regFields("newcomer@example.com", newcomerPass))
		activation := s.mail(t, "newcomer@example.com", "Activate")
		link := activation.Link(t, s.srv.issuer+"/register/activate?token=")
		if !strings.Contains(activation.HTML, strings.ReplaceAll(link, "&", "&amp;")) {
			t.Errorf("the HTML part lacks the activation link %s:\n%s", link, activation.HTML)
		}
		acct, err := s.srv.store.FindAccountByIdentifier(context.Background(), defaultStoreID, storage.IdentifierEmail, "newcomer@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if id := s.exchange(t, openLink(t, b, link), verifier, "state-newcomer"); id.Subject != acct.ID {
			t.Errorf("subject %s, want %s", id.Subject, acct.ID)
		}

		b2, p2, _ := s.registerPage(t, "state-taken")
		b2.submit(p2, regFields("Owner@example.com", newcomerPass))
		attempt := s.mail(t, owner.Email, "")
		if strings.Contains(attempt.Text, "/register/activate") {
			t.Errorf("the owner's signup-attempt mail carries an activation link:\n%s", attempt.Text)
		}
		// the test client has no brand portal: the mail links to the
		// account portal of the owner's store (the default: no ?store=)
		if link := s.srv.issuer + "/account"; !strings.Contains(attempt.Text, link+"\n") && !strings.Contains(attempt.Text, link+"\r\n") {
			t.Errorf("the owner's signup-attempt mail does not link to the account portal:\n%s", attempt.Text)
		}
		s.srv.drain(t)
		s.in.None(t, owner.Email)
	})
}

// "Send a new activation link" on the not-activated page delivers a link
// that activates and resumes the request.
func TestDeliveredResendActivation(t *testing.T) {
	t.Parallel()
	s := newMailSetup(t, sqltest.SQLite(t))
	ctx := context.Background()
	late := &storage.Account{StoreID: defaultStoreID, Status: storage.AccountPending, Email: "late@example.com"}
	if err := s.srv.store.CreateAccount(ctx, late); err != nil {
		t.Fatal(err)
	}
	hash, err := password.NewHasher(password.OWASP).Hash(ctx, newcomerPass)
	if err != nil || s.srv.store.SetPassword(ctx, late.ID, hash) != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s.srv.Listener.Addr().String())
	verifier := oauth2.GenerateVerifier()
	p := b.get(s.rp.oauth.AuthCodeURL("state-resend", oauth2.S256ChallengeOption(verifier)))
	p = b.submit(p, map[string]string{"identifier": late.Email})
	p = b.submit(p, map[string]string{"password": newcomerPass})
	form := regexp.MustCompile(`(?s)<form method="post" action="/register/resend">.*?</form>`).FindString(p.body)
	if p.status != http.StatusForbidden || form == "" {
		t.Fatalf("pending page without the resend button: %d\n%s", p.status, p.body)
	}
	if sent := b.submit(&page{status: p.status, body: form, url: p.url}, nil); sent.status != http.StatusOK {
		t.Fatalf("resend: %d\n%s", sent.status, sent.body)
	}
	link := s.mail(t, late.Email, "Activate").Link(t, s.srv.issuer+"/register/activate?token=")
	if id := s.exchange(t, openLink(t, b, link), verifier, "state-resend"); id.Subject != late.ID {
		t.Errorf("subject %s, want %s", id.Subject, late.ID)
	}
}

// Reset by e-mail link, then the password-changed notice by e-mail.
func TestDeliveredPasswordResetByLink(t *testing.T) {
	t.Parallel()
	s := newMailSetup(t, sqltest.SQLite(t))
	alice := s.srv.account(t, "alice@example.com", alicePass)
	b, p, verifier := s.recoverPage(t, "state-reset")
	b.submit(p, map[string]string{"identifier": alice.Email})
	link := s.mail(t, alice.Email, "").Link(t, s.srv.issuer+"/recover/reset?")
	form := openLink(t, b, link)
	if form.status != http.StatusOK || !strings.Contains(form.body, `name="password_confirm"`) {
		t.Fatalf("reset link: %d\n%s", form.status, form.body)
	}
	done := b.submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
	if id := s.exchange(t, done, verifier, "state-reset"); id.Subject != alice.ID {
		t.Errorf("subject %s, want %s", id.Subject, alice.ID)
	}
	notice := s.mail(t, alice.Email, "")
	if strings.Contains(notice.Text, "/recover/reset?") {
		t.Errorf("the password-changed notice carries a reset token:\n%s", notice.Text)
	}
}

// Reset by a code sent over the SMS webhook, then the notice by SMS.
func TestDeliveredPasswordResetBySMS(t *testing.T) {
	t.Parallel()
	s := newMailSetup(t, sqltest.SQLite(t))
	owner := s.phoneAccount(t, storage.Account{Username: "phoneowner", Phone: "+41790000002", PhoneConfirmed: true})
	b, p, verifier := s.recoverPage(t, "state-phone")
	sent := b.submit(p, map[string]string{"identifier": "phoneowner"})
	m := sixDigits.FindStringSubmatch(s.sms(t, owner.Phone).Text)
	if m == nil {
		t.Fatal("no six-digit code in the SMS")
	}
	form := b.submit(sent, map[string]string{"code": m[1]})
	if form.status != http.StatusOK || !strings.Contains(form.body, `name="password_confirm"`) {
		t.Fatalf("right code: %d\n%s", form.status, form.body)
	}
	done := b.submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
	if id := s.exchange(t, done, verifier, "state-phone"); id.Subject != owner.ID {
		t.Errorf("subject %s, want %s", id.Subject, owner.ID)
	}
	if notice := s.sms(t, owner.Phone); sixDigits.MatchString(notice.Text) {
		t.Errorf("the password-changed SMS looks like a code: %q", notice.Text)
	}
}

// The username reminder by e-mail and by SMS.
func TestDeliveredUsernameReminder(t *testing.T) {
	t.Parallel()
	s := newMailSetup(t, sqltest.SQLite(t))
	a := s.phoneAccount(t, storage.Account{Username: "forgetful", Email: "forgetful@example.com", EmailConfirmed: true,
		Phone: "+41790000005", PhoneConfirmed: true})
	reminderRequest(t, s.regSetup, "state-rem-mail", false, a.Email)
	if m := s.mail(t, a.Email, ""); !strings.Contains(m.Text, "forgetful") || !strings.Contains(m.HTML, "forgetful") {
		t.Errorf("reminder e-mail without the username:\n%s\n%s", m.Text, m.HTML)
	}
	reminderRequest(t, s.regSetup, "state-rem-sms", true, a.Phone)
	if m := s.sms(t, a.Phone); !strings.Contains(m.Text, "forgetful") {
		t.Errorf("reminder SMS without the username: %q", m.Text)
	}
}
