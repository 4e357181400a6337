package manage_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// testUpstreamSealer "seals" to a digest naming the provider and field,
// so the plain text appears nowhere.
type testUpstreamSealer struct{}

func (testUpstreamSealer) SealUpstreamSecret(providerID, field string, plain []byte) ([]byte, error) {
	d := sha256.Sum256(append([]byte(providerID+"\x00"+field+"\x00"), plain...))
	return d[:], nil
}

const testClientSecret = "s3cret-client-value"

// appleKey is a fresh P-256 key as Apple hands one out (PEM PKCS #8).
func appleKey(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func upstreamEnv(t *testing.T, e *configEnv) *manage.Upstreams {
	t.Helper()
	if _, err := e.stores.Create(t.Context(), manage.System(), manage.StoreInput{ID: "eu", Name: "Store eu",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail},
		Attributes:      []storage.AttributeDef{{Name: "department", Visible: true}}}); err != nil {
		t.Fatal(err)
	}
	e.newStore(t, "us")
	return manage.NewUpstreams(manage.NewCore(e.s, nil), e.s, testUpstreamSealer{}, "https://id.example.com/")
}

func TestUpstreamsService(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		ups := upstreamEnv(t, e)
		euAdmin := grantee(storage.RoleAdmin, "eu")
		g, err := ups.Create(ctx, euAdmin, "eu", manage.UpstreamInput{Preset: "google", ClientID: "cid.apps.googleusercontent.com",
			ClientSecret: testClientSecret, ClaimMapping: map[string]string{"department": "hd"}})
		if err != nil {
			t.Fatalf("Create = %v", err)
		}
		if g.Name != "Google" || g.Kind != storage.UpstreamOIDC || !g.Enabled || !g.ClientSecretSet || g.PrivateKeySet ||
			len(g.ID) != 32 || g.RedirectURI != "https://id.example.com/login/external/"+g.ID+"/callback" || g.Version != 1 {
			t.Errorf("created = %+v", g)
		}
		stored, err := e.s.GetUpstreamProvider(ctx, g.ID)
		if err != nil || len(stored.ClientSecretSealed) == 0 || strings.Contains(string(stored.ClientSecretSealed), testClientSecret) {
			t.Fatalf("stored = %+v, %v", stored, err)
		}
		entry := e.lastAudit(t, "upstream.created")
		if entry.StoreID != "eu" || strings.Contains(entry.After, testClientSecret) || !strings.Contains(entry.After, `"client_secret_set":true`) {
			t.Errorf("audit = %+v", entry)
		}
		raw, _ := json.Marshal(g)
		if strings.Contains(string(raw), testClientSecret) || strings.Contains(string(raw), `"client_secret":`) {
			t.Errorf("JSON view shows the secret: %s", raw)
		}
		_, err = ups.Create(ctx, euAdmin, "eu", manage.UpstreamInput{Name: "google", Preset: "google", ClientID: "x", ClientSecret: "y"})
		wantErr(t, "Create a taken name", err, manage.ErrConflict)
		_, err = ups.Create(ctx, euAdmin, "us", manage.UpstreamInput{Preset: "google", ClientID: "x", ClientSecret: "y"})
		wantErr(t, "Create outside the grant", err, manage.ErrNotFound)
		_, err = ups.Create(ctx, support, "eu", manage.UpstreamInput{Preset: "google", ClientID: "x", ClientSecret: "y"})
		wantErr(t, "support Create", err, manage.ErrForbidden)
		_, err = ups.Get(ctx, euAdmin, "us", g.ID)
		wantErr(t, "Get through another store", err, manage.ErrNotFound)
		_, err = ups.Get(ctx, grantee(storage.RoleAdmin, "us"), "", g.ID)
		wantErr(t, "Get by another store's admin", err, manage.ErrNotFound)

		// An update without the secret keeps it; a stale version is refused.
		in := manage.UpstreamInput{Name: "Google Workspace", Preset: "google", ClientID: "cid2"}
		off := false
		in.Enabled = &off
		u, err := ups.Update(ctx, euAdmin, "eu", g.ID, 1, in)
		if err != nil || u.Name != "Google Workspace" || u.Enabled || !u.ClientSecretSet || u.Version != 2 {
			t.Fatalf("Update = %+v, %v", u, err)
		}
		again, _ := e.s.GetUpstreamProvider(ctx, g.ID)
		if string(again.ClientSecretSealed) != string(stored.ClientSecretSealed) {
			t.Error("an update without a secret changed the stored one")
		}
		entry = e.lastAudit(t, "upstream.updated")
		if !strings.Contains(entry.Before, `"name":"Google"`) || !strings.Contains(entry.After, `"enabled":false`) {
			t.Errorf("update audit = %+v", entry)
		}
		_, err = ups.Update(ctx, euAdmin, "eu", g.ID, 1, in)
		wantErr(t, "Update at an old version", err, manage.ErrStale)
		wantErr(t, "Delete at an old version", ups.Delete(ctx, euAdmin, "eu", g.ID, 1), manage.ErrStale)

		// Linked accounts keep it: 409 saying how many and what to do.
		acct := &storage.Account{StoreID: "eu", Email: "m@example.com"}
		if err := e.s.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		if err := e.s.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: acct.ID, Provider: g.ID, Subject: "1"}); err != nil {
			t.Fatal(err)
		}
		list, err := ups.List(ctx, auditor, "eu")
		if err != nil || len(list) != 1 || list[0].Identities != 1 {
			t.Fatalf("List = %+v, %v", list, err)
		}
		err = ups.Delete(ctx, euAdmin, "eu", g.ID, 2)
		wantErr(t, "Delete while linked", err, manage.ErrConflict)
		if !strings.Contains(err.Error(), "1 account signs in") || !strings.Contains(err.Error(), "disable it") {
			t.Errorf("conflict message = %v", err)
		}
		if err := e.s.UnlinkExternalIdentity(ctx, acct.ID, g.ID, "1"); err != nil {
			t.Fatal(err)
		}
		// An application's policy offers it: 409 naming the application.
		pol := storage.DefaultSelfServicePolicy()
		pol.External.Providers = []string{g.ID}
		shop := &storage.Application{StoreID: "eu", Name: "Shop", SelfService: pol}
		if err := e.s.CreateApplication(ctx, shop); err != nil {
			t.Fatal(err)
		}
		err = ups.Delete(ctx, euAdmin, "eu", g.ID, 2)
		wantErr(t, "Delete while offered", err, manage.ErrConflict)
		if !strings.Contains(err.Error(), `application "Shop"`) || !strings.Contains(err.Error(), "take it out") {
			t.Errorf("conflict message = %v", err)
		}
		if err := e.s.SetSelfServicePolicy(ctx, shop.ID, storage.DefaultSelfServicePolicy()); err != nil {
			t.Fatal(err)
		}
		if err := ups.Delete(ctx, euAdmin, "eu", g.ID, 2); err != nil {
			t.Fatalf("Delete = %v", err)
		}
		entry = e.lastAudit(t, "upstream.deleted")
		if entry.TargetID != g.ID || strings.Contains(entry.Before, testClientSecret) {
			t.Errorf("delete audit = %+v", entry)
		}
	})
}

