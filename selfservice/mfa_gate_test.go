package selfservice_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"foyer/selfservice/selfservicetest"
	"foyer/storage"
)

// nextAfterPassword names the page a password sign-in lands on: "done"
// (handed back to authz), "mfa" (prove an enrolled factor), "enroll"
// (enrollment required) or "offer" (enrollment offered, may be skipped).
func nextAfterPassword(t *testing.T, env *selfservicetest.Env, b *selfservicetest.Browser, clientID string, params map[string]string) (string, string, *selfservicetest.Page) {
	t.Helper()
	id := env.Interaction(t, b, clientID, params)
	p := b.Get(env.LoginURL(id))
	p = b.Submit(p, map[string]string{"identifier": "alice@example.com"})
	p = b.Submit(p, map[string]string{"password": alicePass})
	switch {
	case p.URL.Path == selfservicetest.ResumePath:
		return id, "done", p
	case p.Status != http.StatusOK:
		t.Fatalf("after the password: %d at %s\n%s", p.Status, p.URL, p.Body)
	case p.Has("skip"):
		return id, "offer", p
	case p.Has("enroll"):
		return id, "enroll", p
	case p.Has("choose") || p.Has("code"):
		return id, "mfa", p
	}
	t.Fatalf("after the password: an unknown page at %s\n%s", p.URL, p.Body)
	return "", "", nil
}

// The MFA gate, as a table: what comes after the password for each
// policy, whether the account has a factor, what the request asks for and
// which client asks.
func TestMFAGate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		policy   storage.MFAPolicy
		enrolled bool   // the account has an e-mail factor
		acr      string // acr_values of the request
		portal   bool   // the account portal's client asks
		want     string
	}{
		{name: "off", policy: storage.MFAPolicy{Mode: storage.MFAOff}, want: "done"},
		// A factor the customer enrolled is asked for whatever the policy.
		{name: "off, enrolled", policy: storage.MFAPolicy{Mode: storage.MFAOff}, enrolled: true, want: "mfa"},
		{name: "off, acr 2 asked", policy: storage.MFAPolicy{Mode: storage.MFAOff}, acr: "2", want: "enroll"},
		{name: "off, acr 2 asked, enrolled", policy: storage.MFAPolicy{Mode: storage.MFAOff}, acr: "2", enrolled: true, want: "mfa"},
		{name: "off, acr 1 asked", policy: storage.MFAPolicy{Mode: storage.MFAOff}, acr: "1", want: "done"},
		{name: "off, portal", policy: storage.MFAPolicy{Mode: storage.MFAOff}, portal: true, want: "done"},
		{name: "off, portal, enrolled", policy: storage.MFAPolicy{Mode: storage.MFAOff}, portal: true, enrolled: true, want: "mfa"},
		{name: "optional", policy: storage.MFAPolicy{Mode: storage.MFAOptional}, want: "offer"},
		{name: "optional, enrolled", policy: storage.MFAPolicy{Mode: storage.MFAOptional}, enrolled: true, want: "mfa"},
		{name: "required", policy: storage.MFAPolicy{Mode: storage.MFARequired}, want: "enroll"},
		{name: "required, enrolled", policy: storage.MFAPolicy{Mode: storage.MFARequired}, enrolled: true, want: "mfa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := selfservicetest.New(t, selfservicetest.Options{App: func(a *storage.Application) { a.MFA = tt.policy }})
			alice := env.Account(t, "alice@example.com", alicePass)
			if tt.enrolled {
				if err := env.Store.CreateAuthenticator(context.Background(), &storage.Authenticator{
					AccountID: alice.ID, Kind: storage.AuthenticatorEmail, Address: alice.Email}); err != nil {
					t.Fatal(err)
				}
			}
			params := map[string]string{}
			if tt.acr != "" {
				params["acr_values"] = tt.acr
			}
			client := ""
			if tt.portal {
				client = selfservicetest.PortalClientID
			}
			id, got, _ := nextAfterPassword(t, env, env.Browser(t), client, params)
			if got != tt.want {
				t.Fatalf("after the password: %s, want %s", got, tt.want)
			}
			if got == "done" {
				if r := env.Resumed(t, id); r.ACR != "1" {
					t.Errorf("acr %q after a password alone", r.ACR)
				}
			}
		})
	}
}

// The optional enrollment offer is made once per sign-in: skipping it
// finishes the sign-in with the password alone.
func TestMFAOfferSkipped(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{App: func(a *storage.Application) {
		a.MFA = storage.MFAPolicy{Mode: storage.MFAOptional}
	}})
	env.Account(t, "alice@example.com", alicePass)
	b := env.Browser(t)
	id, got, p := nextAfterPassword(t, env, b, "", nil)
	if got != "offer" {
		t.Fatalf("after the password: %s, want the offer", got)
	}
	if p = b.Submit(p, map[string]string{"skip": "1"}); p.URL.Path != selfservicetest.ResumePath {
		t.Fatalf("skip: %d at %s\n%s", p.Status, p.URL, p.Body)
	}
	if r := env.Resumed(t, id); r.ACR != "1" || len(r.AMR) != 1 || r.AMR[0] != "pwd" {
		t.Fatalf("handed back %+v, want amr [pwd], acr 1", r)
	}
}

// A code by e-mail as the second factor: the code the inbox received
// finishes the sign-in with acr 2 and amr pwd, otp, mfa (RFC 8176).
func TestMFAEmailCode(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{App: func(a *storage.Application) {
		a.MFA = storage.MFAPolicy{Mode: storage.MFARequired}
	}})
	alice := env.Account(t, "alice@example.com", alicePass)
	if err := env.Store.CreateAuthenticator(context.Background(), &storage.Authenticator{
		AccountID: alice.ID, Kind: storage.AuthenticatorEmail, Address: alice.Email}); err != nil {
		t.Fatal(err)
	}
	b := env.Browser(t)
	id, got, p := nextAfterPassword(t, env, b, "", nil)
	if got != "mfa" {
		t.Fatalf("after the password: %s", got)
	}
	if !p.Has("code") {
		choice := regexp.MustCompile(`name="choose" value="(email\|[^"]*)"`).FindStringSubmatch(p.Body)
		if choice == nil {
			t.Fatalf("no e-mail code offered:\n%s", p.Body)
		}
		p = b.Submit(p, map[string]string{"choose": choice[1]})
	}
	env.Settle(t)
	m := env.Inbox.Next(t, alice.Email)
	code := sixDigits.FindString(m.Text)
	if code == "" {
		t.Fatalf("no code in:\n%s", m.Text)
	}
	if p = b.Submit(p, map[string]string{"code": "000000"}); p.Status != http.StatusBadRequest || env.WasResumed(id) {
		t.Fatalf("a wrong code: %d", p.Status)
	}
	if p = b.Submit(p, map[string]string{"code": code}); p.URL.Path != selfservicetest.ResumePath {
		t.Fatalf("the right code: %d at %s\n%s", p.Status, p.URL, p.Body)
	}
	r := env.Resumed(t, id)
	if r.ACR != "2" || !hasAll(r.AMR, "pwd", "otp", "mfa") {
		t.Fatalf("handed back %+v, want acr 2 with pwd, otp, mfa", r)
	}
}

func hasAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, v := range list {
			found = found || v == w
		}
		if !found {
			return false
		}
	}
	return true
}
