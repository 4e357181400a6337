package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice/invite"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// TestExtSignInInvitation: where the application lets invitees use
// upstream providers, the invitation's sign-up shows the buttons; an
// invitation that fixes the address takes only an identity with that
// address, verified, and is accepted at sign-in.
func TestExtSignInInvitation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newExtFixture(t, sqltest.SQLite(t), sqltest.SQLite(t), nil)
	pol := storage.DefaultSelfServicePolicy()
	pol.RegistrationEnabled = false // the invitation is the permission
	pol.External.Providers, pol.External.Invitations = []string{fx.provider.ID}, true
	app := &storage.Application{StoreID: defaultStoreID, Name: "Acme Portal", Organizational: true, SelfService: pol}
	invMust(t, fx.down.store.CreateApplication(ctx, app))
	org := &storage.Organization{StoreID: defaultStoreID, Name: "Acme Corp"}
	buyer := &storage.StoreRole{StoreID: defaultStoreID, Name: "buyer", Assignable: true}
	invMust(t, fx.down.store.CreateOrganization(ctx, org))
	invMust(t, fx.down.store.CreateStoreRole(ctx, buyer))
	portalClient, secret := fx.down.client(t, authz.ClientSpec{Name: "Acme Portal", ApplicationID: app.ID, RedirectURIs: []string{rpCallback},
		InitiateLoginURI: "https://portal.example/start", GrantTypes: []string{"authorization_code"}, FirstParty: true})
	fx.rp = newRelyingParty(t, fx.down.issuer, portalClient, secret, "openid")
	renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
	invMust(t, err)
	invitations := newInvitationService(fx.down.issuer, fx.down.store, fx.down.notifications, renderer, nil)
	_, err = invitations.Send(ctx, invite.Request{StoreID: defaultStoreID, OrganizationID: org.ID, ClientID: portalClient,
		Email: "jill@example.com", RoleIDs: []string{buyer.ID}, By: invite.Sender{Kind: "administrator", ID: "a1", Name: "Olivia Ops"}})
	invMust(t, err)
	link, err := url.Parse(lastInvitationLink(t, fx.down))
	invMust(t, err)
	hint := link.Query().Get("login_hint")

	// The brand portal would start this request with the invitation's hint.
	startInvited := func(state string) *flow {
		b := fx.browser(t)
		f := &flow{b: b, verifier: oauth2.GenerateVerifier(), state: state}
		f.page = b.get(fx.rp.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(f.verifier), oauth2.SetAuthURLParam("login_hint", hint)))
		if !strings.Contains(f.page.body, `value="jill@example.com"`) || !strings.Contains(f.page.body, "Continue with "+upstreamName) {
			t.Fatalf("expected the invitation's sign-up with the buttons, got %d at %s:\n%s", f.page.status, f.page.url, f.page.body)
		}
		return f
	}

	fx.upAccount(t, "kim@example.com", true)
	wrong := startInvited("state-wrong")
	p := wrong.upstreamSignIn(t, fx.provider.ID, "kim@example.com")
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "This invitation is for jill@example.com") {
		t.Fatalf("another address: %d\n%s", p.status, p.body)
	}
	if _, err := fx.down.store.FindAccountByIdentifier(ctx, defaultStoreID, storage.IdentifierEmail, "kim@example.com"); err == nil {
		t.Fatal("an account was created for another address")
	}

	fx.upAccount(t, "jill@example.com", true)
	right := startInvited("state-right")
	p = right.upstreamSignIn(t, fx.provider.ID, "jill@example.com")
	right.page = right.b.submit(p, map[string]string{"accept_terms": "on"})
	sub, _, _ := fx.idClaims(t, right)
	if ev := fx.events(t, sub); !strings.Contains(ev, "invitation.accepted") || !strings.Contains(ev, "external.registered") {
		t.Fatalf("events:\n%s", ev)
	}
}
