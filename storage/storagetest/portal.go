package storagetest

import (
	"testing"
	"time"

	"foyer/storage"
)

// portalAreas are the account portal's conformance cases; Run includes them.
var portalAreas = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"PortalSettings", testPortalSettings},
	{"Groups", testGroups},
	{"AccountProfile", testAccountProfile},
	{"ConsentHistory", testConsentHistory},
	{"ExternalIdentities", testExternalIdentities},
	{"DeleteAccountData", testDeleteAccountData},
	{"AccountVersion", testAccountVersion},
}

func newApplication(t *testing.T, s storage.Store) *storage.Application {
	t.Helper()
	app := &storage.Application{Name: unique("app")}
	must(t, "CreateApplication", s.CreateApplication(t.Context(), app))
	return app
}

func testPortalSettings(t *testing.T, s storage.Store) {
	ctx := t.Context()
	a, b := newApplication(t, s), newApplication(t, s)
	_, err := s.GetPortalSettings(ctx, a.ID)
	wantErr(t, "GetPortalSettings before any", err, storage.ErrNotFound)
	app, none, err := s.GetApplicationPortal(ctx, a.ID)
	must(t, "GetApplicationPortal before any settings", err)
	if app.ID != a.ID || app.Name != a.Name || none != nil {
		t.Errorf("GetApplicationPortal before any settings = %+v, %+v; want the application and nil", app, none)
	}
	_, _, err = s.GetApplicationPortal(ctx, "missing")
	wantErr(t, "GetApplicationPortal of an unknown application", err, storage.ErrNotFound)
	must(t, "SetPortalSettings", s.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: a.ID,
		LauncherEnabled: true, Slug: "Acme", Groups: []string{"gold", "staff"}}))
	got, err := s.GetPortalSettings(ctx, a.ID)
	must(t, "GetPortalSettings", err)
	if !got.LauncherEnabled || got.Slug != "acme" || !equalStrings(got.Groups, []string{"gold", "staff"}) {
		t.Errorf("GetPortalSettings = %+v", got)
	}
	// Read with the application, the settings are the same.
	app, joined, err := s.GetApplicationPortal(ctx, a.ID)
	must(t, "GetApplicationPortal", err)
	if joined == nil || app.ID != a.ID || joined.ApplicationID != got.ApplicationID || joined.LauncherEnabled != got.LauncherEnabled ||
		joined.Slug != got.Slug || !equalStrings(joined.Groups, got.Groups) || !joined.UpdatedAt.Equal(got.UpdatedAt) {
		t.Errorf("GetApplicationPortal = %+v, %+v; want %+v", app, joined, got)
	}
	found, err := s.FindApplicationBySlug(ctx, "ACME")
	must(t, "FindApplicationBySlug", err)
	if found.ID != a.ID {
		t.Errorf("FindApplicationBySlug = %q, want %q", found.ID, a.ID)
	}
	_, err = s.FindApplicationBySlug(ctx, "nope")
	wantErr(t, "FindApplicationBySlug unknown", err, storage.ErrNotFound)
	_, err = s.FindApplicationBySlug(ctx, "")
	wantErr(t, "FindApplicationBySlug empty", err, storage.ErrNotFound)
	// Two applications without a slug do not collide; one slug twice does.
	must(t, "SetPortalSettings no slug", s.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: b.ID}))
	wantErr(t, "slug taken", s.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: b.ID, Slug: "acme"}), storage.ErrConflict)
	// Replacing keeps one row and takes the new values.
	must(t, "SetPortalSettings replace", s.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: a.ID, Slug: "acme2"}))
	got, err = s.GetPortalSettings(ctx, a.ID)
	must(t, "GetPortalSettings after replace", err)
	if got.LauncherEnabled || got.Slug != "acme2" || len(got.Groups) != 0 {
		t.Errorf("after replace = %+v", got)
	}
	list, err := s.ListPortalSettings(ctx)
	must(t, "ListPortalSettings", err)
	if len(list) != 2 {
		t.Errorf("ListPortalSettings = %+v, want 2", list)
	}
	wantErr(t, "unknown application", s.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: "missing"}), storage.ErrNotFound)
}

