package storagetest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"foyer/storage"
)

// onboardingAreas test partner codes, partner lookups, invitations and
// the organization fields B2B registration uses.
var onboardingAreas = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"PartnerCodes", testPartnerCodes},
	{"PartnerCodeLimits", testPartnerCodeLimits},
	{"PartnerCodeRollback", testPartnerCodeRollback},
	{"PartnerLookups", testPartnerLookups},
	{"Invitations", testInvitations},
	{"InvitationList", testInvitationList},
	{"InvitationSingleUse", testInvitationSingleUse},
	{"OrganizationFields", testOrganizationFields},
	{"OrganizationBranding", testOrganizationBranding},
	{"Branding", testBranding},
}

func digest(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func newOrganization(t *testing.T, s storage.Store, storeID string, partner bool) *storage.Organization {
	t.Helper()
	o := &storage.Organization{StoreID: storeID, Name: unique("org"), Partner: partner}
	must(t, "CreateOrganization", s.CreateOrganization(t.Context(), o))
	return o
}

func testPartnerCodes(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st, other := newIdentityStore(t, s), newIdentityStore(t, s)
	partner, customer := newOrganization(t, s, st.ID, true), newOrganization(t, s, st.ID, false)
	now := time.Now().UTC()

	wantErr(t, "SetPartnerCode on a customer", s.SetPartnerCode(ctx,
		&storage.PartnerCode{StoreID: st.ID, OrganizationID: customer.ID, CodeHash: digest("c")}), storage.ErrNotFound)
	wantErr(t, "SetPartnerCode in another store", s.SetPartnerCode(ctx,
		&storage.PartnerCode{StoreID: other.ID, OrganizationID: partner.ID, CodeHash: digest("x")}), storage.ErrNotFound)
	_, err := s.GetPartnerCode(ctx, st.ID, partner.ID)
	wantErr(t, "GetPartnerCode before any", err, storage.ErrNotFound)

	must(t, "SetPartnerCode", s.SetPartnerCode(ctx, &storage.PartnerCode{StoreID: st.ID, OrganizationID: partner.ID, CodeHash: digest("one")}))
	org, err := s.RedeemPartnerCode(ctx, st.ID, digest("one"), now)
	must(t, "RedeemPartnerCode", err)
	if org.ID != partner.ID || !org.Partner {
		t.Fatalf("RedeemPartnerCode = %+v; want partner %s", org, partner.ID)
	}
	_, err = s.RedeemPartnerCode(ctx, other.ID, digest("one"), now)
	wantErr(t, "RedeemPartnerCode in another store", err, storage.ErrNotFound)
	_, err = s.RedeemPartnerCode(ctx, st.ID, digest("unknown"), now)
	wantErr(t, "RedeemPartnerCode unknown", err, storage.ErrNotFound)

	// Rotation: the old code stops working, uses start again.
	must(t, "SetPartnerCode again", s.SetPartnerCode(ctx, &storage.PartnerCode{StoreID: st.ID, OrganizationID: partner.ID, CodeHash: digest("two")}))
	_, err = s.RedeemPartnerCode(ctx, st.ID, digest("one"), now)
	wantErr(t, "RedeemPartnerCode with a rotated code", err, storage.ErrNotFound)
	got, err := s.GetPartnerCode(ctx, st.ID, partner.ID)
	must(t, "GetPartnerCode", err)
	if !bytes.Equal(got.CodeHash, digest("two")) || got.Uses != 0 || got.CreatedAt.IsZero() {
		t.Errorf("GetPartnerCode after rotation = %+v", got)
	}
	must(t, "DeletePartnerCode", s.DeletePartnerCode(ctx, st.ID, partner.ID))
	wantErr(t, "DeletePartnerCode twice", s.DeletePartnerCode(ctx, st.ID, partner.ID), storage.ErrNotFound)
	_, err = s.RedeemPartnerCode(ctx, st.ID, digest("two"), now)
	wantErr(t, "RedeemPartnerCode after deletion", err, storage.ErrNotFound)
}

func testPartnerCodeLimits(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st := newIdentityStore(t, s)
	limited, expiring := newOrganization(t, s, st.ID, true), newOrganization(t, s, st.ID, true)
	now := time.Now().UTC()
	must(t, "SetPartnerCode limited", s.SetPartnerCode(ctx, &storage.PartnerCode{StoreID: st.ID,
		OrganizationID: limited.ID, CodeHash: digest("limited"), MaxUses: 2}))
	for i := range 2 {
		if _, err := s.RedeemPartnerCode(ctx, st.ID, digest("limited"), now); err != nil {
			t.Fatalf("use %d of 2: %v", i+1, err)
		}
	}
	_, err := s.RedeemPartnerCode(ctx, st.ID, digest("limited"), now)
	wantErr(t, "RedeemPartnerCode used up", err, storage.ErrNotFound)
	got, err := s.GetPartnerCode(ctx, st.ID, limited.ID)
	must(t, "GetPartnerCode", err)
	if got.Uses != 2 || got.MaxUses != 2 {
		t.Errorf("uses = %d of %d; want 2 of 2", got.Uses, got.MaxUses)
	}

	exp := now.Add(time.Hour)
	must(t, "SetPartnerCode expiring", s.SetPartnerCode(ctx, &storage.PartnerCode{StoreID: st.ID,
		OrganizationID: expiring.ID, CodeHash: digest("expiring"), ExpiresAt: &exp}))
	if _, err := s.RedeemPartnerCode(ctx, st.ID, digest("expiring"), now); err != nil {
		t.Fatalf("RedeemPartnerCode before expiry: %v", err)
	}
	_, err = s.RedeemPartnerCode(ctx, st.ID, digest("expiring"), exp)
	wantErr(t, "RedeemPartnerCode at expiry", err, storage.ErrNotFound)
}

// testPartnerCodeRollback: a registration that fails after redeeming
// gives the use back.
func testPartnerCodeRollback(t *testing.T, s storage.Store) {
	st := newIdentityStore(t, s)
	partner := newOrganization(t, s, st.ID, true)
	must(t, "SetPartnerCode", s.SetPartnerCode(t.Context(), &storage.PartnerCode{StoreID: st.ID,
		OrganizationID: partner.ID, CodeHash: digest("once"), MaxUses: 1}))
	tx, err := s.BeginTx(t.Context())
	must(t, "BeginTx", err)
	if _, err := s.RedeemPartnerCode(tx, st.ID, digest("once"), time.Now()); err != nil {
		t.Fatalf("RedeemPartnerCode in a transaction: %v", err)
	}
	must(t, "Rollback", s.Rollback(tx))
	if _, err := s.RedeemPartnerCode(t.Context(), st.ID, digest("once"), time.Now()); err != nil {
		t.Fatalf("RedeemPartnerCode after a rolled-back use: %v", err)
	}
}

func testPartnerLookups(t *testing.T, s storage.Store) {
	ctx := t.Context()
	app := newApplication(t, s)
	_, err := s.GetPartnerLookup(ctx, app.ID)
	wantErr(t, "GetPartnerLookup before any", err, storage.ErrNotFound)
	must(t, "SetPartnerLookup", s.SetPartnerLookup(ctx, &storage.PartnerLookup{ApplicationID: app.ID,
		URL: "https://partners.example/lookup", SecretSealed: []byte("sealed-1"), Timeout: 3 * time.Second}))
	must(t, "SetPartnerLookup again", s.SetPartnerLookup(ctx, &storage.PartnerLookup{ApplicationID: app.ID,
		URL: "https://partners.example/v2", SecretSealed: []byte("sealed-2"), Timeout: 2 * time.Second}))
	got, err := s.GetPartnerLookup(ctx, app.ID)
	must(t, "GetPartnerLookup", err)
	if got.URL != "https://partners.example/v2" || string(got.SecretSealed) != "sealed-2" || got.Timeout != 2*time.Second || got.UpdatedAt.IsZero() {
		t.Errorf("GetPartnerLookup = %+v", got)
	}
	must(t, "DeletePartnerLookup", s.DeletePartnerLookup(ctx, app.ID))
	wantErr(t, "DeletePartnerLookup twice", s.DeletePartnerLookup(ctx, app.ID), storage.ErrNotFound)
}

func newInvitation(t *testing.T, s storage.Store, storeID, orgID, token string, at time.Time) *storage.Invitation {
	t.Helper()
	inv := &storage.Invitation{StoreID: storeID, OrganizationID: orgID, ClientID: "client-1", Email: "Invitee@Example.com",
		Language: "de", RoleIDs: []string{"r1"}, GroupIDs: []string{"g1", "g2"}, Attributes: map[string]string{"given_name": "Ada"},
		TokenHash: digest(token), CreatedByKind: "administrator", CreatedByID: "admin-1", CreatedByName: "Ops",
		CreatedAt: at, ExpiresAt: at.Add(7 * 24 * time.Hour)}
	must(t, "CreateInvitation", s.CreateInvitation(t.Context(), inv))
	return inv
}

func testInvitations(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st, other := newIdentityStore(t, s), newIdentityStore(t, s)
	inv := newInvitation(t, s, st.ID, "", unique("token"), time.Now().UTC())
	if inv.ID == "" || inv.Status != storage.InvitationPending || inv.SendCount != 1 || inv.Version != 1 || inv.SentAt.IsZero() {
		t.Fatalf("CreateInvitation left %+v", inv)
	}
	got, err := s.GetInvitation(ctx, st.ID, inv.ID)
	must(t, "GetInvitation", err)
	if got.Email != "Invitee@Example.com" || got.Language != "de" || !equalStrings(got.GroupIDs, []string{"g1", "g2"}) ||
		!equalStrings(got.RoleIDs, []string{"r1"}) || got.Attributes["given_name"] != "Ada" || got.CreatedByName != "Ops" ||
		!got.ExpiresAt.Equal(inv.ExpiresAt) {
		t.Errorf("GetInvitation = %+v", got)
	}
	_, err = s.GetInvitation(ctx, other.ID, inv.ID)
	wantErr(t, "GetInvitation of another store", err, storage.ErrNotFound)
	byToken, err := s.FindInvitationByToken(ctx, inv.TokenHash)
	must(t, "FindInvitationByToken", err)
	if byToken.ID != inv.ID {
		t.Errorf("FindInvitationByToken = %s; want %s", byToken.ID, inv.ID)
	}

	// A resend replaces the token.
	later := time.Now().UTC().Add(time.Minute)
	fresh := digest(unique("token"))
	must(t, "RenewInvitation", s.RenewInvitation(ctx, st.ID, inv.ID, fresh, later, later.Add(time.Hour)))
	_, err = s.FindInvitationByToken(ctx, inv.TokenHash)
	wantErr(t, "FindInvitationByToken with the replaced token", err, storage.ErrNotFound)
	got, err = s.FindInvitationByToken(ctx, fresh)
	must(t, "FindInvitationByToken after resend", err)
	if got.SendCount != 2 || !got.ExpiresAt.Equal(later.Add(time.Hour).Truncate(time.Microsecond)) {
		t.Errorf("after RenewInvitation: %+v", got)
	}
	wantErr(t, "RenewInvitation in another store", s.RenewInvitation(ctx, other.ID, inv.ID, digest("x"), later, later), storage.ErrNotFound)

	must(t, "DeleteInvitation", s.DeleteInvitation(ctx, st.ID, inv.ID))
	wantErr(t, "DeleteInvitation twice", s.DeleteInvitation(ctx, st.ID, inv.ID), storage.ErrNotFound)
	_, err = s.FindInvitationByToken(ctx, fresh)
	wantErr(t, "FindInvitationByToken after revocation", err, storage.ErrNotFound)
}

func testInvitationList(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st := newIdentityStore(t, s)
	org := newOrganization(t, s, st.ID, false)
	base := time.Now().UTC().Truncate(time.Second)
	var ids []string // newest first
	for i := range 5 {
		orgID := ""
		if i%2 == 1 {
			orgID = org.ID
		}
		inv := newInvitation(t, s, st.ID, orgID, unique("token"), base.Add(time.Duration(i)*time.Minute))
		ids = append([]string{inv.ID}, ids...)
	}
	all, err := s.ListInvitations(ctx, st.ID, "", "", 0)
	must(t, "ListInvitations", err)
	if got := invitationIDs(all); !equalStrings(got, ids) {
		t.Fatalf("ListInvitations = %v; want newest first %v", got, ids)
	}
	page1, err := s.ListInvitations(ctx, st.ID, "", "", 2)
	must(t, "ListInvitations page 1", err)
	page2, err := s.ListInvitations(ctx, st.ID, "", page1[1].ID, 2)
	must(t, "ListInvitations page 2", err)
	if got := invitationIDs(append(page1, page2...)); !equalStrings(got, ids[:4]) {
		t.Errorf("two pages = %v; want %v", got, ids[:4])
	}
	inOrg, err := s.ListInvitations(ctx, st.ID, org.ID, "", 0)
	must(t, "ListInvitations of an organization", err)
	none, err := s.ListInvitations(ctx, st.ID, storage.NoOrganization, "", 0)
	must(t, "ListInvitations without organization", err)
	if len(inOrg) != 2 || len(none) != 3 || inOrg[0].OrganizationID != org.ID || none[0].OrganizationID != "" {
		t.Errorf("by organization: %d in the organization, %d without; want 2 and 3", len(inOrg), len(none))
	}
}

func invitationIDs(list []storage.Invitation) []string {
	out := make([]string, len(list))
	for i, inv := range list {
		out[i] = inv.ID
	}
	return out
}

func testInvitationSingleUse(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st := newIdentityStore(t, s)
	now := time.Now().UTC()
	inv := newInvitation(t, s, st.ID, "", unique("token"), now)
	expired := newInvitation(t, s, st.ID, "", unique("token"), now.Add(-8*24*time.Hour))
	acct := newAccount(t, s, st.ID)

	// Two acceptances racing: exactly one wins.
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- s.CompleteInvitation(ctx, inv.ID, acct.ID, now) }()
	}
	var won int
	for range 2 {
		switch err := <-errs; {
		case err == nil:
			won++
		case !errors.Is(err, storage.ErrNotFound):
			t.Fatalf("CompleteInvitation: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of two racing acceptances won; want 1", won)
	}
	got, err := s.GetInvitation(ctx, st.ID, inv.ID)
	must(t, "GetInvitation", err)
	if got.Status != storage.InvitationDone || got.AccountID != acct.ID || got.AcceptedAt == nil {
		t.Errorf("after acceptance: %+v", got)
	}
	wantErr(t, "RenewInvitation of a done invitation", s.RenewInvitation(ctx, st.ID, inv.ID, digest("y"), now, now.Add(time.Hour)), storage.ErrNotFound)
	wantErr(t, "CompleteInvitation expired", s.CompleteInvitation(ctx, expired.ID, acct.ID, now), storage.ErrNotFound)
}

