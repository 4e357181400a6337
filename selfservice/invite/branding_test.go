package invite_test

import (
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// invitationMail returns the newest invitation e-mail to to.
func invitationMail(t *testing.T, s storage.Store, to string) storage.Notification {
	t.Helper()
	msgs, err := s.ListNotifications(t.Context(), 20)
	must(t, err)
	for _, m := range msgs {
		if m.To == to && m.Kind == "invitation" {
			return m
		}
	}
	t.Fatalf("no invitation e-mail to %s", to)
	return storage.Notification{}
}

// An invitation into an organization with its own branding wears the
// organization's name, logo and colour; one into an organization without
// any, or into none, wears the application's. A field the organization
// leaves empty is the application's.
func TestInvitationBranding(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		s := newStore(t)
		ctx := t.Context()
		f := newFixture(t, s, storage.SelfServicePolicy{})
		app, err := s.GetApplication(ctx, f.orgApp.ID)
		must(t, err)
		app.LogoURL, app.PrimaryColor = "https://portal.example/app-logo.png", "#0a0b0c"
		must(t, s.UpdateApplication(ctx, app, app.Version))

		plainReq := f.request()
		plainReq.Email, plainReq.Language = "plain@example.com", "en"
		_, err = f.svc.Send(ctx, plainReq)
		must(t, err)
		plain := invitationMail(t, s, "plain@example.com")
		for _, want := range []string{"<title>Acme Portal</title>", `src="https://portal.example/app-logo.png"`, "#0a0b0c"} {
			if !strings.Contains(plain.HTML, want) {
				t.Errorf("without organization branding the e-mail lacks %q:\n%s", want, plain.HTML)
			}
		}

		f.org.DisplayName, f.org.LogoURL, f.org.PrimaryColor = "Acme Travel", "https://acme.example/logo.png", "#112233"
		must(t, s.UpdateOrganization(ctx, f.org, f.org.Version))
		branded := f.request()
		branded.Email, branded.Language = "branded@example.com", "en"
		_, err = f.svc.Send(ctx, branded)
		must(t, err)
		m := invitationMail(t, s, "branded@example.com")
		for _, want := range []string{"<title>Acme Travel</title>", `src="https://acme.example/logo.png"`, "#112233"} {
			if !strings.Contains(m.HTML, want) {
				t.Errorf("the organization's e-mail lacks %q:\n%s", want, m.HTML)
			}
		}
		for _, not := range []string{"Acme Portal", "app-logo.png", "#0a0b0c"} {
			if strings.Contains(m.HTML, not) || strings.Contains(m.Text, not) {
				t.Errorf("the organization's e-mail still shows the application's %q", not)
			}
		}
		if !strings.Contains(m.Text, "Acme Travel") {
			t.Errorf("the text part lacks the organization's display name:\n%s", m.Text)
		}

		// Only a colour of its own: the application's name and logo stay.
		f.org.DisplayName, f.org.LogoURL = "", ""
		must(t, s.UpdateOrganization(ctx, f.org, f.org.Version))
		partial := f.request()
		partial.Email, partial.Language = "partial@example.com", "en"
		_, err = f.svc.Send(ctx, partial)
		must(t, err)
		p := invitationMail(t, s, "partial@example.com")
		if !strings.Contains(p.HTML, "<title>Acme Portal</title>") || !strings.Contains(p.HTML, "app-logo.png") || !strings.Contains(p.HTML, "#112233") {
			t.Errorf("a partial branding did not fall back field by field:\n%s", p.HTML)
		}
	})
}
