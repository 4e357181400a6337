package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v3"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/authz/keys"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestTokensSurviveKeyRotation: an ID token and a JWT access token signed
// before a rotation still verify against the JWKS afterwards (the retired
// key stays published), and the access token still works at UserInfo.
func TestTokensSurviveKeyRotation(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		srv.account(t, "alice@example.com", alicePass)
		clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code"}, FirstParty: true})
		srv.updateClient(t, clientID, func(c *storage.Client) { c.AccessTokenFormat = authz.AccessTokenFormatJWT })
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "email")
		tok := signedInTokens(t, srv, rp)
		rawID := tok.Extra("id_token").(string)
		jws, err := jose.ParseSigned(rawID)
		if err != nil {
			t.Fatal(err)
		}
		oldKID := jws.Signatures[0].Header.KeyID

		// what `foyer keys rotate` does, through the server's own manager
		// so its JWKS reflects the rotation at once
		created, err := srv.keys.Rotate(ctx)
		if err != nil || len(created) != 2 {
			t.Fatalf("rotate: %v", err)
		}
		set, err := srv.keys.PublicKeySet(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(set.Key(oldKID)) != 1 || len(set.Key(created[0].ID)) != 1 || len(set.Key(created[1].ID)) != 1 {
			t.Fatalf("JWKS after rotation lacks the old key %s or a new one", oldKID)
		}
		// a relying party that fetches the JWKS only now
		fresh, err := oidc.NewProvider(ctx, srv.issuer)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fresh.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, rawID); err != nil {
			t.Fatalf("ID token signed before the rotation: %v", err)
		}
		verifyJWTAccessToken(t, srv, tok.AccessToken)
		if _, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil {
			t.Fatalf("JWT access token after rotation: %v", err)
		}
	})
}

// TestAutomaticKeyRotation drives serve's rotation check with a clock:
// nothing before the interval, a rotation once it has passed.
func TestAutomaticKeyRotation(t *testing.T) {
	t.Parallel()
	store := sqltest.SQLite(t)
	ctx := context.Background()
	now := time.Now()
	m := keys.NewManager(store, []byte(testSecret), keys.WithClock(func() time.Time { return now }))
	if err := m.EnsureKeys(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	count := func() int {
		rows, err := store.ListSigningKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	rotateIfDue(ctx, m, 720*time.Hour, log)
	if n := count(); n != 2 {
		t.Fatalf("%d keys before the interval, want 2", n)
	}
	now = now.Add(720 * time.Hour)
	rotateIfDue(ctx, m, 720*time.Hour, log)
	if n := count(); n != 4 {
		t.Fatalf("%d keys after the interval, want 4", n)
	}
	now = now.Add(720 * time.Hour)
	rotateIfDue(ctx, m, 0, log) // off
	if n := count(); n != 4 {
		t.Fatalf("rotation with interval 0 made %d keys", n)
	}
}

func TestKeyRotationIntervalConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 720 * time.Hour, true},
		{"168h", 168 * time.Hour, true},
		{"0", 0, true},
		{"10m", 0, false},
		{"-1h", 0, false},
		{"monthly", 0, false},
	} {
		env := map[string]string{"FOYER_KEY_ROTATION_INTERVAL": tc.value}
		cfg, err := loadConfig("", func(k string) string { return env[k] })
		if (err == nil) != tc.ok {
			t.Errorf("%q: err = %v, want ok=%v", tc.value, err, tc.ok)
			continue
		}
		if tc.ok && cfg.keyRotationInterval() != tc.want {
			t.Errorf("%q: interval = %v, want %v", tc.value, cfg.keyRotationInterval(), tc.want)
		}
		if !tc.ok && !strings.Contains(err.Error(), "FOYER_KEY_ROTATION_INTERVAL") {
			t.Errorf("%q: error %q does not name the variable", tc.value, err)
		}
	}
}