func testOrganizationFields(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st := newIdentityStore(t, s)
	st.OrganizationAttributes = []storage.AttributeDef{{Name: "vat_id", Label: "VAT number", Required: true}}
	must(t, "UpdateIdentityStore", s.UpdateIdentityStore(ctx, st, 0))
	gotStore, err := s.GetIdentityStore(ctx, st.ID)
	must(t, "GetIdentityStore", err)
	if len(gotStore.OrganizationAttributes) != 1 || gotStore.OrganizationAttributes[0].Name != "vat_id" || !gotStore.OrganizationAttributes[0].Required {
		t.Errorf("organization schema = %+v", gotStore.OrganizationAttributes)
	}
	org := &storage.Organization{StoreID: st.ID, Name: unique("org"), Attributes: map[string]string{"vat_id": "DE123"}}
	must(t, "CreateOrganization", s.CreateOrganization(ctx, org))
	org.Attributes["vat_id"] = "DE456"
	must(t, "UpdateOrganization", s.UpdateOrganization(ctx, org, org.Version))
	gotOrg, err := s.GetOrganization(ctx, st.ID, org.ID)
	must(t, "GetOrganization", err)
	if gotOrg.Attributes["vat_id"] != "DE456" {
		t.Errorf("organization attributes = %v", gotOrg.Attributes)
	}
	role := &storage.StoreRole{StoreID: st.ID, Name: unique("role"), OrganizationAdmin: true}
	must(t, "CreateStoreRole", s.CreateStoreRole(ctx, role))
	role.Assignable, role.OrganizationAdmin = true, false
	must(t, "UpdateStoreRole", s.UpdateStoreRole(ctx, role, role.Version))
	gotRole, err := s.GetStoreRole(ctx, st.ID, role.ID)
	must(t, "GetStoreRole", err)
	if !gotRole.Assignable || gotRole.OrganizationAdmin {
		t.Errorf("role flags = admin %v assignable %v; want false true", gotRole.OrganizationAdmin, gotRole.Assignable)
	}
}

