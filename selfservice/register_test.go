package selfservice_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"foyer/selfservice/selfservicetest"
	"foyer/storage"
)

const newcomerPass = "plum-velvet-harbor-42"

func regFields(email, pw string) map[string]string {
	return map[string]string{"email": email, "password": pw, "password_confirm": pw, "accept_terms": "on"}
}

// registerEnv is an Env whose application has the self-service policy
// mod made of the default.
func registerEnv(t *testing.T, mod func(*storage.SelfServicePolicy)) *selfservicetest.Env {
	t.Helper()
	return selfservicetest.New(t, selfservicetest.Options{App: func(a *storage.Application) {
		pol := storage.DefaultSelfServicePolicy()
		if mod != nil {
			mod(&pol)
		}
		a.SelfService = pol
	}})
}

// registerPage starts a sign-in in a new browser and follows the sign-in
// page's link to the registration page.
func registerPage(t *testing.T, env *selfservicetest.Env) (string, *selfservicetest.Browser, *selfservicetest.Page) {
	t.Helper()
	b := env.Browser(t)
	id, login := env.Start(t, b, nil)
	if !strings.Contains(login.Body, "/register?") {
		t.Fatalf("no registration link on the sign-in page:\n%s", login.Body)
	}
	p := b.Get(env.RegisterURL(id))
	if p.Status != http.StatusOK || !p.Has("password_confirm") {
		t.Fatalf("registration page: %d\n%s", p.Status, p.Body)
	}
	return id, b, p
}

// The password policy and the terms, each with its error next to the field.
func TestRegistrationFormErrors(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	for name, tc := range map[string]struct {
		fields map[string]string
		want   string
	}{
		"too short":   {regFields("a@example.com", "short1"), "The password is too short."},
		"common":      {regFields("a@example.com", "password123"), "This password is too common."},
		"mismatch":    {map[string]string{"email": "a@example.com", "password": newcomerPass, "password_confirm": newcomerPass + "x", "accept_terms": "on"}, "The passwords do not match."},
		"terms":       {map[string]string{"email": "a@example.com", "password": newcomerPass, "password_confirm": newcomerPass}, "Accept the terms of service"},
		"bad address": {regFields("not-an-address", newcomerPass), "Enter a valid email address"},
	} {
		t.Run(name, func(t *testing.T) {
			_, b, p := registerPage(t, env)
			got := b.Submit(p, tc.fields)
			if got.Status != http.StatusBadRequest || !strings.Contains(got.Body, tc.want) || !strings.Contains(got.Body, `class="field-error"`) {
				t.Errorf("%d, want 400 with %q:\n%s", got.Status, tc.want, got.Body)
			}
		})
	}
	if _, err := env.Store.FindAccountByIdentifier(context.Background(), selfservicetest.StoreID, storage.IdentifierEmail, "a@example.com"); err == nil {
		t.Error("a refused registration created an account")
	}
}

// Registration off: no link on the sign-in page and the page refuses.
func TestRegistrationDisabled(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, func(p *storage.SelfServicePolicy) { p.RegistrationEnabled = false })
	b := env.Browser(t)
	id, login := env.Start(t, b, nil)
	if strings.Contains(login.Body, "/register?") {
		t.Errorf("registration link shown while registration is off:\n%s", login.Body)
	}
	p := b.Get(env.RegisterURL(id))
	if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "does not offer registration") {
		t.Errorf("registration page while off: %d\n%s", p.Status, p.Body)
	}
}

