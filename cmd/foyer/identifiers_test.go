package main

import (
	"net/http"
	"strings"
	"testing"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestIdentifierRulesAgree: registration, the portal and the CLI refuse
// the same addresses (one validator, storage.ValidEmail), each with its
// own field error, and accept a phone number typed in groups alike.
func TestIdentifierRulesAgree(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), withoutActivation, authz.ClientSpec{})
	u := newPortalUser(t, s.srv, "alice@example.com")
	c := newCLI(t)
	tooLong := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com" // 255 bytes
	for _, bad := range []string{"a@localhost", tooLong, "Alice <a@example.com>"} {
		b, p, _ := s.registerPage(t, "state-bad")
		got := b.submit(p, regFields(bad, newcomerPass))
		if got.status != http.StatusBadRequest || !strings.Contains(got.body, `id="email-error"`) ||
			!strings.Contains(got.body, "Enter a valid email address") {
			t.Errorf("registration with %q: %d, want a field error", bad, got.status)
		}
		got = u.post("/account/profile", "email", bad)
		if got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, `id="email-error"`) {
			t.Errorf("portal with %q: %d, want a field error", bad, got.status)
		}
		if code, _, errOut := c.run("account", "create", "--email", bad, "--password", newcomerPass); code != 2 ||
			!strings.Contains(errOut, "--email must be an e-mail address like name@example.com") {
			t.Errorf("foyer account create --email %q: exit %d %q", bad, code, errOut)
		}
	}
	if code, _, errOut := c.run("account", "create", "--email", "bob@example.com", "--username", "bob@home", "--password", newcomerPass); code != 2 ||
		!strings.Contains(errOut, "--username") {
		t.Errorf("foyer account create with a username holding @: exit %d %q", code, errOut)
	}

	// A reminder to a phone number typed in groups finds the account.
	a := s.phoneAccount(t, storage.Account{Username: "grouped", Phone: "+41790000077", PhoneConfirmed: true})
	reminderRequest(t, s, "state-grouped", true, "+41 79 000 00 77")
	if sms := s.mails(t, "username_reminder", a.Phone); len(sms) != 1 {
		t.Errorf("%d reminders to a phone number typed in groups, want 1", len(sms))
	}

	// "+41 79 000 00 09": registration takes the groups away, so does the portal.
	got := u.post("/account/profile", "email", "alice@example.com", "phone", "+41 79 000 00 09")
	if strings.Contains(got.body, `id="phone-error"`) {
		t.Errorf("portal refused a grouped phone number registration accepts: %d", got.status)
	}
}
