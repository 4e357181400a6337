package main

import (
	"context"
	"crypto/sha256"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

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
		hidden := regexp.MustCompile(`name="(interaction|sig)" value="[^"]*"`)
		if fresh.status != http.StatusOK || !strings.Contains(fresh.body, "Check your e-mail") ||
			hidden.ReplaceAllString(fresh.body, "") != hidden.ReplaceAllString(taken.body, "") || fresh.status != taken.status {
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

// Forged and expired links get a clear page; a link whose request is gone
// goes to the brand portal with the address as login_hint.
func TestActivationLinks(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), nil, authz.ClientSpec{InitiateLoginURI: "http://127.0.0.1:9/portal"})
	ctx := context.Background()
	deadLink(t, newBrowser(t, s.srv.Listener.Addr().String()), s.srv.URL+"/register/activate?token=forged", "activation link is invalid")

	pending := &storage.Account{StoreID: defaultStoreID, Status: storage.AccountPending, Email: "late@example.com"}
	if err := s.srv.store.CreateAccount(ctx, pending); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("expired-token"))
	if err := s.srv.store.CreateOneTimeSecret(ctx, &storage.OneTimeSecret{Purpose: "activation", Hash: sum[:],
		AccountID: pending.ID, ExpiresAt: time.Now().Add(-time.Minute), CreatedAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	deadLink(t, newBrowser(t, s.srv.Listener.Addr().String()), s.srv.URL+"/register/activate?token=expired-token", "activation link is invalid")

	// The request was answered meanwhile: the client's brand portal, with
	// the address as login_hint.
	b, p, _ := s.registerPage(t, "state-portal")
	b.submit(p, regFields("portal@example.com", newcomerPass))
	link := s.activationLink(t, "portal@example.com")
	acct := s.registered(t, "portal@example.com")
	in := s.interactionOf(t, acct.ID)
	in.SessionID = "answered-elsewhere"
	if err := s.srv.store.UpdateInteraction(ctx, in); err != nil {
		t.Fatal(err)
	}
	loc := confirmLink(t, newBrowser(t, s.srv.Listener.Addr().String()), link).location(t)
	if loc.Host != "127.0.0.1:9" || loc.Path != "/portal" || loc.Query().Get("login_hint") != "portal@example.com" ||
		loc.Query().Get("iss") != s.srv.issuer {
		t.Errorf("activation after the request was answered went to %s", loc)
	}

	// A self-registered client's initiate_login_uri is no portal the
	// operator vouched for: no redirect there, the "account is active" page.
	c, err := s.srv.store.GetClient(ctx, s.rp.oauth.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	c.RegistrationTokenHash = []byte("digest")
	if err := s.srv.store.UpdateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	b, p, _ = s.registerPage(t, "state-self-registered")
	b.submit(p, regFields("selfreg@example.com", newcomerPass))
	link = s.activationLink(t, "selfreg@example.com")
	elsewhere := confirmLink(t, newBrowser(t, s.srv.Listener.Addr().String()), link)
	if elsewhere.status != http.StatusOK || !strings.Contains(elsewhere.body, "Your account is active") {
		t.Errorf("activation for a self-registered client: %d\n%s", elsewhere.status, elsewhere.body)
	}
	c.RegistrationTokenHash = nil
	if err := s.srv.store.UpdateClient(ctx, c); err != nil {
		t.Fatal(err)
	}

	// The request is gone: a page saying the account is active.
	b, p, _ = s.registerPage(t, "state-gone-away")
	b.submit(p, regFields("gone@example.com", newcomerPass))
	link = s.activationLink(t, "gone@example.com")
	acct = s.registered(t, "gone@example.com")
	if err := s.srv.store.DeleteInteraction(ctx, s.interactionOf(t, acct.ID).ID); err != nil {
		t.Fatal(err)
	}
	other := confirmLink(t, newBrowser(t, s.srv.Listener.Addr().String()), link)
	if other.status != http.StatusOK || !strings.Contains(other.body, "Your account is active") {
		t.Errorf("activation without its request: %d\n%s", other.status, other.body)
	}
}

// interactionOf is the interaction the account's activation secret names.
func (s *regSetup) interactionOf(t *testing.T, accountID string) *storage.Interaction {
	t.Helper()
	sec, err := s.srv.store.LatestOneTimeSecret(context.Background(), accountID, "activation")
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.srv.store.GetInteraction(context.Background(), sec.Data)
	if err != nil {
		t.Fatalf("interaction %s: %v", sec.Data, err)
	}
	return in
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

// TestSignupAttemptLinksToThePortal: when the client has a brand portal, the
// "someone tried to sign up" mail links to a sign-in there, address filled in.
func TestSignupAttemptLinksToThePortal(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), nil, authz.ClientSpec{InitiateLoginURI: "https://portal.example/login"})
	s.srv.account(t, "owner@example.com", alicePass)
	b, p, _ := s.registerPage(t, "state-portal")
	b.submit(p, regFields("owner@example.com", "a-new-and-long-password"))
	mails := s.mails(t, "signup_attempt_existing", "owner@example.com")
	if len(mails) != 1 {
		t.Fatalf("%d signup-attempt mails, want 1", len(mails))
	}
	want := s.srv.issuer + "/oauth2/initiate?client_id=" + s.rp.oauth.ClientID + "&login_hint=owner%40example.com"
	if !strings.Contains(mails[0].Text, "\n"+want+"\n") {
		t.Fatalf("the mail does not link to a sign-in at the portal (%s):\n%s", want, mails[0].Text)
	}
}