func testGroups(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	alice, bob := newAccount(t, s, is.ID), newAccount(t, s, is.ID)
	gold := &storage.Group{StoreID: is.ID, Name: "gold"}
	must(t, "CreateGroup", s.CreateGroup(ctx, gold))
	wantErr(t, "CreateGroup duplicate", s.CreateGroup(ctx, &storage.Group{StoreID: is.ID, Name: "gold"}), storage.ErrConflict)
	staff := &storage.Group{StoreID: is.ID, Name: "staff"}
	must(t, "CreateGroup staff", s.CreateGroup(ctx, staff))
	got, err := s.GetGroupByName(ctx, is.ID, "gold")
	must(t, "GetGroupByName", err)
	if got.ID != gold.ID {
		t.Errorf("GetGroupByName = %+v", got)
	}
	_, err = s.GetGroupByName(ctx, is.ID, "none")
	wantErr(t, "GetGroupByName unknown", err, storage.ErrNotFound)
	must(t, "AddGroupMember", s.AddGroupMember(ctx, staff.ID, alice.ID))
	must(t, "AddGroupMember", s.AddGroupMember(ctx, gold.ID, alice.ID))
	must(t, "AddGroupMember twice", s.AddGroupMember(ctx, gold.ID, alice.ID))
	wantErr(t, "AddGroupMember unknown account", s.AddGroupMember(ctx, gold.ID, "missing"), storage.ErrNotFound)
	mine, err := s.ListAccountGroups(ctx, alice.ID)
	must(t, "ListAccountGroups", err)
	if len(mine) != 2 || mine[0].Name != "gold" || mine[1].Name != "staff" {
		t.Errorf("ListAccountGroups = %+v", mine)
	}
	wantErr(t, "RemoveGroupMember non-member", s.RemoveGroupMember(ctx, gold.ID, bob.ID), storage.ErrNotFound)
	must(t, "RemoveGroupMember", s.RemoveGroupMember(ctx, gold.ID, alice.ID))
	mine, err = s.ListAccountGroups(ctx, alice.ID)
	must(t, "ListAccountGroups after remove", err)
	if len(mine) != 1 || mine[0].Name != "staff" {
		t.Errorf("after remove = %+v", mine)
	}
	all, err := s.ListGroups(ctx, is.ID)
	must(t, "ListGroups", err)
	if len(all) != 2 {
		t.Errorf("ListGroups = %+v", all)
	}
}

func testAccountProfile(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	a, b := newAccount(t, s, is.ID), newAccount(t, s, is.ID)
	a.Email, a.EmailConfirmed, a.EmailUnproven = "New-"+a.Email, false, true
	a.Phone, a.PhoneConfirmed = "+15550001111", true
	a.Attributes = map[string]string{"given_name": "Ada"}
	a.Language = "de"
	must(t, "UpdateAccountProfile", s.UpdateAccountProfile(ctx, a))
	got, err := s.GetAccount(ctx, a.ID)
	must(t, "GetAccount", err)
	if got.Email != a.Email || got.EmailConfirmed || !got.EmailUnproven || got.Phone != a.Phone || !got.PhoneConfirmed ||
		got.Attributes["given_name"] != "Ada" || got.Language != "de" {
		t.Errorf("after update = %+v", got)
	}
	// The new address is found case-insensitively, as at creation.
	found, err := s.FindAccountByIdentifier(ctx, is.ID, storage.IdentifierEmail, a.Email)
	must(t, "FindAccountByIdentifier new email", err)
	if found.ID != a.ID {
		t.Errorf("found %q", found.ID)
	}
	b.Email = a.Email
	wantErr(t, "email taken", s.UpdateAccountProfile(ctx, b), storage.ErrConflict)
	// The username is written and found case-insensitively too.
	a.Username = "Ada.L"
	must(t, "UpdateAccountProfile username", s.UpdateAccountProfile(ctx, a))
	found, err = s.FindAccountByIdentifier(ctx, is.ID, storage.IdentifierUsername, "ada.l")
	must(t, "FindAccountByIdentifier username", err)
	if found.ID != a.ID || found.Username != "Ada.L" {
		t.Errorf("found by username: %+v", found)
	}
	b, _ = s.GetAccount(ctx, b.ID)
	b.Username = "ADA.L"
	wantErr(t, "username taken", s.UpdateAccountProfile(ctx, b), storage.ErrConflict)
	wantErr(t, "unknown account", s.UpdateAccountProfile(ctx, &storage.Account{ID: "missing"}), storage.ErrNotFound)
}

func testConsentHistory(t *testing.T, s storage.Store) {
	ctx := t.Context()
	acct := newAccount(t, s, newIdentityStore(t, s).ID)
	when := at(-time.Hour)
	must(t, "RecordConsent", s.RecordConsent(ctx, &storage.ConsentRecord{AccountID: acct.ID, Consent: "marketing", Version: "1", GrantedAt: when}))
	n, err := s.RevokeConsent(ctx, acct.ID, "marketing", when.Add(time.Minute))
	must(t, "RevokeConsent", err)
	if n != 1 {
		t.Errorf("RevokeConsent = %d, want 1", n)
	}
	n, err = s.RevokeConsent(ctx, acct.ID, "marketing", when.Add(2*time.Minute))
	must(t, "RevokeConsent again", err)
	if n != 0 {
		t.Errorf("RevokeConsent again = %d, want 0", n)
	}
	list, err := s.ListConsents(ctx, acct.ID)
	must(t, "ListConsents", err)
	if len(list) != 1 || list[0].RevokedAt == nil {
		t.Fatalf("ListConsents = %+v", list)
	}
	sameTime(t, "revoked at", *list[0].RevokedAt, when.Add(time.Minute))
	for i, action := range []storage.ConsentAction{storage.ConsentGranted, storage.ConsentRevoked, storage.ConsentGranted} {
		must(t, "AppendConsentEvent", s.AppendConsentEvent(ctx, &storage.ConsentEvent{AccountID: acct.ID,
			Consent: "marketing", Version: "1", Action: action, CreatedAt: when.Add(time.Duration(i) * time.Second)}))
	}
	hist, err := s.ListConsentEvents(ctx, acct.ID)
	must(t, "ListConsentEvents", err)
	if len(hist) != 3 || hist[1].Action != storage.ConsentRevoked || hist[0].ID == "" {
		t.Errorf("ListConsentEvents = %+v", hist)
	}
}