// testOrganizationBranding: the branding fields survive create, update
// (including clearing them) and every read path.
func testOrganizationBranding(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st := newIdentityStore(t, s)
	org := &storage.Organization{StoreID: st.ID, Name: unique("org"), DisplayName: "Acme Travel",
		LogoURL: "https://acme.example/logo.png", PrimaryColor: "#112233"}
	must(t, "CreateOrganization", s.CreateOrganization(ctx, org))
	got, err := s.GetOrganization(ctx, st.ID, org.ID)
	must(t, "GetOrganization", err)
	if got.DisplayName != "Acme Travel" || got.LogoURL != "https://acme.example/logo.png" || got.PrimaryColor != "#112233" {
		t.Errorf("after create: %q %q %q", got.DisplayName, got.LogoURL, got.PrimaryColor)
	}
	if !got.Branding.IsZero() {
		t.Errorf("after create without branding: %+v", got.Branding)
	}
	got.DisplayName, got.LogoURL, got.PrimaryColor = "Acme", "", "#445566"
	got.Branding = sampleBranding()
	must(t, "UpdateOrganization", s.UpdateOrganization(ctx, got, got.Version))
	list, err := s.ListOrganizations(ctx, st.ID, "", 0)
	must(t, "ListOrganizations", err)
	if len(list) != 1 || list[0].DisplayName != "Acme" || list[0].LogoURL != "" || list[0].PrimaryColor != "#445566" ||
		!reflect.DeepEqual(list[0].Branding, sampleBranding()) {
		t.Errorf("after update: %+v", list)
	}
	list[0].Branding = storage.Branding{}
	must(t, "UpdateOrganization", s.UpdateOrganization(ctx, &list[0], list[0].Version))
	got, err = s.GetOrganization(ctx, st.ID, org.ID)
	must(t, "GetOrganization", err)
	if !got.Branding.IsZero() {
		t.Errorf("after clearing: %+v", got.Branding)
	}
}