// Activation off: the account is enabled at once and the sign-in is
// handed back (amr pwd, acr 1); a taken address gets a field error.
func TestRegistrationWithoutActivation(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, func(p *storage.SelfServicePolicy) { p.ActivationEnabled = false })
	env.Account(t, "owner@example.com", newcomerPass)
	id, b, p := registerPage(t, env)
	if p = b.Submit(p, regFields("direct@example.com", newcomerPass)); p.URL.Path != selfservicetest.ResumePath {
		t.Fatalf("registration: %d at %s\n%s", p.Status, p.URL, p.Body)
	}
	acct, err := env.Store.FindAccountByIdentifier(context.Background(), selfservicetest.StoreID, storage.IdentifierEmail, "direct@example.com")
	r := env.Resumed(t, id)
	if err != nil || acct.Status != storage.AccountEnabled || r.AccountID != acct.ID {
		t.Fatalf("account %+v, %v; handed back %+v", acct, err, r)
	}
	if r.ACR != "1" || !slices.Equal(r.AMR, []string{"pwd"}) {
		t.Errorf("registration without activation: acr %q amr %v, want 1 and [pwd]", r.ACR, r.AMR)
	}
	_, b2, p2 := registerPage(t, env)
	dup := b2.Submit(p2, regFields("owner@example.com", newcomerPass))
	if dup.Status != http.StatusBadRequest || !strings.Contains(dup.Body, "already exists") {
		t.Errorf("taken address without activation: %d\n%s", dup.Status, dup.Body)
	}
	env.Settle(t)
	for _, m := range env.Inbox.All() {
		if m.To == "direct@example.com" {
			t.Errorf("a message with activation off: %q", m.Subject)
		}
	}
}

// Typing an owner's address again and again gets the same page each time
// (it does not tell the address is taken), but the owner hears of it once.
func TestSignupAttemptMailsAreThrottled(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	env.Account(t, "owner@example.com", newcomerPass)
	var bodies []string
	for range 3 {
		_, b, p := registerPage(t, env)
		bodies = append(bodies, b.Submit(p, regFields("owner@example.com", "a-new-and-long-password")).Body)
	}
	env.Settle(t)
	m := env.Inbox.Next(t, "owner@example.com")
	m.Branded(t, selfservicetest.AppName)
	if strings.Contains(m.Text, "/register/activate") {
		t.Errorf("the owner's signup-attempt mail carries an activation link:\n%s", m.Text)
	}
	env.Inbox.None(t, "owner@example.com")
	for _, b := range bodies[1:] {
		if hiddenValues.ReplaceAllString(b, "") != hiddenValues.ReplaceAllString(bodies[0], "") {
			t.Fatalf("a held-back attempt answered differently:\n%s\n---\n%s", b, bodies[0])
		}
	}
}

// Registration with activation: the page says to check the mail, the
// account waits, and the activation link (alone on its line) activates it.
func TestRegistrationSendsActivation(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	id, b, p := registerPage(t, env)
	p = b.Submit(p, regFields("newcomer@example.com", newcomerPass))
	if p.Status != http.StatusOK || env.WasResumed(id) {
		t.Fatalf("registration: %d at %s\n%s", p.Status, p.URL, p.Body)
	}
	// The account is made by the deferred worker, so an existing address
	// costs the request the same work.
	env.Settle(t)
	acct, err := env.Store.FindAccountByIdentifier(context.Background(), selfservicetest.StoreID, storage.IdentifierEmail, "newcomer@example.com")
	if err != nil || acct.Status != storage.AccountPending {
		t.Fatalf("account %+v, %v; want pending", acct, err)
	}
	m := env.Inbox.Next(t, "newcomer@example.com")
	m.Branded(t, selfservicetest.AppName)
	link := m.Link(t, env.Server.URL+"/register/activate?token=")
	page := b.Get(link)
	if page.Status != http.StatusOK {
		t.Fatalf("activation link: %d\n%s", page.Status, page.Body)
	}
	if page.URL.Path != selfservicetest.ResumePath {
		// A confirmation page guards the link against mail scanners.
		page = b.Submit(page, nil)
	}
	if page.URL.Path != selfservicetest.ResumePath {
		t.Fatalf("activation did not finish the sign-in: %d at %s\n%s", page.Status, page.URL, page.Body)
	}
	if r := env.Resumed(t, id); r.AccountID != acct.ID {
		t.Fatalf("handed back %+v, want the new account", r)
	}
	if acct, err = env.Store.GetAccount(context.Background(), acct.ID); err != nil || acct.Status != storage.AccountEnabled || !acct.EmailConfirmed {
		t.Fatalf("after activation: %+v, %v", acct, err)
	}
}