func testExternalIdentities(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	a, b := newAccount(t, s, is.ID), newAccount(t, s, is.ID)
	x := &storage.ExternalIdentity{AccountID: a.ID, Provider: "google", Subject: unique("sub"), Email: a.Email}
	must(t, "LinkExternalIdentity", s.LinkExternalIdentity(ctx, x))
	wantErr(t, "link twice", s.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: b.ID, Provider: "google", Subject: x.Subject}), storage.ErrConflict)
	list, err := s.ListExternalIdentities(ctx, a.ID)
	must(t, "ListExternalIdentities", err)
	if len(list) != 1 || list[0].Subject != x.Subject || list[0].Email != a.Email {
		t.Errorf("ListExternalIdentities = %+v", list)
	}
	wantErr(t, "unlink another's", s.UnlinkExternalIdentity(ctx, b.ID, "google", x.Subject), storage.ErrNotFound)
	must(t, "UnlinkExternalIdentity", s.UnlinkExternalIdentity(ctx, a.ID, "google", x.Subject))
	wantErr(t, "unlink twice", s.UnlinkExternalIdentity(ctx, a.ID, "google", x.Subject), storage.ErrNotFound)
}

func testDeleteAccountData(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newGrantFixture(t, s)
	victim, other := f.account, f.other
	for _, id := range []string{victim.ID, other.ID} {
		must(t, "SetPassword", s.SetPassword(ctx, id, "$argon2id$x"))
		must(t, "CreateSession", s.CreateSession(ctx, newSession(id)))
		_, err := s.SaveGrant(ctx, id, f.client.ID, []string{"openid"})
		must(t, "SaveGrant", err)
		must(t, "RecordConsent", s.RecordConsent(ctx, &storage.ConsentRecord{AccountID: id, Consent: "tos", Version: "1"}))
		must(t, "AppendEvent", s.AppendEvent(ctx, &storage.Event{AccountID: id, Kind: "login.succeeded"}))
		must(t, "CreateToken", s.CreateToken(ctx, &storage.Token{Kind: storage.TokenAccess, Signature: unique("sig"),
			RequestID: unique("req"), ClientID: f.client.ID, Subject: id, Active: true, ExpiresAt: at(time.Hour)}))
	}
	notice := &storage.LogoutNotice{SessionID: "s", AccountID: victim.ID, ClientID: f.client.ID}
	must(t, "EnqueueLogoutNotice", s.EnqueueLogoutNotice(ctx, notice))

	must(t, "DeleteAccountData", s.DeleteAccountData(ctx, victim.ID))
	_, err := s.GetAccount(ctx, victim.ID)
	wantErr(t, "GetAccount after delete", err, storage.ErrNotFound)
	_, err = s.GetPassword(ctx, victim.ID)
	wantErr(t, "GetPassword after delete", err, storage.ErrNotFound)
	checkRows(t, s, victim.ID, 0)
	checkRows(t, s, other.ID, 1) // the other account keeps everything
	claimed, err := s.ClaimLogoutNotices(ctx, time.Now().Add(time.Minute), time.Minute, 10)
	must(t, "ClaimLogoutNotices", err)
	if len(claimed) != 1 {
		t.Errorf("logout notices after delete = %d, want the queued one kept", len(claimed))
	}
	wantErr(t, "DeleteAccountData twice", s.DeleteAccountData(ctx, victim.ID), storage.ErrNotFound)
}

// checkRows checks how many sessions, grants, consents, events and tokens
// the account has.
func checkRows(t *testing.T, s storage.Store, accountID string, want int) {
	t.Helper()
	ctx := t.Context()
	sessions, err := s.ListSessionsByAccount(ctx, accountID)
	must(t, "ListSessionsByAccount", err)
	grants, err := s.ListGrants(ctx, accountID)
	must(t, "ListGrants", err)
	consents, err := s.ListConsents(ctx, accountID)
	must(t, "ListConsents", err)
	events, err := s.ListEvents(ctx, accountID, 10)
	must(t, "ListEvents", err)
	tokens, err := s.RevokeTokensBySubject(ctx, accountID)
	must(t, "RevokeTokensBySubject", err)
	if len(sessions) != want || len(grants) != want || len(consents) != want || len(events) != want || tokens != int64(want) {
		t.Errorf("account %s: %d sessions, %d grants, %d consents, %d events, %d tokens; want %d each",
			accountID, len(sessions), len(grants), len(consents), len(events), tokens, want)
	}
}
