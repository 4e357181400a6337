package manage_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/storagetest"
)

// refusedForOthers checks an action is refused to the auditor (forbidden),
// to a support administrator of store s2 only (forbidden), and for an
// account of another store (not found), writing nothing.
func refusedForOthers(t *testing.T, e *authEnv, do func(a manage.Actor, storeID, accountID string) error) {
	t.Helper()
	before := len(e.audits(t))
	authErr(t, do(auditorAll, "s1", e.alice.ID), manage.ErrForbidden)
	authErr(t, do(supportS2, "s1", e.alice.ID), manage.ErrForbidden)
	authErr(t, do(supportS2, "s2", e.alice.ID), manage.ErrNotFound)
	authErr(t, do(supportAll, storage.AdministratorsStoreID, e.alice.ID), manage.ErrNotFound)
	if n := len(e.audits(t)); n != before {
		t.Errorf("refused actions wrote %d audit entries", n-before)
	}
}

func TestListAuthenticators(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		if err := e.s.SetPassword(ctx, e.alice.ID, "$argon2id$x"); err != nil {
			t.Fatal(err)
		}
		pk := &storage.Authenticator{AccountID: e.alice.ID, Kind: storage.AuthenticatorPasskey, Name: "YubiKey", CredentialID: []byte{1}, Secret: []byte("s")}
		if err := e.s.CreateAuthenticator(ctx, pk); err != nil {
			t.Fatal(err)
		}
		if err := e.s.CreateOneTimeSecret(ctx, &storage.OneTimeSecret{Purpose: "recovery_code", Hash: []byte("h1"), AccountID: e.alice.ID,
			ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		v, err := e.auth.List(ctx, auditorAll, "s1", e.alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Password.Set || v.Password.ChangedAt == nil || !v.Email.Confirmed || v.Email.Address != "alice@example.com" ||
			len(v.Methods) != 1 || v.Methods[0].Name != "YubiKey" || v.RecoveryCodesLeft != 1 || v.Lockout.Locked {
			t.Errorf("view = %+v", v)
		}
		_, err = e.auth.List(ctx, supportS2, "s1", e.alice.ID)
		authErr(t, err, manage.ErrForbidden)
		_, err = e.auth.List(ctx, supportAll, "s2", e.alice.ID)
		authErr(t, err, manage.ErrNotFound)
	})
}

// Removing a passkey, recovery codes and (with a warning) the password.
func TestRemoveAuthenticators(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		pk := &storage.Authenticator{AccountID: e.alice.ID, Kind: storage.AuthenticatorPasskey, Name: "Lost phone", CredentialID: []byte{2}, Secret: []byte("s")}
		if err := e.s.CreateAuthenticator(ctx, pk); err != nil {
			t.Fatal(err)
		}
		refusedForOthers(t, e, func(a manage.Actor, st, id string) error {
			return e.auth.RemoveAuthenticator(ctx, a, st, id, pk.ID, manage.RemoveInput{})
		})
		// A client that does not fit refuses the removal.
		wantField(t, e.auth.RemoveAuthenticator(ctx, supportAll, "s1", e.alice.ID, pk.ID,
			manage.RemoveInput{Notify: &manage.NotifyChoice{ClientID: "b2b-web"}}), "notify.client_id")
		authErr(t, e.auth.RemoveAuthenticator(ctx, supportAll, "s1", e.bob.ID, pk.ID, manage.RemoveInput{}), manage.ErrNotFound)
		if auths, _ := e.s.ListAuthenticators(ctx, e.alice.ID); len(auths) != 1 {
			t.Fatalf("refusals removed the passkey: %v", auths)
		}
		if err := e.auth.RemoveAuthenticator(ctx, supportAll, "s1", e.alice.ID, pk.ID,
			manage.RemoveInput{Notify: &manage.NotifyChoice{ClientID: "shop-web"}}); err != nil {
			t.Fatal(err)
		}
		if auths, _ := e.s.ListAuthenticators(ctx, e.alice.ID); len(auths) != 0 {
			t.Errorf("passkey still there: %v", auths)
		}
		entries := e.audits(t)
		if entries[0].Action != "account.authenticator_removed" || !strings.Contains(entries[0].Before, "Lost phone") ||
			entries[1].Action != "account.notified" {
			t.Errorf("audit = %+v / %+v", entries[0], entries[1])
		}
		m := e.deliver(t).Next(t, "alice@example.com")
		if !strings.Contains(m.Text, "Passkey") || !strings.HasPrefix(m.Subject, "A sign-in method was removed") {
			t.Errorf("notice = %q\n%s", m.Subject, m.Text)
		}

		// Recovery codes: none left is not found; some are removed.
		authErr(t, e.auth.RemoveRecoveryCodes(ctx, supportAll, "s1", e.alice.ID, manage.RemoveInput{}), manage.ErrNotFound)
		if err := e.s.CreateOneTimeSecret(ctx, &storage.OneTimeSecret{Purpose: "recovery_code", Hash: []byte("h2"), AccountID: e.alice.ID,
			ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := e.auth.RemoveRecoveryCodes(ctx, supportAll, "s1", e.alice.ID, manage.RemoveInput{}); err != nil {
			t.Fatal(err)
		}
		if v, _ := e.auth.List(ctx, supportAll, "s1", e.alice.ID); v.RecoveryCodesLeft != 0 {
			t.Errorf("recovery codes left: %d", v.RecoveryCodesLeft)
		}

		// The password of an account with no other way in needs Confirm.
		lone := &storage.Account{StoreID: "s1", Status: storage.AccountEnabled, Username: "lone"}
		if err := e.s.CreateAccount(ctx, lone); err != nil {
			t.Fatal(err)
		}
		if err := e.s.SetPassword(ctx, lone.ID, "$argon2id$x"); err != nil {
			t.Fatal(err)
		}
		authErr(t, e.auth.RemovePassword(ctx, supportAll, "s1", lone.ID, manage.RemovePasswordInput{}), manage.ErrConflict)
		if _, err := e.s.GetPassword(ctx, lone.ID); err != nil {
			t.Fatalf("refused removal removed the password: %v", err)
		}
		if err := e.auth.RemovePassword(ctx, supportAll, "s1", lone.ID, manage.RemovePasswordInput{Confirm: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.GetPassword(ctx, lone.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("password still there: %v", err)
		}
		if a := e.lastAudit(t); a.Action != "account.authenticator_removed" || !strings.Contains(a.Before, `"kind":"password"`) {
			t.Errorf("audit = %+v", a)
		}
	})
}

// Setting a password: the policy applies, the customer is told, every
// session and token ends, the password never reaches the audit log.
func TestSetPassword(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		good := manage.SetPasswordInput{Password: "correct horse battery", Notify: &manage.NotifyChoice{ClientID: "shop-web"}}
		refusedForOthers(t, e, func(a manage.Actor, st, id string) error { return e.auth.SetPassword(ctx, a, st, id, good) })
		for _, bad := range []manage.SetPasswordInput{
			{Password: "short", Notify: good.Notify},
			{Password: "password123", Notify: good.Notify},
			{Password: "", Notify: good.Notify},
		} {
			wantField(t, e.auth.SetPassword(ctx, supportAll, "s1", e.alice.ID, bad), "password")
		}
		wantField(t, e.auth.SetPassword(ctx, supportAll, "s1", e.alice.ID, manage.SetPasswordInput{Password: good.Password}), "notify.client_id")
		wantField(t, e.auth.SetPassword(ctx, supportAll, "s1", e.alice.ID,
			manage.SetPasswordInput{Password: good.Password, Notify: &manage.NotifyChoice{ClientID: "b2b-web"}}), "notify.client_id")
		if _, err := e.s.GetPassword(ctx, e.alice.ID); !errors.Is(err, storage.ErrNotFound) || len(e.audits(t)) != 0 || len(e.ended.list()) != 0 {
			t.Fatalf("refused sets changed something: %v", err)
		}
		storagetest.IssueResetSecrets(t, e.s, e.alice.ID, time.Now())
		if err := e.auth.SetPassword(ctx, supportAll, "s1", e.alice.ID, good); err != nil {
			t.Fatal(err)
		}
		if n := storagetest.UsableResetSecrets(t, e.s, e.alice.ID, time.Now()); n != 0 {
			t.Errorf("%d reset links or codes asked for before the set still usable", n)
		}
		cred, err := e.s.GetPassword(ctx, e.alice.ID)
		if err != nil || !strings.HasPrefix(cred.Hash, "$argon2id$") {
			t.Fatalf("password = %v, %v", cred, err)
		}
		if got := e.ended.list(); len(got) != 1 || got[0] != e.alice.ID {
			t.Errorf("sessions ended for %v", got)
		}
		entries := e.audits(t)
		if entries[0].Action != "account.password_set" || entries[1].Action != "account.notified" {
			t.Errorf("audit: %s, %s", entries[0].Action, entries[1].Action)
		}
		for _, x := range entries {
			if strings.Contains(x.After+x.Before, "horse") || strings.Contains(x.After+x.Before, "argon2") {
				t.Errorf("the audit log holds the password: %+v", x)
			}
		}
		m := e.deliver(t).Next(t, "alice@example.com")
		if m.Subject != "A new password was set for your Acme Shop account" || strings.Contains(m.Text, "horse") {
			t.Errorf("notice = %q\n%s", m.Subject, m.Text)
		}
	})
}

// The reset e-mail carries a link to selfservice's reset page in the
// account's language, with the client's application's branding.
func TestSendPasswordReset(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		refusedForOthers(t, e, func(a manage.Actor, st, id string) error {
			return e.auth.SendPasswordReset(ctx, a, st, id, manage.ResetInput{ClientID: "shop-web"})
		})
		wantField(t, e.auth.SendPasswordReset(ctx, supportAll, "s1", e.alice.ID, manage.ResetInput{ClientID: "b2b-web"}), "client_id")
		wantField(t, e.auth.SendPasswordReset(ctx, supportAll, "s1", e.carol.ID, manage.ResetInput{ClientID: "shop-web"}), "account")
		if len(e.queued(t)) != 0 {
			t.Fatal("a refused reset queued a message")
		}
		if err := e.auth.SendPasswordReset(ctx, supportAll, "s1", e.bob.ID, manage.ResetInput{ClientID: "b2b-web"}); err != nil {
			t.Fatal(err)
		}
		if a := e.lastAudit(t); a.Action != "account.password_reset_sent" || a.TargetID != e.bob.ID || strings.Contains(a.After, "token") {
			t.Errorf("audit = %+v", a)
		}
		m := e.deliver(t).Next(t, "bob@example.com")
		m.Branded(t, "Acme Business")
		link := m.Link(t, "https://id.example/recover/reset?token=")
		if !strings.Contains(m.Subject, "Passwort") {
			t.Errorf("not German: %q", m.Subject)
		}
		sec, err := e.s.LatestOneTimeSecret(ctx, e.bob.ID, "password_reset")
		if err != nil || sec.Data != `{"a":"b2b","m":"email"}` || !regexp.MustCompile(`token=[A-Za-z0-9_-]{43}$`).MatchString(link) {
			t.Errorf("secret = %+v, %v; link %s", sec, err, link)
		}
	})
}