func sampleBranding() storage.Branding {
	return storage.Branding{LogoAsset: strings.Repeat("a", 64), FaviconAsset: strings.Repeat("b", 64),
		Colors: map[string]string{"bg": "#ffffff", "text": "#111111"}, DarkColors: map[string]string{"bg": "#000000"},
		ExtraCSS: ".card{border-radius:0}", StyleAsset: strings.Repeat("c", 64), SupportURL: "https://acme.example/help",
		SupportEmail: "help@acme.example", TermsURL: "https://acme.example/terms", PrivacyURL: "https://acme.example/privacy"}
}

// testBranding: an application's branding survives create and update, and
// brand assets are immutable by hash.
func testBranding(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st := newIdentityStore(t, s)
	app := &storage.Application{StoreID: st.ID, Name: unique("app"), Branding: sampleBranding()}
	must(t, "CreateApplication", s.CreateApplication(ctx, app))
	got, err := s.GetApplication(ctx, app.ID)
	must(t, "GetApplication", err)
	if !reflect.DeepEqual(got.Branding, sampleBranding()) {
		t.Errorf("after create: %+v", got.Branding)
	}
	got.Branding.ExtraCSS, got.Branding.Colors = "", nil
	must(t, "UpdateApplication", s.UpdateApplication(ctx, got, got.Version))
	again, err := s.GetApplication(ctx, app.ID)
	must(t, "GetApplication", err)
	if again.Branding.ExtraCSS != "" || again.Branding.Colors != nil || again.Branding.LogoAsset != sampleBranding().LogoAsset {
		t.Errorf("after update: %+v", again.Branding)
	}

	hash := unique(strings.Repeat("d", 40))
	png := []byte("\x89PNG\r\n\x1a\nfake")
	must(t, "PutBrandAsset", s.PutBrandAsset(ctx, &storage.BrandAsset{Hash: hash, ContentType: "image/png", Data: png}))
	must(t, "PutBrandAsset again", s.PutBrandAsset(ctx, &storage.BrandAsset{Hash: hash, ContentType: "image/png", Data: png}))
	a, err := s.GetBrandAsset(ctx, hash)
	must(t, "GetBrandAsset", err)
	if a.ContentType != "image/png" || string(a.Data) != string(png) || a.CreatedAt.IsZero() {
		t.Errorf("asset = %+v", a)
	}
	if _, err := s.GetBrandAsset(ctx, "missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("missing asset: %v, want ErrNotFound", err)
	}
}
