package manage_test

import (
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// A status change and a profile edit tell the customer when asked, in
// their transaction: a client that does not fit refuses the change.
func TestStatusAndProfileNotices(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		core := manage.NewCore(e.s, nil)
		actions := manage.NewAccountActions(core, e.s, e.ended).WithNotices(e.notices)
		profiles := manage.NewAccountProfiles(core, e.s, nil).WithNotices(e.notices)

		bad := &manage.NotifyChoice{ClientID: "b2b-web"} // alice is no member
		wantField(t, actions.SetStatus(ctx, supportAll, "s1", e.alice.ID, storage.AccountDisabled, bad), "notify.client_id")
		if got := e.account(t, e.alice.ID); got.Status != storage.AccountEnabled || len(e.audits(t)) != 0 || len(e.queued(t)) != 0 {
			t.Fatalf("a refused notice changed the status: %+v", got)
		}
		authErr(t, actions.SetStatus(ctx, auditorAll, "s1", e.alice.ID, storage.AccountDisabled, nil), manage.ErrForbidden)
		authErr(t, actions.SetStatus(ctx, supportS2, "s1", e.alice.ID, storage.AccountDisabled, nil), manage.ErrForbidden)

		if err := actions.SetStatus(ctx, supportAll, "s1", e.bob.ID, storage.AccountDisabled, &manage.NotifyChoice{ClientID: "b2b-web"}); err != nil {
			t.Fatal(err)
		}
		entries := e.audits(t)
		if len(entries) != 2 || entries[0].Action != "account.disabled" || entries[1].Action != "account.notified" {
			t.Fatalf("audit = %+v", entries)
		}
		m := e.deliver(t).Next(t, "bob@example.com")
		m.Branded(t, "Acme Business")
		if !strings.Contains(m.Text, "deaktiviert") {
			t.Errorf("bob's status notice: %q\n%s", m.Subject, m.Text)
		}

		lang := "de"
		_, err := profiles.UpdateAttributes(ctx, supportAll, "s1", e.alice.ID, 0, manage.AttributesInput{
			Language: &lang, Notify: &manage.NotifyChoice{ClientID: "other-web"}})
		wantField(t, err, "notify.client_id")
		if got := e.account(t, e.alice.ID); got.Language != "en" {
			t.Fatalf("a refused notice kept the edit: %+v", got)
		}
		newMail := "alice.new@example.com"
		if _, err := profiles.UpdateAttributes(ctx, supportAll, "s1", e.alice.ID, 0, manage.AttributesInput{
			Email: &newMail, Notify: &manage.NotifyChoice{ClientID: "shop-web"}}); err != nil {
			t.Fatal(err)
		}
		if a := e.audits(t); a[0].Action != "account.attributes_updated" || a[1].Action != "account.notified" {
			t.Errorf("audit: %s, %s", a[0].Action, a[1].Action)
		}
		// The notice goes to the address on file before the edit.
		m = e.deliver(t).Next(t, "alice@example.com")
		if m.Subject != "Your Acme Shop profile was updated" || !strings.Contains(m.Text, "- email\n") {
			t.Errorf("profile notice: %q\n%s", m.Subject, m.Text)
		}
	})
}