func TestUpstreamsValidation(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		ups := upstreamEnv(t, e)
		// Every problem at once.
		_, err := ups.Create(ctx, admin, "eu", manage.UpstreamInput{Kind: "saml", Issuer: "ftp://x",
			ClaimMapping: map[string]string{"shoe_size": "shoe", "email": "mail"}})
		wantFields(t, "Create nonsense", err, "name", "kind", "issuer", "client_id", "claim_mapping")
		_, err = ups.Create(ctx, admin, "eu", manage.UpstreamInput{Name: "Corp", Issuer: "http://idp.example.com", ClientID: "c",
			ClientSecret: "s", Scopes: []string{"email"}})
		wantFields(t, "Create plain http, no openid", err, "issuer", "scopes")
		_, err = ups.Create(ctx, admin, "eu", manage.UpstreamInput{Name: "Git", Kind: "oauth2", ClientID: "c", ClientSecret: "s",
			Issuer: "https://x.example/?tenant=1"})
		wantFields(t, "Create oauth2 without endpoints", err, "auth_url", "token_url", "userinfo_url")
		_, err = ups.Create(ctx, admin, "eu", manage.UpstreamInput{Name: "Corp", Issuer: "https://x.example/?tenant=1", ClientID: "c"})
		wantFields(t, "Create an issuer with a query", err, "issuer")
		_, err = ups.Create(ctx, admin, "eu", manage.UpstreamInput{Preset: "apple", ClientID: "com.example.web", KeyID: "K", PrivateKey: "nope"})
		wantFields(t, "Create Apple without team, bad key", err, "team_id", "private_key")
		_, err = ups.Create(ctx, admin, "eu", manage.UpstreamInput{Preset: "github", Kind: "oidc", ClientID: "c", ClientSecret: "s"})
		wantFields(t, "Create a preset of another kind", err, "kind")
		if len(e.audit(t)) != 2 { // the two stores
			t.Errorf("refused input left audit entries: %d", len(e.audit(t)))
		}

		// Apple: a key instead of a client secret; the secret given is
		// ignored, the key never shown.
		key := appleKey(t)
		apple, err := ups.Create(ctx, admin, "eu", manage.UpstreamInput{Preset: "apple", ClientID: "com.example.web", TeamID: "TEAM1",
			KeyID: "KEY1", PrivateKey: key, ClientSecret: "ignored"})
		if err != nil || apple.ClientSecretSet || !apple.PrivateKeySet || apple.Name != "Apple" {
			t.Fatalf("Create Apple = %+v, %v", apple, err)
		}
		entry := e.lastAudit(t, "upstream.created")
		if strings.Contains(entry.After, "PRIVATE KEY") || strings.Contains(entry.After, "ignored") {
			t.Errorf("audit shows the key: %s", entry.After)
		}
		// Local upstream (a test's second Foyer) over http, a public
		// client without a secret.
		local, err := ups.Create(ctx, admin, "eu", manage.UpstreamInput{Name: "Local", Issuer: "http://127.0.0.1:9999", ClientID: "c"})
		if err != nil || local.ClientSecretSet {
			t.Errorf("Create a loopback issuer: %+v, %v", local, err)
		}
	})
}

