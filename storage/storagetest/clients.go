package storagetest

import (
	"bytes"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"foyer/storage"
)

func testApplications(t *testing.T, s storage.Store) {
	ctx := t.Context()
	want := &storage.Application{ID: unique("app"), StoreID: "store-1", Name: "Shop", LogoURL: "https://example.com/logo.svg",
		PrimaryColor: "#112233", Organizational: true, LoginSteps: []string{"identifier", "password", "mfa"},
		CreatedAt: at(-time.Hour + 3*time.Millisecond)}
	must(t, "CreateApplication", s.CreateApplication(ctx, want))
	got, err := s.GetApplication(ctx, want.ID)
	must(t, "GetApplication", err)
	if got.StoreID != want.StoreID || got.Name != want.Name || got.LogoURL != want.LogoURL ||
		got.PrimaryColor != want.PrimaryColor || !got.Organizational || !equalStrings(got.LoginSteps, want.LoginSteps) {
		t.Errorf("GetApplication = %+v, want %+v", got, want)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)

	plain := &storage.Application{Name: "Plain"}
	must(t, "CreateApplication without ID", s.CreateApplication(ctx, plain))
	got, err = s.GetApplication(ctx, plain.ID)
	must(t, "GetApplication generated id", err)
	if plain.ID == "" || len(got.LoginSteps) != 0 || got.Organizational {
		t.Errorf("GetApplication = %+v, want defaults", got)
	}
	wantErr(t, "CreateApplication duplicate id", s.CreateApplication(ctx, &storage.Application{ID: want.ID, Name: "x"}), storage.ErrConflict)
	_, err = s.GetApplication(ctx, "missing")
	wantErr(t, "GetApplication missing", err, storage.ErrNotFound)

	// A client with its application, in one read, as each alone reads.
	c := &storage.Client{ApplicationID: want.ID, Name: "Shop web", RedirectURIs: []string{"https://shop.example/cb"},
		GrantTypes: []string{"authorization_code"}, FirstParty: true}
	must(t, "CreateClient", s.CreateClient(ctx, c))
	wantClient, err := s.GetClient(ctx, c.ID)
	must(t, "GetClient", err)
	wantApp, err := s.GetApplication(ctx, want.ID)
	must(t, "GetApplication", err)
	gotClient, gotApp, err := s.GetClientApplication(ctx, c.ID)
	must(t, "GetClientApplication", err)
	if !reflect.DeepEqual(gotClient, wantClient) || !reflect.DeepEqual(gotApp, wantApp) {
		t.Errorf("GetClientApplication = %+v, %+v; want %+v, %+v", gotClient, gotApp, wantClient, wantApp)
	}
	_, _, err = s.GetClientApplication(ctx, "missing")
	wantErr(t, "GetClientApplication of a missing client", err, storage.ErrNotFound)
	orphan := &storage.Client{ApplicationID: "no-such-app", Name: "Orphan"}
	must(t, "CreateClient without application", s.CreateClient(ctx, orphan))
	_, _, err = s.GetClientApplication(ctx, orphan.ID)
	wantErr(t, "GetClientApplication without the application", err, storage.ErrNotFound)
	list, err := s.ListApplications(ctx)
	must(t, "ListApplications", err)
	if len(list) != 2 {
		t.Errorf("ListApplications returned %d, want 2", len(list))
	}
}

