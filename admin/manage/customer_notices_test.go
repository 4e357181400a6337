package manage_test

import (
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

func clientIDs(cs []manage.NoticeClient) string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return strings.Join(ids, ",")
}

// A member of an organization is offered the clients of its store's
// organizational applications only, anyone else the non-organizational
// ones; the console's client and other stores' clients never.
func TestNoticeClientsFitTheAccount(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		for _, c := range []struct {
			acct *storage.Account
			want string
		}{{e.alice, "shop-web"}, {e.carol, "shop-web"}, {e.bob, "b2b-web"}, {e.dave, "other-web"}} {
			got, err := e.notices.Clients(ctx, supportAll, c.acct)
			if err != nil {
				t.Fatal(err)
			}
			if clientIDs(got) != c.want {
				t.Errorf("clients of %s = %s, want %s", c.acct.Email+c.acct.Phone, clientIDs(got), c.want)
			}
		}
		// The auditor may see them; an administrator of another store not.
		if _, err := e.notices.Clients(ctx, auditorAll, e.alice); err != nil {
			t.Errorf("auditor: %v", err)
		}
		_, err := e.notices.Clients(ctx, supportS2, e.alice)
		authErr(t, err, manage.ErrForbidden)

		// A client that does not fit is refused, and nothing is queued or
		// audited.
		for _, id := range []string{"b2b-web", "other-web", manage.ConsoleClientID, "no-such-client", ""} {
			wantField(t, e.notices.Send(ctx, supportAll, e.alice, id, manage.NoticeProfileChanged, nil), "notify.client_id")
		}
		wantField(t, e.notices.Send(ctx, supportAll, e.bob, "shop-web", manage.NoticeProfileChanged, nil), "notify.client_id")
		// An account with neither address nor phone cannot be told.
		lone := &storage.Account{StoreID: "s1", Status: storage.AccountEnabled, Username: "lone"}
		if err := e.s.CreateAccount(ctx, lone); err != nil {
			t.Fatal(err)
		}
		wantField(t, e.notices.Send(ctx, supportAll, lone, "shop-web", manage.NoticeProfileChanged, nil), "notify.client_id")
		if q := e.queued(t); len(q) != 0 {
			t.Errorf("queued %d messages for refused notices", len(q))
		}
		if a := e.audits(t); len(a) != 0 {
			t.Errorf("refused notices wrote %d audit entries", len(a))
		}
		// The auditor may not send; nor may an administrator of store s2.
		authErr(t, e.notices.Send(ctx, auditorAll, e.alice, "shop-web", manage.NoticeProfileChanged, nil), manage.ErrForbidden)
		authErr(t, e.notices.Send(ctx, supportS2, e.alice, "shop-web", manage.NoticeProfileChanged, nil), manage.ErrForbidden)
	})
}

// A notice is delivered by e-mail through the SMTP server with the
// client's application's name, colour and logo, in the account's
// language, and audited as account.notified without its text.
func TestNoticeDeliveredInTheAccountsLanguage(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		if err := e.notices.Send(ctx, supportAll, e.alice, "shop-web", manage.NoticeProfileChanged,
			map[string]string{"fields": "given_name, city"}); err != nil {
			t.Fatal(err)
		}
		entry := e.lastAudit(t)
		if entry.Action != "account.notified" || entry.TargetID != e.alice.ID || entry.StoreID != "s1" ||
			!strings.Contains(entry.After, `"kind":"support_profile_changed"`) || !strings.Contains(entry.After, `"client_id":"shop-web"`) ||
			!strings.Contains(entry.After, `"channel":"email"`) || entry.Role != storage.RoleSupport {
			t.Errorf("audit entry = %+v", entry)
		}
		if err := e.notices.Send(ctx, supportAll, e.bob, "b2b-web", manage.NoticeStatusChanged,
			map[string]string{"status": "disabled"}); err != nil {
			t.Fatal(err)
		}
		in := e.deliver(t)
		m := in.Next(t, "alice@example.com")
		m.Branded(t, "Acme Shop")
		if m.Subject != "Your Acme Shop profile was updated" || !strings.Contains(m.Text, "- given_name\n- city\n") ||
			!strings.Contains(m.Text, "\nhttps://shop.example/login\n") || !strings.Contains(m.HTML, "#112233") ||
			!strings.Contains(m.HTML, "https://cdn.example/shop.png") {
			t.Errorf("alice's notice: %q\n%s\n%s", m.Subject, m.Text, m.HTML)
		}
		m = in.Next(t, "bob@example.com")
		m.Branded(t, "Acme Business")
		if m.Subject != "Der Status Ihres Kontos bei Acme Business hat sich geändert" || !strings.Contains(m.Text, "deaktiviert") {
			t.Errorf("bob's notice is not German: %q\n%s", m.Subject, m.Text)
		}
	})
}

// An account with a phone number only is told by SMS.
func TestNoticeBySMSForAPhoneOnlyAccount(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		if err := e.notices.Send(t.Context(), supportAll, e.carol, "shop-web", manage.NoticeStatusChanged,
			map[string]string{"status": "enabled"}); err != nil {
			t.Fatal(err)
		}
		if entry := e.lastAudit(t); !strings.Contains(entry.After, `"channel":"sms"`) {
			t.Errorf("audit entry = %+v", entry)
		}
		m := e.deliver(t).Next(t, "+41791234567")
		if m.Channel != "sms" || m.Text != "Acme Shop: our support team enabled your account. You can sign in again." {
			t.Errorf("SMS = %+v", m)
		}
	})
}

// The application's SMS template of a support notice replaces the theme's
// text, filled with the notice's details and the client's sign-in link.
func TestNoticeSMSTemplate(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		tmpl := &storage.MessageTemplate{ApplicationID: "shop", Kind: manage.NoticeStatusChanged, Channel: storage.TemplateSMS,
			Text: "{{app_name}} account {{status}}: {{link}}"}
		if err := e.s.PutMessageTemplate(t.Context(), tmpl, 0); err != nil {
			t.Fatal(err)
		}
		if err := e.notices.Send(t.Context(), supportAll, e.carol, "shop-web", manage.NoticeStatusChanged,
			map[string]string{"status": "enabled"}); err != nil {
			t.Fatal(err)
		}
		m := e.deliver(t).Next(t, "+41791234567")
		if m.Channel != "sms" || m.Text != "Acme Shop account enabled: https://shop.example/login" {
			t.Errorf("SMS = %+v", m)
		}
	})
}
