package selfservice_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"foyer/selfservice/selfservicetest"
	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// newExternalInviteEnv is an inviteEnv whose invitees may change the
// address and sign up with the upstream provider "up-1", and whose
// application requires a second factor (so an external sign-up stops at
// the enrollment, before the session starts).
func newExternalInviteEnv(t *testing.T, s storage.Store) *inviteEnv {
	t.Helper()
	ctx := context.Background()
	e := newInviteEnv(t, s, func(p *storage.SelfServicePolicy) {
		p.Onboarding.InviteeMayChangeEmail = true
		p.External.Providers, p.External.Invitations = []string{"up-1"}, true
	})
	invMust(t, s.CreateUpstreamProvider(ctx, &storage.UpstreamProvider{ID: "up-1", StoreID: selfservicetest.StoreID,
		Name: "Upstream One", Kind: storage.UpstreamOAuth2, AuthURL: "https://up.example/authorize",
		TokenURL: "https://up.example/token", UserInfoURL: "https://up.example/userinfo", ClientID: "foyer", Enabled: true}))
	invMust(t, s.SetMFAPolicy(ctx, selfservicetest.AppID, storage.MFAPolicy{Mode: storage.MFARequired}))
	return e
}

// externalStart finishes the upstream sign-in of the invitee's identity
// in browser b's interaction id, as the callback would, and follows its
// redirect to the registration page in external mode (the application
// has consent documents to accept).
func (e *inviteEnv) externalStart(t *testing.T, b *selfservicetest.Browser, id string) *selfservicetest.Page {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, e.Server.URL+"/login/external/up-1/callback", nil)
	u, _ := url.Parse(e.Server.URL)
	for _, c := range b.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	rec, err := e.Handler.ExternalSignInForTest(req, id, "up-1",
		&upstream.Identity{Subject: "sub-" + id, Email: invitee, EmailVerified: true})
	invMust(t, err)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "/register?") {
		t.Fatalf("external sign-in: %d\n%s", rec.Code, rec.Body)
	}
	p := b.Get(e.Server.URL + rec.Header().Get("Location"))
	if !strings.Contains(p.Body, "Upstream One") || p.Has("password") {
		t.Fatalf("the external registration page: %d\n%s", p.Status, p.Body)
	}
	return p
}

var externalFields = map[string]string{"accept_terms": "on", "attr.given_name": "Ada Lovelace"}

func (e *inviteEnv) accountsOf(t *testing.T, emails ...string) []*storage.Account {
	t.Helper()
	var out []*storage.Account
	for _, email := range emails {
		if a, err := e.Store.FindAccountByIdentifier(context.Background(), selfservicetest.StoreID, storage.IdentifierEmail, email); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// An invitee's upstream sign-up keeps the invitation's values of the
// attributes the page does not edit: they were refused as "cannot be set
// here" (checked as if posted), so no invitation whose sender set one
// could be accepted with an upstream identity.
func TestInvitationExternalSignUpKeepsAttributes(t *testing.T) {
	t.Parallel()
	e := newExternalInviteEnv(t, sqltest.SQLite(t))
	_, hint := e.invite(t, invitee)
	id, b, _ := e.open(t, selfservicetest.ClientID, hint)
	if done := b.Submit(e.externalStart(t, b, id), externalFields); done.Status != http.StatusOK {
		t.Fatalf("external sign-up: %d\n%s", done.Status, done.Body)
	}
	accts := e.accountsOf(t, invitee)
	if len(accts) != 1 || accts[0].Attributes["department"] != "Sales" || accts[0].Attributes["employee_id"] != "E-17" ||
		accts[0].Attributes["given_name"] != "Ada Lovelace" {
		t.Fatalf("accounts %+v; want one with the invitation's attributes", accts)
	}
}

// An invitee's upstream sign-up accepts the invitation in the account's
// own transaction: the link is used as soon as the account exists (not
// when the session starts, after the second factor), so a password
// sign-up with the same link afterwards makes no second account where
// registration is off.
func TestInvitationExternalSignUpAcceptsAtOnce(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		s := newStore(t)
		e := newExternalInviteEnv(t, s)
		inv, hint := e.invite(t, invitee)
		_, pwB, pwPage := e.open(t, selfservicetest.ClientID, hint)
		extID, extB, _ := e.open(t, selfservicetest.ClientID, hint)

		if done := extB.Submit(e.externalStart(t, extB, extID), externalFields); done.Status != http.StatusOK || e.WasResumed(extID) {
			t.Fatalf("external sign-up (on to the second factor): %d\n%s", done.Status, done.Body)
		}
		accts := e.accountsOf(t, invitee)
		if len(accts) != 1 {
			t.Fatalf("external sign-up made %d accounts", len(accts))
		}
		got, err := s.GetInvitation(context.Background(), selfservicetest.StoreID, inv.ID)
		invMust(t, err)
		if got.Status != storage.InvitationDone || got.AccountID != accts[0].ID {
			t.Errorf("invitation after the external sign-up = %+v; want done by %s", got, accts[0].ID)
		}
		checkJoined(t, e, accts[0].ID)

		late := pwB.Submit(pwPage, inviteeFields("second@example.com"))
		if late.Status != http.StatusGone {
			t.Errorf("a password sign-up with the used link: %d\n%s", late.Status, late.Body)
		}
		if n := len(e.accountsOf(t, invitee, "second@example.com")); n != 1 {
			t.Errorf("one link made %d accounts", n)
		}
	})
}

// An upstream sign-up and a password sign-up with one link, at once
// (PostgreSQL, where they really run in parallel): one account.
func TestInvitationExternalSignUpRace(t *testing.T) {
	t.Parallel()
	e := newExternalInviteEnv(t, sqltest.Postgres(t))
	inv, hint := e.invite(t, invitee)
	_, pwB, pwPage := e.open(t, selfservicetest.ClientID, hint)
	extID, extB, _ := e.open(t, selfservicetest.ClientID, hint)
	extPage := e.externalStart(t, extB, extID)
	var wg sync.WaitGroup
	start := make(chan struct{})
	var pw, ext *selfservicetest.Page
	wg.Add(2)
	go func() { defer wg.Done(); <-start; pw = pwB.Submit(pwPage, inviteeFields("second@example.com")) }()
	go func() { defer wg.Done(); <-start; ext = extB.Submit(extPage, externalFields) }()
	close(start)
	wg.Wait()
	accts := e.accountsOf(t, invitee, "second@example.com")
	if len(accts) != 1 {
		t.Fatalf("one link made %d accounts (password sign-up %d, external %d)", len(accts), pw.Status, ext.Status)
	}
	got, err := e.Store.GetInvitation(context.Background(), selfservicetest.StoreID, inv.ID)
	invMust(t, err)
	if got.Status != storage.InvitationDone || got.AccountID != accts[0].ID {
		t.Errorf("invitation = %+v; want done by %s", got, accts[0].ID)
	}
	if (pw.Status == http.StatusGone) == (ext.Status == http.StatusGone) {
		t.Errorf("password sign-up %d, external %d: want the loser told the link is no longer valid\n%s\n%s",
			pw.Status, ext.Status, pw.Body, ext.Body)
	}
}
