package main

import (
	"bytes"
	"context"
	"image/color"
	"io"
	"net/http"
	"strings"
	"testing"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// An organization's own branding wins for what belongs to it (its portal
// pages, its invitations, support's notices to its members), field by
// field: what it leaves unset comes from its application.
func TestBrandingOrganizationOverride(t *testing.T) {
	t.Parallel()
	fx := newBrandFixture(t, sqltest.SQLite(t))
	ctx := context.Background()
	store := fx.srv.store
	crew := fx.alpha // an organizational application
	app, err := store.GetApplication(ctx, crew.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	app.Organizational = true
	if err := store.UpdateApplication(ctx, app, app.Version); err != nil {
		t.Fatal(err)
	}
	org := &storage.Organization{StoreID: defaultStoreID, Name: "delta", DisplayName: "Delta Docks",
		Branding: storage.Branding{LogoAsset: putAsset(t, store, "image/png", tinyPNG(t, color.RGBA{1, 2, 3, 0xff})),
			StyleAsset: putAsset(t, store, "text/css", []byte(":root{--primary:#0969da}\n")), SupportURL: "https://delta.example/help"}}
	if err := store.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	admin := &storage.StoreRole{StoreID: defaultStoreID, Name: "customer admin", OrganizationAdmin: true}
	if err := store.CreateStoreRole(ctx, admin); err != nil {
		t.Fatal(err)
	}
	u := newPortalUser(t, fx.srv, "boss@delta.example")
	if err := store.AssignAccountRole(ctx, &storage.AccountRole{StoreID: defaultStoreID, AccountID: u.account.ID,
		OrganizationID: org.ID, RoleID: admin.ID}); err != nil {
		t.Fatal(err)
	}
	if err := store.AddOrganizationMember(ctx, &storage.OrganizationMember{StoreID: defaultStoreID, OrganizationID: org.ID,
		AccountID: u.account.ID}); err != nil {
		t.Fatal(err)
	}
	// The organization's fields, and the application's where it sets none
	// (colour, favicon, terms, privacy, support address); its stylesheet
	// after the application's, so its rules win.
	orgMarks := []string{"Delta Docks", `src="/brand/` + org.Branding.LogoAsset + `"`, `href="https://delta.example/help"`,
		"brand.css?c=" + strings.TrimPrefix(crew.color, "#"), `href="/brand/` + crew.favicon + `"`,
		`href="` + crew.terms + `"`, `href="` + crew.privacy + `"`, `href="mailto:` + crew.supportEmail + `"`,
		`href="/brand/` + crew.style + `">` + "\n" + `<link rel="stylesheet" href="/brand/` + org.Branding.StyleAsset + `"`}
	overridden := []string{crew.logo, crew.support}

	p := u.get("/account/organizations/" + org.ID + "?app=" + crew.app.ID)
	wantStatus(t, "organization page", p, http.StatusOK)
	wantBody(t, "organization page", p, orgMarks...)
	for _, m := range append(overridden, fx.beta.leakMarks()...) {
		if strings.Contains(p.body, m) {
			t.Errorf("organization page shows %q:\n%s", m, p.body)
		}
	}
	// The rest of the portal is the application's.
	crew.wears(t, "portal outside the organization", u.get("/account/profile"), fx.beta)

	// Invitations name a client with a brand portal to start at.
	inviting, _ := fx.srv.client(t, authz.ClientSpec{ApplicationID: crew.app.ID, Name: "Crew portal", RedirectURIs: []string{rpCallback},
		InitiateLoginURI: "https://crew.example/start", GrantTypes: []string{"authorization_code"}, FirstParty: true})
	p = u.post("/account/organizations/"+org.ID+"/invitations", "email", "hire@delta.example", "client_id", inviting)
	wantBody(t, "invite", p, "hire@delta.example")
	fx.orgMailWears(t, "invitation e-mail", fx.in.Next(t, "hire@delta.example"), org, crew)

	// Support sets a password and tells the member through the
	// application: the organization's look.
	api, _ := newAdminAPI(t, fx.srv)
	api.do(http.MethodPut, "/stores/"+defaultStoreID+"/accounts/"+u.account.ID+"/password",
		map[string]any{"password": "a-support-set-password-9", "notify": map[string]string{"client_id": crew.rp.oauth.ClientID}}).
		expect(t, "support sets a password", http.StatusNoContent, "")
	fx.orgMailWears(t, "support's notice", fx.in.Next(t, u.account.Email), org, crew)
	api.do(http.MethodPost, "/stores/"+defaultStoreID+"/accounts/"+u.account.ID+"/password-reset",
		map[string]string{"client_id": crew.rp.oauth.ClientID}).expect(t, "support sends a reset link", http.StatusAccepted, "")
	fx.orgMailWears(t, "support's reset link", fx.in.Next(t, u.account.Email), org, crew)
	api.do(http.MethodPost, "/stores/"+defaultStoreID+"/accounts/"+u.account.ID+"/contacts",
		map[string]any{"kind": "email", "address": "boss.new@delta.example", "client_id": crew.rp.oauth.ClientID}).
		expect(t, "support sends a contact code", http.StatusAccepted, "")
	fx.orgMailWears(t, "support's contact code", fx.in.Next(t, "boss.new@delta.example"), org, crew)
}

// orgMailWears checks an e-mail of org's: its name, logo and support link,
// app's terms and privacy links, nothing of app's overridden logo and link
// or of the other application.
func (fx *brandFixture) orgMailWears(t *testing.T, what string, m delivered, org *storage.Organization, app *brandApp) {
	t.Helper()
	m.Branded(t, "Delta Docks")
	for _, want := range []string{`src="` + fx.srv.issuer + "/brand/" + org.Branding.LogoAsset + `"`, org.Branding.SupportURL,
		app.terms, app.privacy, app.supportEmail} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("%s: HTML part lacks %q:\n%s", what, want, m.HTML)
		}
	}
	for _, want := range []string{"Delta Docks", org.Branding.SupportURL + "\n", app.terms + "\n"} {
		if !strings.Contains(m.Text+"\n", want) {
			t.Errorf("%s: text part lacks %q:\n%s", what, want, m.Text)
		}
	}
	for _, leak := range []string{app.logo, app.support} {
		if strings.Contains(m.HTML+m.Text, leak) {
			t.Errorf("%s shows the application's overridden %q:\n%s", what, leak, m.HTML)
		}
	}
	noLeak(t, what, m.HTML+m.Text, fx.beta)
}

// GET /brand/{hash}: the bytes with their type, cached for good, revalidated
// by ETag; an unknown or malformed hash is 404.
func TestBrandAssetServed(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	data := tinyPNG(t, color.RGBA{9, 8, 7, 0xff})
	hash := putAsset(t, srv.store, "image/png", data)
	resp, err := http.Get(srv.issuer + "/brand/" + hash)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) || h.Get("Content-Type") != "image/png" ||
		h.Get("Cache-Control") != "public, max-age=31536000, immutable" || h.Get("ETag") != `"`+hash+`"` ||
		h.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("asset: %d %v, %d bytes", resp.StatusCode, h, len(body))
	}
	req, _ := http.NewRequest(http.MethodGet, srv.issuer+"/brand/"+hash, nil)
	req.Header.Set("If-None-Match", `"`+hash+`"`)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with its ETag: %d, want 304", resp.StatusCode)
	}
	unknown := strings.Repeat("ab", 32)
	for _, path := range []string{unknown, strings.ToUpper(hash), hash[:10], "zz" + hash[2:], hash + "x"} {
		resp, err := http.Get(srv.issuer + "/brand/" + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("/brand/%s: %d, want 404", path, resp.StatusCode)
		}
	}
}