// TestUpstreamSecretFollowsNoMovedEndpoint: a stored secret is kept by an
// update that leaves it empty only while it goes where it was entered for.
// Moving the issuer or the token URL (also by changing the preset) without
// entering the secret again is refused, so an administrator who may edit
// the provider cannot send its secret to a server of theirs.
func TestUpstreamSecretFollowsNoMovedEndpoint(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		ups := upstreamEnv(t, e)
		euAdmin := grantee(storage.RoleAdmin, "eu")
		corp, err := ups.Create(ctx, euAdmin, "eu", manage.UpstreamInput{Name: "Corp", Issuer: "https://idp.example.com",
			ClientID: "c", ClientSecret: testClientSecret})
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := e.s.GetUpstreamProvider(ctx, corp.ID)
		moved := manage.UpstreamInput{Name: "Corp", Issuer: "https://attacker.example.net", ClientID: "c"}
		_, err = ups.Update(ctx, euAdmin, "eu", corp.ID, 1, moved)
		wantFields(t, "Update moving the issuer, secret kept", err, "client_secret")
		if got, _ := e.s.GetUpstreamProvider(ctx, corp.ID); got.Issuer != "https://idp.example.com" || got.Version != 1 {
			t.Errorf("refused update changed the provider: %+v", got)
		}
		_, err = ups.Update(ctx, euAdmin, "eu", corp.ID, 1, manage.UpstreamInput{Name: "Corp", Preset: "google", ClientID: "c"})
		wantFields(t, "Update to a preset elsewhere, secret kept", err, "client_secret")
		// Same endpoints: the secret stays (the everyday edit).
		if _, err := ups.Update(ctx, euAdmin, "eu", corp.ID, 1, manage.UpstreamInput{Name: "Corp Inc", Issuer: "https://idp.example.com",
			ClientID: "c2"}); err != nil {
			t.Fatalf("Update keeping the issuer = %v", err)
		}
		// Moved with the secret entered again: accepted and sealed anew.
		moved.ClientSecret = "another-secret"
		u, err := ups.Update(ctx, euAdmin, "eu", corp.ID, 2, moved)
		if err != nil || !u.ClientSecretSet {
			t.Fatalf("Update moving the issuer with a secret = %+v, %v", u, err)
		}
		if got, _ := e.s.GetUpstreamProvider(ctx, corp.ID); string(got.ClientSecretSealed) == string(stored.ClientSecretSealed) {
			t.Error("the moved provider kept the old secret")
		}

		// OAuth 2.0: the token URL is where the secret goes.
		gh, err := ups.Create(ctx, euAdmin, "eu", manage.UpstreamInput{Name: "Forge", Kind: "oauth2", ClientID: "c", ClientSecret: "s",
			AuthURL: "https://forge.example.com/authorize", TokenURL: "https://forge.example.com/token",
			UserInfoURL: "https://forge.example.com/user"})
		if err != nil {
			t.Fatal(err)
		}
		in := manage.UpstreamInput{Name: "Forge", Kind: "oauth2", ClientID: "c", AuthURL: "https://forge.example.com/authorize",
			TokenURL: "https://attacker.example.net/token", UserInfoURL: "https://forge.example.com/user"}
		_, err = ups.Update(ctx, euAdmin, "eu", gh.ID, 1, in)
		wantFields(t, "Update moving the token URL, secret kept", err, "client_secret")
		in.TokenURL, in.AuthURL = "https://forge.example.com/token", "https://forge.example.com/oauth/authorize"
		if _, err := ups.Update(ctx, euAdmin, "eu", gh.ID, 1, in); err != nil {
			t.Errorf("Update moving only the authorization URL = %v", err)
		}

		// Apple: the key signs the client assertion sent to the token
		// endpoint, so it follows the same rule.
		key := appleKey(t)
		apple, err := ups.Create(ctx, euAdmin, "eu", manage.UpstreamInput{Preset: "apple", ClientID: "com.example.web", TeamID: "T",
			KeyID: "K", PrivateKey: key})
		if err != nil {
			t.Fatal(err)
		}
		_, err = ups.Update(ctx, euAdmin, "eu", apple.ID, 1, manage.UpstreamInput{Preset: "apple", ClientID: "com.example.web",
			TeamID: "T", KeyID: "K", Issuer: "https://attacker.example.net"})
		wantFields(t, "Update moving Apple's issuer, key kept", err, "private_key")
	})
}

// TestUpstreamsNotForAdministrators: not even an owner adds an identity
// provider to the administrators store, through any surface (the API, the
// console and the CLI share this service).
func TestUpstreamsNotForAdministrators(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		ups := upstreamEnv(t, e)
		administratorsStore(t, e.s)
		_, err := ups.Create(ctx, grantee(storage.RoleOwner), storage.AdministratorsStoreID,
			manage.UpstreamInput{Preset: "google", ClientID: "c", ClientSecret: "s"})
		wantFields(t, "Create in the administrators store", err, "store_id")
		if list, err := e.s.ListUpstreamProviders(ctx, storage.AdministratorsStoreID); err != nil || len(list) != 0 {
			t.Errorf("providers of the administrators store: %+v, %v", list, err)
		}
	})
}
