package manage_test

import (
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// A notice through an organizational application to a member of an
// organization wears that organization's branding: for a member of
// several, the first by name that has branding of its own. Through a
// non-organizational application, or to a member of unbranded
// organizations only, it is the application's.
func TestNoticeWearsTheOrganizationsBranding(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		ctx := t.Context()
		join := func(o *storage.Organization, accts ...*storage.Account) {
			t.Helper()
			if err := e.s.CreateOrganization(ctx, o); err != nil {
				t.Fatal(err)
			}
			for _, a := range accts {
				if err := e.s.AddOrganizationMember(ctx, &storage.OrganizationMember{OrganizationID: o.ID, AccountID: a.ID, StoreID: "s1"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// bob is already a member of the unbranded "Acme Partners".
		join(&storage.Organization{StoreID: "s1", Name: "Zeta Logistics", DisplayName: "Zeta", PrimaryColor: "#999999"}, e.bob)
		join(&storage.Organization{StoreID: "s1", Name: "Beta Travel", DisplayName: "Beta Reisen",
			LogoURL: "https://beta.example/logo.png", PrimaryColor: "#445566"}, e.bob, e.carol)

		if err := e.notices.Send(ctx, supportAll, e.bob, "b2b-web", manage.NoticeStatusChanged,
			map[string]string{"status": "disabled"}); err != nil {
			t.Fatal(err)
		}
		if err := e.notices.Send(ctx, supportAll, e.carol, "b2b-web", manage.NoticeStatusChanged,
			map[string]string{"status": "enabled"}); err != nil {
			t.Fatal(err)
		}
		if err := e.notices.Send(ctx, supportAll, e.alice, "shop-web", manage.NoticeProfileChanged, nil); err != nil {
			t.Fatal(err)
		}
		in := e.deliver(t)
		m := in.Next(t, "bob@example.com")
		m.Branded(t, "Beta Reisen")
		if m.Subject != "Der Status Ihres Kontos bei Beta Reisen hat sich geändert" || !strings.Contains(m.HTML, "https://beta.example/logo.png") ||
			!strings.Contains(m.HTML, "#445566") || strings.Contains(m.HTML, "Acme Business") || strings.Contains(m.HTML, "#999999") {
			t.Errorf("bob's notice does not wear Beta Travel's branding: %q\n%s", m.Subject, m.HTML)
		}
		sms := in.Next(t, "+41791234567")
		if !strings.HasPrefix(sms.Text, "Beta Reisen: ") {
			t.Errorf("carol's SMS = %q; want it to name Beta Reisen", sms.Text)
		}
		m = in.Next(t, "alice@example.com")
		m.Branded(t, "Acme Shop")
		if !strings.Contains(m.HTML, "#112233") {
			t.Errorf("alice's notice lost the application's branding:\n%s", m.HTML)
		}
	})
}

// A member of organizations without branding of their own gets the
// application's.
func TestNoticeToAnUnbrandedMemberWearsTheApplication(t *testing.T) {
	bothAuth(t, func(t *testing.T, e *authEnv) {
		if err := e.notices.Send(t.Context(), supportAll, e.bob, "b2b-web", manage.NoticeProfileChanged, nil); err != nil {
			t.Fatal(err)
		}
		m := e.deliver(t).Next(t, "bob@example.com")
		m.Branded(t, "Acme Business")
		if !strings.Contains(m.Subject, "Acme Business") {
			t.Errorf("bob's notice: %q\n%s", m.Subject, m.HTML)
		}
	})
}
