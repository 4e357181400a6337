package main

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// An application's own password-reset e-mail in German, set through the
// admin API, is what a German reset through that application delivers
// over SMTP, with a working link; an English reset through it and a
// German one through another application get the theme's e-mail. The
// test send reaches the SMTP server too.
func TestMessageTemplateOverrideDelivered(t *testing.T) {
	t.Parallel()
	s := newMailSetup(t, sqltest.SQLite(t))
	brandRP := brandApplication(t, s)

	api, _ := newAdminAPI(t, s.srv)
	const path = "/applications/brand/message-templates/email/password_reset/de"
	api.do(http.MethodPut, path, map[string]any{"subject": "Brand: Passwort vergessen?", "text": "Hallo {{email}},\n\n{{link}}\n\n{{minutes}} Minuten gültig.\n"}).
		expect(t, "template without its HTML link", http.StatusUnprocessableEntity, "")
	api.do(http.MethodPut, path, map[string]any{
		"subject": "Brand: Passwort vergessen?",
		"text":    "Hallo {{email}},\n\n{{link}}\n\n{{minutes}} Minuten gültig.\n",
		"html":    `<p>Hallo {{email}}</p><p><a href="{{link}}">Neues Passwort für {{app_name}}</a></p>`,
	}).expect(t, "template", http.StatusCreated, "")

	api.do(http.MethodPost, path+"/test", map[string]any{"to": "editor@example.com"}).expect(t, "test send", http.StatusAccepted, "")
	if m := s.in.Next(t, "editor@example.com"); m.Subject != "Brand: Passwort vergessen?" || !strings.Contains(m.Text, "https://id.example.com/sample-link") {
		t.Errorf("test send: %q\n%s", m.Subject, m.Text)
	}

	reset := func(rp *relyingParty, state, lang, email string) delivered {
		t.Helper()
		s.srv.account(t, email, alicePass)
		b, p := recoverThrough(t, s, rp, state, lang)
		b.submit(p, map[string]string{"identifier": email})
		mail := s.in.Next(t, email)
		link := mail.Link(t, s.srv.issuer+"/recover/reset?")
		if form := openLink(t, b, link); form.status != http.StatusOK || !strings.Contains(form.body, `name="password_confirm"`) {
			t.Fatalf("the link of %q does not open the reset form: %d\n%s", mail.Subject, form.status, form.body)
		}
		return mail
	}
	got := reset(brandRP, "state-brand-de", "de", "anna@example.com")
	if got.Subject != "Brand: Passwort vergessen?" || !strings.HasPrefix(got.Text, "Hallo anna@example.com,\n") ||
		!strings.Contains(got.HTML, "Neues Passwort für Brand Shop") {
		t.Errorf("German reset through brand: %q\n%s\n%s", got.Subject, got.Text, got.HTML)
	}
	theme := func(what string, m delivered) {
		t.Helper()
		if strings.Contains(m.Subject, "Brand:") || strings.Contains(m.Text, "Minuten gültig") {
			t.Errorf("%s got the override: %q\n%s", what, m.Subject, m.Text)
		}
	}
	en := reset(brandRP, "state-brand-en", "en", "bert@example.com")
	theme("an English reset through brand", en)
	if !strings.Contains(en.Subject, "Brand Shop") {
		t.Errorf("English reset through brand is not branded: %q", en.Subject)
	}
	de := reset(s.rp, "state-shop-de", "de", "carl@example.com")
	theme("a German reset through another application", de)
	if de.Subject == en.Subject {
		t.Errorf("the other application's German reset is not in German: %q", de.Subject)
	}
}

// brandApplication adds the application "Brand Shop" to the default store
// with a client, and returns its relying party.
func brandApplication(t *testing.T, s *mailSetup) *relyingParty {
	t.Helper()
	brand := &storage.Application{ID: "brand", StoreID: defaultStoreID, Name: "Brand Shop"}
	if err := s.srv.store.CreateApplication(context.Background(), brand); err != nil {
		t.Fatal(err)
	}
	id, secret := s.srv.client(t, authz.ClientSpec{Name: "Brand web", ApplicationID: brand.ID, RedirectURIs: []string{rpCallback},
		FirstParty: true, GrantTypes: []string{"authorization_code"}})
	return newRelyingParty(t, s.srv.issuer, id, secret, oidc.ScopeOpenID, "email")
}

// recoverThrough opens the recovery page from rp's sign-in page in lang.
func recoverThrough(t *testing.T, s *mailSetup, rp *relyingParty, state, lang string) (*browser, *page) {
	t.Helper()
	b := newBrowser(t, s.srv.Listener.Addr().String())
	login := b.get(rp.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("ui_locales", lang)))
	m := regexp.MustCompile(`href="(/recover\?[^"]+)"`).FindStringSubmatch(login.body)
	if m == nil {
		t.Fatalf("no recovery link on the sign-in page:\n%s", login.body)
	}
	return b, b.get(s.srv.URL + html.UnescapeString(m[1]))
}

// An application's SMS text for reset codes (any language) is what the
// SMS webhook receives, and its code works; the test send arrives too.
func TestMessageTemplateSMSDelivered(t *testing.T) {
	t.Parallel()
	s := newMailSetup(t, sqltest.SQLite(t))
	brandRP := brandApplication(t, s)
	api, _ := newAdminAPI(t, s.srv)
	const path = "/applications/brand/message-templates/sms/password_reset_code/*"
	api.do(http.MethodPut, path, map[string]any{"text": "{{app_name}}: Code {{code}}, {{minutes}} min"}).expect(t, "SMS template", http.StatusCreated, "")
	api.do(http.MethodPost, path+"/test", map[string]any{"to": "+4917012345678"}).expect(t, "SMS test send", http.StatusAccepted, "")
	if m := s.in.Next(t, "+4917012345678"); m.Channel != "sms" || !strings.HasPrefix(m.Text, "Brand Shop: Code 123456,") {
		t.Errorf("SMS test send: %+v", m)
	}
	owner := s.phoneAccount(t, storage.Account{Username: "texter", Phone: "+41790000009", PhoneConfirmed: true})
	b, p := recoverThrough(t, s, brandRP, "state-sms", "fr")
	sent := b.submit(p, map[string]string{"identifier": "texter"})
	sms := s.in.Next(t, owner.Phone)
	code := regexp.MustCompile(`^Brand Shop: Code (\d{6}), \d+ min$`).FindStringSubmatch(sms.Text)
	if code == nil {
		t.Fatalf("reset SMS %q is not the application's text", sms.Text)
	}
	if form := b.submit(sent, map[string]string{"code": code[1]}); form.status != http.StatusOK || !strings.Contains(form.body, `name="password_confirm"`) {
		t.Fatalf("the code of the application's SMS: %d\n%s", form.status, form.body)
	}
}