// Adding a phone number: a code goes to it, the customer reads it out;
// wrong, used and exhausted codes and taken numbers change nothing.
func TestAddContact(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		in := manage.ContactInput{Kind: "phone", Address: "+41 79 765 43 21", SecondFactor: true, ClientID: "shop-web"}
		refusedForOthers(t, e, func(a manage.Actor, st, id string) error {
			_, err := e.auth.StartContact(ctx, a, st, id, in)
			return err
		})
		_, err := e.auth.StartContact(ctx, supportAll, "s1", e.alice.ID, manage.ContactInput{Kind: "phone", Address: "+41791234567"})
		authErr(t, err, manage.ErrConflict) // carol's
		_, err = e.auth.StartContact(ctx, supportAll, "s1", e.alice.ID, manage.ContactInput{Kind: "phone", Address: "12"})
		wantField(t, err, "address")
		_, err = e.auth.StartContact(ctx, supportAll, "s1", e.alice.ID, manage.ContactInput{Kind: "fax", Address: "12"})
		wantField(t, err, "kind")
		wantField(t, e.auth.ConfirmContact(ctx, supportAll, "s1", e.alice.ID, manage.ConfirmContactInput{Kind: "phone", Code: "123456"}), "code")

		p, err := e.auth.StartContact(ctx, supportAll, "s1", e.alice.ID, in)
		if err != nil || p.Address != "+41797654321" {
			t.Fatalf("start = %+v, %v", p, err)
		}
		if a := e.lastAudit(t); a.Action != "account.contact_code_sent" {
			t.Errorf("audit = %+v", a)
		}
		sms := e.deliver(t).Next(t, "+41797654321")
		code := regexp.MustCompile(`\d{6}`).FindString(sms.Text)
		if !strings.HasPrefix(sms.Text, "Your Acme Shop code: ") || code == "" {
			t.Fatalf("code SMS = %q", sms.Text)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		wantField(t, e.auth.ConfirmContact(ctx, supportAll, "s1", e.alice.ID, manage.ConfirmContactInput{Kind: "phone", Code: wrong}), "code")
		authErr(t, e.auth.ConfirmContact(ctx, auditorAll, "s1", e.alice.ID, manage.ConfirmContactInput{Kind: "phone", Code: code}), manage.ErrForbidden)
		if got := e.account(t, e.alice.ID); got.Phone != "" {
			t.Fatalf("a wrong code set the phone: %+v", got)
		}
		if err := e.auth.ConfirmContact(ctx, supportAll, "s1", e.alice.ID, manage.ConfirmContactInput{Kind: "phone", Code: code,
			Notify: &manage.NotifyChoice{ClientID: "shop-web"}}); err != nil {
			t.Fatal(err)
		}
		got := e.account(t, e.alice.ID)
		auths, _ := e.s.ListAuthenticators(ctx, e.alice.ID)
		if got.Phone != "+41797654321" || !got.PhoneConfirmed || len(auths) != 1 || auths[0].Kind != storage.AuthenticatorPhone {
			t.Errorf("account = %+v, authenticators %+v", got, auths)
		}
		entries := e.audits(t)
		if entries[0].Action != "account.contact_added" || entries[1].Action != "account.notified" || strings.Contains(entries[0].After, code) {
			t.Errorf("audit: %+v / %+v", entries[0], entries[1])
		}
		// The code is spent.
		wantField(t, e.auth.ConfirmContact(ctx, supportAll, "s1", e.alice.ID, manage.ConfirmContactInput{Kind: "phone", Code: code}), "code")
	})
}

