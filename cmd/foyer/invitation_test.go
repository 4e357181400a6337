package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice/invite"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// TestInvitationThroughBrandPortal walks an invitation end to end with a
// real relying party (x/oauth2 and go-oidc) as the client's brand portal:
// the e-mail's link goes through /oauth2/initiate to the portal, which
// starts the authorization request with the login hint; the invitee signs
// up on the pre-filled page and the relying party gets an ID token of the
// new account, signed in to the organization with its role there. The
// link then fails. A second invitation opened in the now signed-in browser
// through a portal that does not ask for prompt=login still reaches the
// sign-in pages, which say the invitation is for another address.
func TestInvitationThroughBrandPortal(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		pol := storage.DefaultSelfServicePolicy()
		pol.RegistrationEnabled = false // the invitation is the permission
		app := &storage.Application{StoreID: defaultStoreID, Name: "Acme Portal", Organizational: true, SelfService: pol}
		org := &storage.Organization{StoreID: defaultStoreID, Name: "Acme Corp"}
		buyer := &storage.StoreRole{StoreID: defaultStoreID, Name: "buyer", Assignable: true}
		invMust(t, srv.store.CreateApplication(ctx, app))
		invMust(t, srv.store.CreateOrganization(ctx, org))
		invMust(t, srv.store.CreateStoreRole(ctx, buyer))

		var rp *relyingParty
		verifier, nonce := oauth2.GenerateVerifier(), "nonce-0001"
		promptLogin := true
		portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if q.Get("iss") != srv.issuer {
				http.Error(w, "wrong issuer", http.StatusBadRequest)
				return
			}
			opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce),
				oauth2.SetAuthURLParam("login_hint", q.Get("login_hint"))}
			if promptLogin {
				opts = append(opts, oauth2.SetAuthURLParam("prompt", "login"))
			}
			http.Redirect(w, r, rp.oauth.AuthCodeURL("state-0001", opts...), http.StatusFound)
		}))
		defer portal.Close()
		clientID, secret := srv.client(t, authz.ClientSpec{Name: "Acme Portal", ApplicationID: app.ID, RedirectURIs: []string{rpCallback},
			InitiateLoginURI: portal.URL + "/start", GrantTypes: []string{"authorization_code"}, FirstParty: true,
			Scopes: []string{"openid", "email", "roles"}})
		rp = newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "email", "roles")

		renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
		invMust(t, err)
		invitations := newInvitationService(srv.issuer, srv.store, srv.notifications, renderer, nil)
		send := func(email string) string {
			_, err := invitations.Send(ctx, invite.Request{StoreID: defaultStoreID, OrganizationID: org.ID, ClientID: clientID,
				Email: email, RoleIDs: []string{buyer.ID}, By: invite.Sender{Kind: "administrator", ID: "a1", Name: "Olivia Ops"}})
			invMust(t, err)
			return lastInvitationLink(t, srv)
		}
		link := send("new.hire@example.com")

		b := newBrowser(t, srv.Listener.Addr().String())
		toPortal := b.get(link).location(t)
		if !strings.HasPrefix(toPortal.String(), portal.URL+"/start?") {
			t.Fatalf("the invitation link led to %s", toPortal)
		}
		signup := b.get(toPortal.String()) // the portal starts the authorization request
		if !strings.Contains(signup.body, `value="new.hire@example.com"`) || !strings.Contains(signup.body, "Acme Corp") ||
			!strings.Contains(signup.body, `name="password_confirm"`) {
			t.Fatalf("no pre-filled sign-up (%d at %s):\n%s", signup.status, signup.url, signup.body)
		}
		cb := b.submit(signup, map[string]string{"password": "plum-velvet-harbor-42", "password_confirm": "plum-velvet-harbor-42",
			"accept_terms": "on"}).location(t)
		tok, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
		invMust(t, err)
		idToken, err := rp.verifier.Verify(ctx, tok.Extra("id_token").(string))
		invMust(t, err)
		var claims struct {
			OrgID string   `json:"org_id"`
			Roles []string `json:"roles"`
		}
		invMust(t, idToken.Claims(&claims))
		info := userInfoClaims(t, rp, tok) // the e-mail claims are UserInfo's
		if idToken.Nonce != nonce || info["email"] != "new.hire@example.com" || info["email_verified"] != true {
			t.Errorf("ID token nonce %q, UserInfo %v", idToken.Nonce, info)
		}
		if claims.OrgID != org.ID || len(claims.Roles) != 1 || claims.Roles[0] != "buyer" {
			t.Errorf("organization claims = %+v; want buyer in %s", claims, org.ID)
		}

		promptLogin = false
		second := b.get(b.get(send("second.hire@example.com")).location(t).String())
		if !strings.Contains(second.body, "This invitation is for another address") || !strings.Contains(second.body, "second.hire@example.com") {
			t.Errorf("a signed-in browser opening another address's invitation: %d at %s\n%s", second.status, second.url, second.body)
		}

		again := newBrowser(t, srv.Listener.Addr().String())
		page := again.get(again.get(link).location(t).String())
		if page.status != http.StatusGone || !strings.Contains(page.body, "This invitation is no longer valid") {
			t.Errorf("the used link: %d\n%s", page.status, page.body)
		}
	})
}

// invitationLink is the link in the newest invitation e-mail.
func lastInvitationLink(t *testing.T, srv *testServer) string {
	t.Helper()
	msgs, err := srv.store.ListNotifications(context.Background(), 20)
	invMust(t, err)
	for _, m := range msgs {
		if m.Kind == "invitation" {
			if link := regexp.MustCompile(regexp.QuoteMeta(srv.issuer) + `/oauth2/initiate\?\S+`).FindString(m.Text); link != "" {
				return link
			}
		}
	}
	t.Fatal("no invitation e-mail with a link")
	return ""
}

func invMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
