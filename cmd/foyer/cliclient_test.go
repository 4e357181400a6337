package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// TestCLIClientMetadata: the new metadata flags reach the stored client
// through the same validation as the other registration paths.
func TestCLIClientMetadata(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	jwksFile := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(jwksFile, newClientKey(t, jose.ES256, "k1").jwks(t), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := c.run("client", "create", "--name", "Service", "--grant", "client_credentials",
		"--token-endpoint-auth-method", "private_key_jwt", "--jwks-file", jwksFile, "--token-endpoint-auth-signing-alg", "ES256",
		"--access-token-format", "jwt", "--id-token-alg", "ES256", "--access-token-lifetime", "10m", "--require-par",
		"--contact", "ops@service.example", "--scope", "foyer:admin", "--resource-server", "--json")
	var created map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &created) != nil || created["client_secret"] != "" {
		t.Fatalf("client create: exit %d, %q, %s", code, out, errOut)
	}
	code, _, errOut = c.run("client", "create", "--name", "RP", "--redirect-uri", "https://rp.example/cb",
		"--token-endpoint-auth-method", "private_key_jwt", "--jwks-uri", "http://rp.example/jwks")
	if code != 2 || !strings.Contains(errOut, "jwks_uri") {
		t.Fatalf("http jwks_uri: exit %d, %s", code, errOut)
	}
	withCLIStore(t, c, func(ctx context.Context, s *sqlstore.Store) {
		got, err := s.GetClient(ctx, created["client_id"])
		if err != nil {
			t.Fatal(err)
		}
		if got.TokenEndpointAuthMethod != authz.AuthMethodPrivateKey || len(got.JWKS) == 0 || got.TokenEndpointAuthSigningAlg != "ES256" ||
			got.AccessTokenFormat != "jwt" || got.IDTokenSignedResponseAlg != "ES256" || got.AccessTokenLifetime != 10*time.Minute ||
			!got.RequirePushedAuthorizationRequests || !got.ResourceServer || got.Contacts[0] != "ops@service.example" || got.Scopes[0] != "foyer:admin" {
			t.Fatalf("stored client: %+v", got)
		}
	})
}

// TestCLIInitialAccessToken: the token is printed once and stored as its
// digest, with its uses and expiry.
func TestCLIInitialAccessToken(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("client", "token", "create", "--uses", "2", "--expires", "1h", "--description", "partner onboarding", "--json")
	var created struct {
		Token string `json:"initial_access_token"`
		Uses  int    `json:"uses"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &created) != nil || len(created.Token) < 43 || created.Uses != 2 {
		t.Fatalf("token create: exit %d, %q, %s", code, out, errOut)
	}
	if code, _, _ := c.run("client", "token", "create", "--uses", "0"); code != 2 {
		t.Fatalf("--uses 0: exit %d, want 2", code)
	}
	withCLIStore(t, c, func(ctx context.Context, s *sqlstore.Store) {
		digest := sha256.Sum256([]byte(created.Token))
		for i := range 2 {
			if err := s.UseInitialAccessToken(ctx, digest[:], time.Now()); err != nil {
				t.Fatalf("use %d: %v", i+1, err)
			}
		}
		if err := s.UseInitialAccessToken(ctx, digest[:], time.Now()); err == nil {
			t.Fatal("a third use of a two-use token")
		}
		// Made by the system, recorded without the token or its digest.
		entries, err := s.ListAuditEntries(ctx, storage.AuditFilter{Action: "initial_access_token.created"})
		if err != nil || len(entries) != 1 || entries[0].ActorKind != storage.PrincipalSystem || entries[0].TargetID == "" ||
			!strings.Contains(entries[0].After, "partner onboarding") || !strings.Contains(entries[0].After, `"remaining_uses":2`) ||
			strings.Contains(entries[0].After, created.Token) || strings.Contains(entries[0].After, hex.EncodeToString(digest[:])) {
			t.Fatalf("audit entries %+v, %v", entries, err)
		}
	})
}

// withCLIStore opens the CLI's database.
func withCLIStore(t *testing.T, c *cli, fn func(context.Context, *sqlstore.Store)) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	fn(ctx, s)
}
