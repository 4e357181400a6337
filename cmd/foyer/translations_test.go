package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage/sqlstore/sqltest"
)

// TestTranslationPackagesOnPages: a store's "fr" package with changed
// strings and a package for a new language, "sv", uploaded through the
// admin API of a running server: the sign-in page asked for in French
// shows the changed string and offers Svenska in its picker, the picker
// switches the page to Swedish, and an invitation e-mail in French (the
// invitee's language) uses the package (seed 004).
func TestTranslationPackagesOnPages(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		InitiateLoginURI: "https://shop.example/start", GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, "openid")
	api, _ := newAdminAPI(t, srv)
	store := "/stores/" + defaultStoreID + "/translations/"
	up := api.do(http.MethodPut, store+"fr", map[string]string{
		"login.identifier_label":   "Courriel ou identifiant",
		"email.invitation.subject": "Vous êtes invité(e) à %s",
		"email.invitation.intro":   "Vous êtes invité(e) à créer un compte pour %s.",
	}).expect(t, "upload fr", http.StatusOK, "")
	if up.body["missing"] == float64(0) || up.body["keys"] != float64(3) {
		t.Errorf("upload answer %s", up.raw)
	}
	api.do(http.MethodPut, store+"sv", map[string]string{"login.identifier_label": "E-post eller användarnamn"}).
		expect(t, "upload sv", http.StatusOK, "")
	api.do(http.MethodPut, store+"fr", map[string]string{"login.title": "Connexion %s"}).
		expect(t, "a changed placeholder", http.StatusUnprocessableEntity, "catalog.login.title")

	b := newBrowser(t, srv.Listener.Addr().String())
	p := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("ui_locales", "fr")))
	for _, want := range []string{`<html lang="fr" dir="ltr">`, "Courriel ou identifiant", `>Svenska</option>`,
		`>Français</option>`, `action="/language"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("French sign-in page lacks %q:\n%s", want, p.body)
		}
	}
	// The picker: a GET form back to the same page, now in Swedish.
	sv := b.get(srv.issuer + "/language?lang=sv&return=" + url.QueryEscape(p.url.RequestURI()))
	if sv.url.Path != "/login" || !strings.Contains(sv.body, "E-post eller användarnamn") || !strings.Contains(sv.body, `lang="sv"`) {
		t.Errorf("after picking Swedish: %s\n%s", sv.url, sv.body)
	}
	// The pick outlasts the page: a new sign-in with ui_locales=fr stays
	// Swedish in this browser, and a fresh browser gets French.
	again := b.get(rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("ui_locales", "fr")))
	if !strings.Contains(again.body, `lang="sv"`) {
		t.Errorf("ui_locales=fr after picking Swedish:\n%s", again.body)
	}

	api.do(http.MethodPost, "/stores/"+defaultStoreID+"/invitations",
		map[string]any{"client_id": clientID, "email": "marie@example.com", "language": "fr"}).
		expect(t, "invite in French", http.StatusCreated, "")
	msgs, err := srv.store.ListNotifications(context.Background(), 20)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range msgs {
		if m.To == "marie@example.com" && m.Kind == "invitation" {
			found = true
			if !strings.HasPrefix(m.Subject, "Vous êtes invité(e) à ") || !strings.Contains(m.Text, "Vous êtes invité(e) à créer un compte pour") {
				t.Errorf("invitation e-mail not in the package's French: %q\n%s", m.Subject, m.Text)
			}
		}
	}
	if !found {
		t.Fatalf("no invitation e-mail in %+v", msgs)
	}
	// Deleting the package brings back the built-in French (French ships).
	api.do(http.MethodDelete, store+"fr", nil).expect(t, "delete fr", http.StatusNoContent, "")
	gone := newBrowser(t, srv.Listener.Addr().String()).get(rp.oauth.AuthCodeURL("state-0003",
		oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("ui_locales", "fr")))
	if strings.Contains(gone.body, "Courriel ou identifiant") || !strings.Contains(gone.body, "E-mail ou nom d&#39;utilisateur") {
		t.Errorf("the deleted package still shows:\n%s", gone.body)
	}
}
