package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"foyer/admin/manage"
	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// clientMetadataFlags adds the flags for the metadata beyond redirects,
// grants and scopes to fs. The returned function completes spec after
// parsing (it reads the --jwks-file).
func clientMetadataFlags(fs *flag.FlagSet, spec *authz.ClientSpec) func() error {
	fs.StringVar(&spec.TokenEndpointAuthMethod, "token-endpoint-auth-method", "",
		"client_secret_basic (default), client_secret_post, private_key_jwt or none")
	fs.StringVar(&spec.JWKSURI, "jwks-uri", "", "where the client publishes its private_key_jwt keys")
	jwksFile := fs.String("jwks-file", "", "a JSON Web Key Set file with the client's private_key_jwt public keys")
	fs.StringVar(&spec.TokenEndpointAuthSigningAlg, "token-endpoint-auth-signing-alg", "",
		"private_key_jwt assertion algorithm (default RS256; ES256, PS256, ...)")
	fs.StringVar(&spec.IDTokenSignedResponseAlg, "id-token-alg", "", "ID token algorithm: RS256 (default) or ES256")
	fs.StringVar(&spec.AccessTokenFormat, "access-token-format", "", "opaque (default) or jwt (RFC 9068)")
	fs.DurationVar(&spec.AccessTokenLifetime, "access-token-lifetime", 0, "access token lifetime (default: the server's)")
	fs.DurationVar(&spec.RefreshTokenLifetime, "refresh-token-lifetime", 0, "refresh token lifetime (default: the server's)")
	fs.DurationVar(&spec.IDTokenLifetime, "id-token-lifetime", 0, "ID token lifetime (default: the server's)")
	fs.BoolVar(&spec.RequirePushedAuthorizationRequests, "require-par", false,
		"accept authorization requests only through PAR (RFC 9126)")
	fs.StringVar(&spec.ClientURI, "client-uri", "", "the client's home page")
	fs.StringVar(&spec.LogoURI, "logo-uri", "", "the client's logo")
	fs.StringVar(&spec.PolicyURI, "policy-uri", "", "the client's privacy policy")
	fs.StringVar(&spec.TOSURI, "tos-uri", "", "the client's terms of service")
	contacts := &listFlag{}
	fs.Var(contacts, "contact", "e-mail address of someone responsible for the client (repeatable)")
	return func() error {
		spec.Contacts = *contacts
		if *jwksFile == "" {
			return nil
		}
		raw, err := os.ReadFile(*jwksFile)
		if err != nil {
			return fmt.Errorf("--jwks-file: %w", err)
		}
		spec.JWKS = raw
		return nil
	}
}

// Bounds on what an admin may ask of an initial access token.
const (
	maxInitialTokenUses     = 1000
	maxInitialTokenLifetime = 365 * 24 * time.Hour
)

// clientTokenCreate is "foyer client token create": an initial access token
// for dynamic client registration (RFC 7591). The token is printed once;
// only its SHA-256 is stored.
func clientTokenCreate(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("client token create", stderr)
	uses := fs.Int("uses", 1, "how many registrations the token allows")
	expires := fs.Duration("expires", 24*time.Hour, "how long the token is valid")
	description := fs.String("description", "", "what the token is for (shown to admins)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *uses < 1 || *uses > maxInitialTokenUses || *expires <= 0 || *expires > maxInitialTokenLifetime {
		fmt.Fprintf(stderr, "foyer client token create: --uses must be 1 to %d and --expires positive and at most %s\n",
			maxInitialTokenUses, maxInitialTokenLifetime)
		return errUsage
	}
	token, _, err := authz.NewClientSecret()
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(token))
	t := &storage.InitialAccessToken{TokenHash: digest[:], Description: *description, RemainingUses: *uses,
		ExpiresAt: time.Now().Add(*expires)}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		if err := createInitialAccessToken(ctx, s, t); err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(map[string]any{
				"initial_access_token": token, "uses": t.RemainingUses, "expires_at": t.ExpiresAt.UTC().Format(time.RFC3339),
			})
		}
		fmt.Fprintf(stdout, "initial_access_token: %s\n", token)
		fmt.Fprintf(stdout, "(valid for %d registration(s) until %s; shown once, only its digest is stored)\n",
			t.RemainingUses, t.ExpiresAt.UTC().Format(time.RFC3339))
		fmt.Fprintf(stdout, "register with: POST %s%s  Authorization: Bearer <token>\n", cfg.Issuer, authz.RegistrationPath)
		return nil
	})
}

// createInitialAccessToken stores t and its audit entry (never the token
// or its digest) in one transaction: a token lets anyone holding it
// register clients, so who made one, when and for what is recorded.
func createInitialAccessToken(ctx context.Context, s storage.Store, t *storage.InitialAccessToken) error {
	return newAdminCore(s, nil).Apply(ctx, manage.System(), manage.WriteConfig, "", func(ctx context.Context) (manage.Change, error) {
		if err := s.CreateInitialAccessToken(ctx, t); err != nil {
			return manage.Change{}, err
		}
		return manage.Change{Action: "initial_access_token.created", TargetType: "initial_access_token", TargetID: t.ID,
			After: map[string]any{"id": t.ID, "description": t.Description, "remaining_uses": t.RemainingUses,
				"expires_at": t.ExpiresAt.UTC().Format(time.RFC3339)}}, nil
	})
}
