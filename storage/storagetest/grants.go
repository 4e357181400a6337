package storagetest

import (
	"fmt"
	"testing"

	"foyer/storage"
)

// grantFixture is an account and two clients to grant to.
type grantFixture struct {
	account, other *storage.Account
	client, second *storage.Client
}

func newGrantFixture(t *testing.T, s storage.Store) grantFixture {
	t.Helper()
	is := newIdentityStore(t, s)
	f := grantFixture{account: newAccount(t, s, is.ID), other: newAccount(t, s, is.ID)}
	for _, c := range []**storage.Client{&f.client, &f.second} {
		*c = &storage.Client{ApplicationID: "app-1", Name: unique("third-party"), RedirectURIs: []string{"https://rp.example/cb"}}
		must(t, "CreateClient", s.CreateClient(t.Context(), *c))
	}
	return f
}

func testGrants(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newGrantFixture(t, s)
	_, err := s.GetGrant(ctx, f.account.ID, f.client.ID)
	wantErr(t, "GetGrant before any", err, storage.ErrNotFound)

	first, err := s.SaveGrant(ctx, f.account.ID, f.client.ID, []string{"profile", "openid", "profile"})
	must(t, "SaveGrant", err)
	if !equalStrings(first.Scopes, []string{"openid", "profile"}) || first.CreatedAt.IsZero() {
		t.Errorf("SaveGrant = %+v, want sorted unique scopes and a creation time", first)
	}
	// A second save adds to the grant; it never takes scopes away.
	merged, err := s.SaveGrant(ctx, f.account.ID, f.client.ID, []string{"email", "openid"})
	must(t, "SaveGrant again", err)
	got, err := s.GetGrant(ctx, f.account.ID, f.client.ID)
	must(t, "GetGrant", err)
	want := []string{"email", "openid", "profile"}
	if !equalStrings(merged.Scopes, want) || !equalStrings(got.Scopes, want) {
		t.Errorf("after a second SaveGrant: returned %v, stored %v; want %v", merged.Scopes, got.Scopes, want)
	}
	sameTime(t, "CreatedAt kept", got.CreatedAt, first.CreatedAt)
	if got.UpdatedAt.Before(got.CreatedAt) || got.AccountID != f.account.ID || got.ClientID != f.client.ID {
		t.Errorf("GetGrant = %+v", got)
	}

	_, err = s.SaveGrant(ctx, f.account.ID, f.second.ID, []string{"openid"})
	must(t, "SaveGrant second client", err)
	_, err = s.SaveGrant(ctx, f.other.ID, f.client.ID, []string{"openid"})
	must(t, "SaveGrant other account", err)
	list, err := s.ListGrants(ctx, f.account.ID)
	must(t, "ListGrants", err)
	if len(list) != 2 || list[0].ClientID != f.client.ID || list[1].ClientID != f.second.ID {
		t.Errorf("ListGrants = %+v, want the two grants of the account, oldest first", list)
	}
	list, err = s.ListGrants(ctx, "nobody")
	if err != nil || len(list) != 0 {
		t.Errorf("ListGrants of an account without grants = %v, %v", list, err)
	}
	_, err = s.SaveGrant(ctx, f.account.ID, "missing-client", []string{"openid"})
	wantErr(t, "SaveGrant for an unknown client", err, storage.ErrNotFound)
}

// testRevokeGrant: revoking deletes the grant and every token the client
// holds for that account, and nothing else.
func testRevokeGrant(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newGrantFixture(t, s)
	_, err := s.SaveGrant(ctx, f.account.ID, f.client.ID, []string{"openid", "offline_access"})
	must(t, "SaveGrant", err)
	_, err = s.SaveGrant(ctx, f.other.ID, f.client.ID, []string{"openid"})
	must(t, "SaveGrant other account", err)
	token := func(clientID, subject string, kind storage.TokenKind) *storage.Token {
		tok := newToken(clientID, kind, unique("req"))
		tok.Subject = subject
		must(t, "CreateToken", s.CreateToken(ctx, tok))
		return tok
	}
	revoked := []*storage.Token{
		token(f.client.ID, f.account.ID, storage.TokenAccess),
		token(f.client.ID, f.account.ID, storage.TokenRefresh),
		token(f.client.ID, f.account.ID, storage.TokenAuthorizeCode),
	}
	kept := []*storage.Token{
		token(f.client.ID, f.other.ID, storage.TokenRefresh),
		token(f.second.ID, f.account.ID, storage.TokenRefresh),
		token(f.client.ID, "", storage.TokenAccess), // client credentials
	}

	must(t, "RevokeGrant", s.RevokeGrant(ctx, f.account.ID, f.client.ID))
	_, err = s.GetGrant(ctx, f.account.ID, f.client.ID)
	wantErr(t, "GetGrant after RevokeGrant", err, storage.ErrNotFound)
	for _, tok := range revoked {
		_, err := s.GetToken(ctx, tok.Kind, tok.Signature)
		wantErr(t, fmt.Sprintf("GetToken %s after RevokeGrant", tok.Kind), err, storage.ErrNotFound)
	}
	for _, tok := range kept {
		_, err := s.GetToken(ctx, tok.Kind, tok.Signature)
		must(t, fmt.Sprintf("GetToken %s of another account or client", tok.Kind), err)
	}
	if _, err := s.GetGrant(ctx, f.other.ID, f.client.ID); err != nil {
		t.Errorf("RevokeGrant touched another account's grant: %v", err)
	}
	wantErr(t, "RevokeGrant twice", s.RevokeGrant(ctx, f.account.ID, f.client.ID), storage.ErrNotFound)

	// Deleting a client takes its grants with it.
	must(t, "DeleteClient", s.DeleteClient(ctx, f.client.ID))
	_, err = s.GetGrant(ctx, f.other.ID, f.client.ID)
	wantErr(t, "GetGrant of a deleted client", err, storage.ErrNotFound)

	n, err := s.RevokeTokensBySubjectAndClient(ctx, f.account.ID, f.second.ID)
	if err != nil || n != 1 {
		t.Errorf("RevokeTokensBySubjectAndClient = %d, %v; want 1", n, err)
	}
}

// testParallelSaveGrant: concurrent consents to different scopes all end up
// in the grant.
func testParallelSaveGrant(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newGrantFixture(t, s)
	const n = 8
	errs := race(n, func(i int) error {
		_, err := s.SaveGrant(ctx, f.account.ID, f.client.ID, []string{fmt.Sprintf("scope-%d", i)})
		return err
	})
	for i, err := range errs {
		must(t, fmt.Sprintf("SaveGrant %d", i), err)
	}
	got, err := s.GetGrant(ctx, f.account.ID, f.client.ID)
	must(t, "GetGrant", err)
	if len(got.Scopes) != n {
		t.Errorf("after %d concurrent saves the grant has %v", n, got.Scopes)
	}
}