func testClients(t *testing.T, s storage.Store) {
	ctx := t.Context()
	confidential := &storage.Client{
		ID: unique("client"), ApplicationID: "app-1", Name: "Web shop", SecretHash: bytes.Repeat([]byte{0xab, 0x00}, 16),
		FirstParty: true, ResourceServer: true, RedirectURIs: []string{"https://shop.example/cb", "https://shop.example/cb2?x=1&y=\"2\""},
		PostLogoutRedirectURIs: []string{"https://shop.example/bye"}, InitiateLoginURI: "https://shop.example/login",
		GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"},
		Scopes: []string{"openid", "profile", "email"}, Audience: []string{"https://api.example"},
		TokenEndpointAuthMethod: "private_key_jwt",
		BackchannelLogoutURI:    "https://shop.example/backchannel", BackchannelLogoutSessionRequired: true,
		JWKS: []byte(`{"keys":[]}`), TokenEndpointAuthSigningAlg: "ES256", IDTokenSignedResponseAlg: "ES256",
		AccessTokenFormat: "jwt", AccessTokenLifetime: 5 * time.Minute, RefreshTokenLifetime: 24 * time.Hour,
		IDTokenLifetime: 10 * time.Minute, RequirePushedAuthorizationRequests: true,
		ClientURI: "https://shop.example", LogoURI: "https://shop.example/logo.png", PolicyURI: "https://shop.example/privacy",
		TOSURI: "https://shop.example/terms", Contacts: []string{"ops@shop.example"}, RegistrationTokenHash: []byte{1, 2, 3},
	}
	public := &storage.Client{ApplicationID: "app-1", Name: "SPA", Public: true, TokenEndpointAuthMethod: "none",
		RedirectURIs: []string{"http://localhost:3000/cb"}}
	must(t, "CreateClient confidential", s.CreateClient(ctx, confidential))
	must(t, "CreateClient public", s.CreateClient(ctx, public))
	if public.ID == "" || public.CreatedAt.IsZero() || public.UpdatedAt.IsZero() {
		t.Errorf("CreateClient left ID %q or times unset", public.ID)
	}

	for _, want := range []*storage.Client{confidential, public} {
		got, err := s.GetClient(ctx, want.ID)
		must(t, "GetClient", err)
		checkClient(t, got, want)
	}
	wantErr(t, "CreateClient duplicate id", s.CreateClient(ctx, &storage.Client{ID: confidential.ID}), storage.ErrConflict)
	_, err := s.GetClient(ctx, "missing")
	wantErr(t, "GetClient missing", err, storage.ErrNotFound)
	list, err := s.ListClients(ctx)
	must(t, "ListClients", err)
	if len(list) != 2 {
		t.Errorf("ListClients returned %d, want 2", len(list))
	}

	// UpdateClient replaces the fields but ID and CreatedAt.
	updated := *public
	updated.Name, updated.RedirectURIs, updated.JWKSURI = "SPA v2", []string{"https://spa.example/cb"}, "https://spa.example/jwks"
	updated.CreatedAt = time.Now().Add(-time.Hour)
	must(t, "UpdateClient", s.UpdateClient(ctx, &updated))
	got, err := s.GetClient(ctx, public.ID)
	must(t, "GetClient after update", err)
	updated.CreatedAt = public.CreatedAt
	checkClient(t, got, &updated)
	wantErr(t, "UpdateClient missing", s.UpdateClient(ctx, &storage.Client{ID: "missing"}), storage.ErrNotFound)

	// DeleteClient takes the client's tokens with it and leaves others'.
	mine := newToken(confidential.ID, storage.TokenRefresh, "req-mine")
	theirs := newToken(public.ID, storage.TokenRefresh, "req-theirs")
	must(t, "CreateToken mine", s.CreateToken(ctx, mine))
	must(t, "CreateToken theirs", s.CreateToken(ctx, theirs))
	must(t, "DeleteClient", s.DeleteClient(ctx, confidential.ID))
	_, err = s.GetClient(ctx, confidential.ID)
	wantErr(t, "GetClient after DeleteClient", err, storage.ErrNotFound)
	_, err = s.GetToken(ctx, mine.Kind, mine.Signature)
	wantErr(t, "GetToken of deleted client", err, storage.ErrNotFound)
	_, err = s.GetToken(ctx, theirs.Kind, theirs.Signature)
	must(t, "GetToken of another client", err)
	wantErr(t, "DeleteClient missing", s.DeleteClient(ctx, confidential.ID), storage.ErrNotFound)
}

func checkClient(t *testing.T, got, want *storage.Client) {
	t.Helper()
	lists := []struct {
		name      string
		got, want []string
	}{
		{"RedirectURIs", got.RedirectURIs, want.RedirectURIs},
		{"PostLogoutRedirectURIs", got.PostLogoutRedirectURIs, want.PostLogoutRedirectURIs},
		{"GrantTypes", got.GrantTypes, want.GrantTypes},
		{"ResponseTypes", got.ResponseTypes, want.ResponseTypes},
		{"Scopes", got.Scopes, want.Scopes},
		{"Audience", got.Audience, want.Audience},
	}
	for _, l := range lists {
		if !equalStrings(l.got, l.want) {
			t.Errorf("client %s: %s = %q, want %q", want.ID, l.name, l.got, l.want)
		}
	}
	if got.ID != want.ID || got.ApplicationID != want.ApplicationID || got.Name != want.Name ||
		!bytes.Equal(got.SecretHash, want.SecretHash) || got.Public != want.Public || got.FirstParty != want.FirstParty ||
		got.ResourceServer != want.ResourceServer ||
		got.InitiateLoginURI != want.InitiateLoginURI || got.TokenEndpointAuthMethod != want.TokenEndpointAuthMethod ||
		got.BackchannelLogoutURI != want.BackchannelLogoutURI ||
		got.BackchannelLogoutSessionRequired != want.BackchannelLogoutSessionRequired ||
		!bytes.Equal(got.JWKS, want.JWKS) || got.JWKSURI != want.JWKSURI ||
		got.TokenEndpointAuthSigningAlg != want.TokenEndpointAuthSigningAlg ||
		got.IDTokenSignedResponseAlg != want.IDTokenSignedResponseAlg || got.AccessTokenFormat != want.AccessTokenFormat ||
		got.AccessTokenLifetime != want.AccessTokenLifetime || got.RefreshTokenLifetime != want.RefreshTokenLifetime ||
		got.IDTokenLifetime != want.IDTokenLifetime ||
		got.RequirePushedAuthorizationRequests != want.RequirePushedAuthorizationRequests ||
		got.ClientURI != want.ClientURI || got.LogoURI != want.LogoURI || got.PolicyURI != want.PolicyURI ||
		got.TOSURI != want.TOSURI || !equalStrings(got.Contacts, want.Contacts) ||
		!bytes.Equal(got.RegistrationTokenHash, want.RegistrationTokenHash) {
		t.Errorf("GetClient = %+v, want %+v", got, want)
	}
	sameTime(t, "client CreatedAt", got.CreatedAt, want.CreatedAt)
	sameTime(t, "client UpdatedAt", got.UpdatedAt, want.UpdatedAt)
}

