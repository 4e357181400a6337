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

const newcomerPass = "plum-velvet-harbor-42"

// regSetup is a server, a first-party client and its relying party.
type regSetup struct {
	srv *testServer
	rp  *relyingParty
}

func newRegSetup(t *testing.T, store storage.Store, mod func(*storage.SelfServicePolicy), spec authz.ClientSpec) *regSetup {
	t.Helper()
	srv := startServer(t, store)
	if mod != nil {
		pol := storage.DefaultSelfServicePolicy()
		mod(&pol)
		if err := store.SetSelfServicePolicy(context.Background(), defaultApplicationID, pol); err != nil {
			t.Fatal(err)
		}
	}
	spec.Name, spec.RedirectURIs, spec.FirstParty = "Shop", []string{rpCallback}, true
	spec.GrantTypes = []string{"authorization_code"}
	id, secret := srv.client(t, spec)
	return &regSetup{srv: srv, rp: newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID, "email")}
}

// registerPage starts an authorization request in a new browser and
// follows the login page's "Create an account" link.
func (s *regSetup) registerPage(t *testing.T, state string) (*browser, *page, string) {
	t.Helper()
	return s.pageFromSignIn(t, state, "/register", `name="password_confirm"`)
}

// pageFromSignIn starts an authorization request in a new browser, follows
// the sign-in page's link to path and checks the page has want. It returns
// the browser, the page and the PKCE verifier.
func (s *regSetup) pageFromSignIn(t *testing.T, state, path, want string) (*browser, *page, string) {
	t.Helper()
	b := newBrowser(t, s.srv.Listener.Addr().String())
	verifier := oauth2.GenerateVerifier()
	login := b.get(s.rp.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
	m := regexp.MustCompile(`href="(` + regexp.QuoteMeta(path) + `\?[^"]+)"`).FindStringSubmatch(login.body)
	if m == nil {
		t.Fatalf("no link to %s on the sign-in page:\n%s", path, login.body)
	}
	p := b.get(s.srv.URL + html.UnescapeString(m[1]))
	if p.status != http.StatusOK || !strings.Contains(p.body, want) {
		t.Fatalf("page %s: %d\n%s", path, p.status, p.body)
	}
	return b, p, verifier
}

func regFields(email, pw string) map[string]string {
	return map[string]string{"email": email, "password": pw, "password_confirm": pw, "accept_terms": "on"}
}

// mails returns the queued messages of the kind to the address, newest first.
func (s *regSetup) mails(t *testing.T, kind, to string) []storage.Notification {
	t.Helper()
	s.srv.drain(t)
	list, err := s.srv.store.ListNotifications(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []storage.Notification
	for _, n := range list {
		if n.Kind == kind && n.To == to {
			out = append(out, n)
		}
	}
	return out
}

// activationLink takes the link from the plain-text part, where it stands
// on its own line.
func (s *regSetup) activationLink(t *testing.T, to string) string {
	t.Helper()
	mails := s.mails(t, "activation", to)
	if len(mails) != 1 {
		t.Fatalf("%d activation mails to %s, want 1", len(mails), to)
	}
	for _, line := range strings.Split(mails[0].Text, "\n") {
		if strings.HasPrefix(line, s.srv.issuer+"/register/activate?token=") {
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("no activation link in:\n%s", mails[0].Text)
	return ""
}

func (s *regSetup) exchange(t *testing.T, b *page, verifier, wantState string) *oidc.IDToken {
	t.Helper()
	loc := b.location(t)
	if loc.Query().Get("state") != wantState || loc.Query().Get("code") == "" {
		t.Fatalf("callback = %s", loc)
	}
	tok, err := s.rp.oauth.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := s.rp.verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	return id
}

// Register → activation mail → the link signs in and the relying party
// gets its code; an existing address gets the same page and its owner a
// mail instead.
func TestRegistrationWithActivation(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		s := newRegSetup(t, newStore(t), nil, authz.ClientSpec{})
		ctx := context.Background()
		owner := s.srv.account(t, "owner@example.com", alicePass)

		b, p, verifier := s.registerPage(t, "state-newcomer")
		fresh := b.submit(p, regFields("newcomer@example.com", newcomerPass))
		b2, p2, _ := s.registerPage(t, "state-taken")
		taken := b2.submit(p2, regFields("Owner@example.com", newcomerPass))
		// The pages differ only in their anti-forgery values and in naming
		// the address typed.
		hidden := regexp.MustCompile(`name="(interaction|sig)" value="[^"]*"|(interaction|sig)=[^"&]*`)
		same := func(body, typed string) string {
			return hidden.ReplaceAllString(strings.ReplaceAll(strings.ToLower(body), strings.ToLower(typed), "ADDRESS"), "")
		}
		if fresh.status != http.StatusOK || !strings.Contains(fresh.body, "Check your email") ||
			same(fresh.body, "newcomer@example.com") != same(taken.body, "Owner@example.com") || fresh.status != taken.status {
			t.Fatalf("new and taken addresses answered differently:\n%s\n---\n%s", fresh.body, taken.body)
		}
		if n := len(s.mails(t, "signup_attempt_existing", owner.Email)); n != 1 {
			t.Errorf("%d signup-attempt mails to the owner, want 1", n)
		}
		if n := len(s.mails(t, "activation", owner.Email)); n != 0 {
			t.Errorf("the owner got an activation mail")
		}

		acct, err := s.srv.store.FindAccountByIdentifier(ctx, defaultStoreID, storage.IdentifierEmail, "newcomer@example.com")
		if err != nil || acct.Status != storage.AccountPending || acct.EmailConfirmed {
			t.Fatalf("registered account = %+v, %v; want pending", acct, err)
		}
		consents, err := s.srv.store.ListConsents(ctx, acct.ID)
		if err != nil || len(consents) != 2 {
			t.Errorf("consent records = %+v, %v", consents, err)
		}
		// Waiting for activation: the right password does not sign in.
		b3 := newBrowser(t, s.srv.Listener.Addr().String())
		p3 := b3.get(s.rp.oauth.AuthCodeURL("state-pending", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		p3 = b3.submit(p3, map[string]string{"identifier": "newcomer@example.com"})
		p3 = b3.submit(p3, map[string]string{"password": newcomerPass})
		if p3.status != http.StatusForbidden || !strings.Contains(p3.body, "not activated yet") {
			t.Fatalf("pending account sign-in: %d\n%s", p3.status, p3.body)
		}

		link := s.activationLink(t, "newcomer@example.com")
		id := s.exchange(t, confirmLink(t, b, link), verifier, "state-newcomer")
		if id.Subject != acct.ID {
			t.Errorf("ID token subject %s, want %s", id.Subject, acct.ID)
		}
		expectAMR(t, "after an activation link", id, "1", "otp")
		acct, _ = s.srv.store.GetAccount(ctx, acct.ID)
		if acct.Status != storage.AccountEnabled || !acct.EmailConfirmed {
			t.Errorf("after activation: %+v", acct)
		}
		events, _ := s.srv.store.ListEvents(ctx, acct.ID, 20)
		kinds := map[string]bool{}
		for _, e := range events {
			kinds[e.Kind] = true
			if (e.Kind == "account.registered" || e.Kind == "account.activated") && (e.IP == "" || e.Data["user_agent"] == "") {
				t.Errorf("event %s without IP or user agent: %+v", e.Kind, e)
			}
		}
		if !kinds["account.registered"] || !kinds["account.activated"] {
			t.Errorf("events = %v", kinds)
		}

		// The link is single-use.
		deadLink(t, b, link, "activation link is invalid")
	})
}

// registered is the account registration created for the address.
func (s *regSetup) registered(t *testing.T, email string) *storage.Account {
	t.Helper()
	s.srv.drain(t)
	acct, err := s.srv.store.FindAccountByIdentifier(context.Background(), defaultStoreID, storage.IdentifierEmail, email)
	if err != nil {
		t.Fatalf("account %s: %v", email, err)
	}
	return acct
}
