package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// An application's factor_added e-mail (a notice sent with the generic
// notice e-mail) replaces the theme's when an authenticator app is
// enrolled while signing in through that application: it is what the
// SMTP server receives.
func TestMessageTemplateFactorAddedDelivered(t *testing.T) {
	t.Parallel()
	s := newMailSetup(t, sqltest.SQLite(t))
	brandRP := brandApplication(t, s)
	if err := s.srv.store.SetMFAPolicy(context.Background(), "brand", storage.MFAPolicy{Mode: storage.MFARequired}); err != nil {
		t.Fatal(err)
	}
	api, _ := newAdminAPI(t, s.srv)
	const path = "/applications/brand/message-templates/email/factor_added/*"
	api.do(http.MethodPut, path, map[string]any{"subject": "Brand: new sign-in method", "text": "Hi {{email}}, {{app_name}} saw a new method ({{link}})."}).
		expect(t, "template with a placeholder its kind lacks", http.StatusUnprocessableEntity, "")
	api.do(http.MethodPut, path, map[string]any{
		"subject": "Brand: new sign-in method",
		"text":    "Hi {{email}}, {{app_name}} saw a new sign-in method ({{language}}).\n",
		"html":    "<p>Hi {{email}}, a new sign-in method at {{app_name}}.</p>",
	}).expect(t, "template", http.StatusCreated, "")

	s.srv.account(t, "dora@example.com", alicePass)
	in := &signIn{b: newBrowser(t, s.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
	p := in.b.get(brandRP.oauth.AuthCodeURL("state-factor", oauth2.S256ChallengeOption(in.verifier)))
	p = in.b.submit(p, map[string]string{"identifier": "dora@example.com"})
	in.page = in.b.submit(p, map[string]string{"password": alicePass})
	enrollTOTP(t, in)

	m := s.in.Next(t, "dora@example.com")
	if m.Subject != "Brand: new sign-in method" || m.Text != "Hi dora@example.com, Brand Shop saw a new sign-in method (en).\n" ||
		m.HTML != "<p>Hi dora@example.com, a new sign-in method at Brand Shop.</p>" {
		t.Errorf("factor-added notice is not the application's: %q\n%s\n%s", m.Subject, m.Text, m.HTML)
	}
}

// An application's password_changed SMS (French) is what the SMS webhook
// receives after a reset by SMS code through that application.
func TestMessageTemplatePasswordChangedSMSDelivered(t *testing.T) {
	t.Parallel()
	s := newMailSetup(t, sqltest.SQLite(t))
	brandRP := brandApplication(t, s)
	api, _ := newAdminAPI(t, s.srv)
	const path = "/applications/brand/message-templates/sms/password_changed/fr"
	api.do(http.MethodPut, path, map[string]any{"text": "{{app_name}}: code {{code}}"}).
		expect(t, "SMS template with a placeholder its kind lacks", http.StatusUnprocessableEntity, "")
	api.do(http.MethodPut, path, map[string]any{"text": "{{app_name}}: mot de passe changé ({{language}})"}).
		expect(t, "SMS template", http.StatusCreated, "")

	owner := s.phoneAccount(t, storage.Account{Username: "texter", Phone: "+41790000019", PhoneConfirmed: true})
	b, p := recoverThrough(t, s, brandRP, "state-sms-changed", "fr")
	sent := b.submit(p, map[string]string{"identifier": "texter"})
	code := sixDigits.FindStringSubmatch(s.in.Next(t, owner.Phone).Text)
	if code == nil {
		t.Fatal("no six-digit code in the reset SMS")
	}
	form := b.submit(sent, map[string]string{"code": code[1]})
	if form.status != http.StatusOK || !strings.Contains(form.body, `name="password_confirm"`) {
		t.Fatalf("right code: %d\n%s", form.status, form.body)
	}
	b.submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
	if m := s.in.Next(t, owner.Phone); m.Channel != "sms" || m.Text != "Brand Shop: mot de passe changé (fr)" {
		t.Errorf("password-changed SMS is not the application's: %+v", m)
	}
}