// The fifth wrong code spends the code: the right one fails after it.
func TestContactCodeAttemptLimit(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		if _, err := e.auth.StartContact(ctx, supportAll, "s1", e.carol.ID, manage.ContactInput{Kind: "email", Address: "carol@example.com"}); err != nil {
			t.Fatal(err)
		}
		m := e.deliver(t).Next(t, "carol@example.com")
		code := regexp.MustCompile(`\n(\d{6})\n`).FindStringSubmatch(m.Text)
		if code == nil {
			t.Fatalf("no code in %s", m.Text)
		}
		wrong := "000000"
		if code[1] == wrong {
			wrong = "111111"
		}
		for range 5 {
			wantField(t, e.auth.ConfirmContact(ctx, supportAll, "s1", e.carol.ID, manage.ConfirmContactInput{Kind: "email", Code: wrong}), "code")
		}
		wantField(t, e.auth.ConfirmContact(ctx, supportAll, "s1", e.carol.ID, manage.ConfirmContactInput{Kind: "email", Code: code[1]}), "code")
		if got := e.account(t, e.carol.ID); got.Email != "" {
			t.Errorf("an exhausted code set the address: %+v", got)
		}
	})
}

// Clearing a lockout forgets the tries of the account's identifiers.
func TestClearLockout(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		key := "sign-in:alice@example.com"
		now := time.Now().UTC()
		for i := range 10 {
			if _, err := e.s.RecordLoginAttempt(ctx, key, now.Add(time.Duration(i)*time.Millisecond), now.Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if v, _ := e.auth.List(ctx, supportAll, "s1", e.alice.ID); !v.Lockout.Locked || v.Lockout.FailedAttempts != 10 {
			t.Errorf("lockout = %+v", v.Lockout)
		}
		refusedForOthers(t, e, func(a manage.Actor, st, id string) error {
			_, err := e.auth.ClearLockout(ctx, a, st, id)
			return err
		})
		n, err := e.auth.ClearLockout(ctx, supportAll, "s1", e.alice.ID)
		if err != nil || n != 10 {
			t.Fatalf("cleared %d, %v", n, err)
		}
		if a := e.lastAudit(t); a.Action != "account.lockout_cleared" || a.TargetID != e.alice.ID {
			t.Errorf("audit = %+v", a)
		}
		if v, _ := e.auth.List(ctx, supportAll, "s1", e.alice.ID); v.Lockout.Locked || v.Lockout.FailedAttempts != 0 {
			t.Errorf("lockout after clearing = %+v", v.Lockout)
		}
	})
}
