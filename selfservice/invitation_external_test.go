package selfservice_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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