func testInitialAccessTokens(t *testing.T, s storage.Store) {
	ctx := t.Context()
	now := time.Now().UTC()
	twice := &storage.InitialAccessToken{TokenHash: []byte(unique("hash")), RemainingUses: 2, ExpiresAt: now.Add(time.Hour)}
	expired := &storage.InitialAccessToken{TokenHash: []byte(unique("hash")), RemainingUses: 5, ExpiresAt: now.Add(-time.Second)}
	must(t, "CreateInitialAccessToken", s.CreateInitialAccessToken(ctx, twice))
	must(t, "CreateInitialAccessToken", s.CreateInitialAccessToken(ctx, expired))
	if twice.ID == "" {
		t.Error("CreateInitialAccessToken left the ID unset")
	}
	must(t, "first use", s.UseInitialAccessToken(ctx, twice.TokenHash, now))
	must(t, "second use", s.UseInitialAccessToken(ctx, twice.TokenHash, now))
	wantErr(t, "third use", s.UseInitialAccessToken(ctx, twice.TokenHash, now), storage.ErrNotFound)
	wantErr(t, "expired", s.UseInitialAccessToken(ctx, expired.TokenHash, now), storage.ErrNotFound)
	wantErr(t, "unknown", s.UseInitialAccessToken(ctx, []byte("nope"), now), storage.ErrNotFound)
	wantErr(t, "duplicate hash", s.CreateInitialAccessToken(ctx, &storage.InitialAccessToken{
		TokenHash: twice.TokenHash, RemainingUses: 1, ExpiresAt: now.Add(time.Hour)}), storage.ErrConflict)

	// of parallel registrations racing for the last use, one has it
	last := &storage.InitialAccessToken{TokenHash: []byte(unique("hash")), RemainingUses: 1, ExpiresAt: now.Add(time.Hour)}
	must(t, "CreateInitialAccessToken", s.CreateInitialAccessToken(ctx, last))
	var wg sync.WaitGroup
	var won atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.UseInitialAccessToken(ctx, last.TokenHash, now) == nil {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d registrations used a single-use token", won.Load())
	}
}

func testClientAssertions(t *testing.T, s storage.Store) {
	ctx := t.Context()
	jti, old := unique("jti"), unique("jti-old")
	known := func(jti string, want bool) {
		t.Helper()
		got, err := s.ClientAssertionJTIKnown(ctx, jti)
		if err != nil || got != want {
			t.Errorf("ClientAssertionJTIKnown(%s) = %v, %v; want %v", jti, got, err, want)
		}
	}
	known(jti, false)
	must(t, "UseClientAssertionJTI", s.UseClientAssertionJTI(ctx, jti, time.Now().Add(time.Hour)))
	known(jti, true)
	wantErr(t, "UseClientAssertionJTI replay", s.UseClientAssertionJTI(ctx, jti, time.Now().Add(time.Hour)), storage.ErrConflict)

	// An expired record no longer blocks the jti.
	must(t, "UseClientAssertionJTI expired", s.UseClientAssertionJTI(ctx, old, time.Now().Add(-time.Hour)))
	known(old, false)
	must(t, "UseClientAssertionJTI after expiry", s.UseClientAssertionJTI(ctx, old, time.Now().Add(time.Hour)))
	known(old, true)

	// Of racing uses of one assertion exactly one wins.
	racy := unique("jti-race")
	errs := race(16, func(int) error { return s.UseClientAssertionJTI(ctx, racy, time.Now().Add(time.Hour)) })
	checkOneWinner(t, "UseClientAssertionJTI", errs, storage.ErrConflict)
}

// checkOneWinner wants exactly one nil and every other error to be one of
// losers.
func checkOneWinner(t *testing.T, what string, errs []error, losers ...error) {
	t.Helper()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !slices.ContainsFunc(losers, func(l error) bool { return isErr(err, l) }):
			t.Errorf("%s #%d: error = %v, want nil or one of %v", what, i, err, losers)
		}
	}
	if wins != 1 {
		t.Errorf("%s: %d of %d concurrent calls succeeded, want exactly 1", what, wins, len(errs))
	}
}
