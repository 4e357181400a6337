package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"foyer/admin"
	"foyer/admin/manage"
	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// offsetClock stands still at its start until a test moves it forward.
type offsetClock struct {
	start  time.Time
	offset atomic.Int64
}

func (c *offsetClock) now() time.Time { return c.start.Add(time.Duration(c.offset.Load())) }

func (c *offsetClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// tokenError is the token endpoint's refusal of a client_credentials
// request with these credentials, nil when it issues a token.
func tokenError(id, secret, tokenURL string) error {
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader}
	_, err := cc.Token(context.Background())
	return err
}

// A secret rotated with an overlap leaves the previous one working at the
// token endpoint until the overlap ends, and not a moment after; one
// rotated without an overlap stops at once.
func TestClientSecretRotationAtTheTokenEndpoint(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		// Microseconds, as the databases keep times.
		clock := &offsetClock{start: time.Now().Truncate(time.Microsecond)}
		srv := startServer(t, newStore(t), withClock(clock.now))
		api, _ := newAdminAPI(t, srv)
		tokenURL := srv.issuer + authz.TokenPath
		created := api.do(http.MethodPost, "/clients", map[string]any{"client_name": "Batch", "grant_types": []string{"client_credentials"}}).
			expect(t, "create", http.StatusCreated, "")
		id, first := created.body["client_id"].(string), created.body["client_secret"].(string)
		if err := tokenError(id, first, tokenURL); err != nil {
			t.Fatalf("the first secret: %v", err)
		}

		rotated := api.do(http.MethodPost, "/clients/"+id+"/secret", map[string]any{"overlap_seconds": 3600}).expect(t, "rotate", http.StatusOK, "")
		second, _ := rotated.body["client_secret"].(string)
		// Past the token endpoint's one-second client cache.
		clock.advance(2 * time.Second)
		for name, secret := range map[string]string{"the new secret": second, "the previous secret during the overlap": first} {
			if err := tokenError(id, secret, tokenURL); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if err := tokenError(id, "not-"+second, tokenURL); err == nil {
			t.Fatal("a wrong secret was accepted")
		}
		clock.advance(time.Hour - 2*time.Second - time.Nanosecond)
		if err := tokenError(id, first, tokenURL); err != nil {
			t.Fatalf("the previous secret just before the overlap ends: %v", err)
		}
		clock.advance(time.Nanosecond) // the overlap ends (the cache expired long ago)
		if err := tokenError(id, first, tokenURL); err == nil || !strings.Contains(err.Error(), "invalid_client") {
			t.Fatalf("the previous secret after the overlap: %v", err)
		}
		if err := tokenError(id, second, tokenURL); err != nil {
			t.Fatalf("the new secret after the overlap: %v", err)
		}

		api.token = clientTokenFor(t, srv) // the first token's hour is over
		third := api.do(http.MethodPost, "/clients/"+id+"/secret", nil).expect(t, "rotate without overlap", http.StatusOK, "")
		clock.advance(2 * time.Second)
		if err := tokenError(id, second, tokenURL); err == nil {
			t.Fatal("the previous secret works after a rotation without overlap")
		}
		if err := tokenError(id, third.body["client_secret"].(string), tokenURL); err != nil {
			t.Fatalf("the newest secret: %v", err)
		}
	})
}

// clientTokenFor is a fresh token for the admin API's client: its secret
// is rotated without overlap (as the system, like the CLI) and used.
func clientTokenFor(t *testing.T, srv *testServer) string {
	t.Helper()
	var id string
	for _, g := range mustGrants(t, srv) {
		if g.PrincipalKind == storage.PrincipalClient {
			id = g.PrincipalID
		}
	}
	store, ok := srv.store.(*sqlstore.Store)
	if !ok {
		t.Fatalf("the test server's store is a %T", srv.store)
	}
	c, err := cliClients(store).RotateSecret(context.Background(), manage.System(), id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return clientToken(t, srv, id, c.ClientSecret, admin.Scope)
}

func mustGrants(t *testing.T, srv *testServer) []storage.AdminGrant {
	t.Helper()
	grants, err := srv.store.ListAllAdminGrants(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return grants
}

// The CLI rotates a secret with an overlap: the new secret is printed
// once, the previous one's digest is kept until the overlap ends.
func TestCLIRotatesAClientSecret(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("client", "create", "--name", "Batch", "--grant", "client_credentials", "--json")
	var created map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &created) != nil {
		t.Fatalf("client create: exit %d, %q %q", code, out, errOut)
	}
	start := time.Now()
	code, out, errOut = c.run("client", "secret", "rotate", "--id", created["client_id"], "--overlap", "24h", "--json")
	var rotated map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &rotated) != nil || rotated["client_secret"] == "" || rotated["client_secret"] == created["client_secret"] {
		t.Fatalf("client secret rotate: exit %d, %q %q", code, out, errOut)
	}
	until, err := time.Parse(time.RFC3339, rotated["previous_secret_expires_at"])
	if err != nil || until.Before(start.Add(24*time.Hour-time.Second)) || until.After(time.Now().Add(24*time.Hour)) {
		t.Fatalf("previous_secret_expires_at %q", rotated["previous_secret_expires_at"])
	}
	store, err := sqlstore.Open(context.Background(), c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	stored, err := store.GetClient(context.Background(), created["client_id"])
	if err != nil {
		t.Fatal(err)
	}
	old, current := sha256.Sum256([]byte(created["client_secret"])), sha256.Sum256([]byte(rotated["client_secret"]))
	if string(stored.PreviousSecretHash) != string(old[:]) || string(stored.SecretHash) != string(current[:]) {
		t.Fatal("the stored digests are not the previous and the new secret's")
	}
	entries, err := store.ListAuditEntries(context.Background(), storage.AuditFilter{Action: "client.secret_rotated"})
	if err != nil || len(entries) != 1 || entries[0].ActorKind != storage.PrincipalSystem || strings.Contains(entries[0].After, rotated["client_secret"]) {
		t.Fatalf("audit entries %+v (%v)", entries, err)
	}
	for _, args := range [][]string{
		{"client", "secret", "rotate"},
		{"client", "secret", "rotate", "--id", created["client_id"], "--overlap", "169h"},
	} {
		if code, _, _ := c.run(args...); code != 2 {
			t.Fatalf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := c.run("client", "secret", "rotate", "--id", "nope"); code == 0 {
		t.Fatalf("rotating an unknown client: exit 0 %q", errOut)
	}
}

// The CLI gives a client the admin role its tokens then act with, and
// takes it away; refused input exits 2 or names the bad flag's field.
func TestCLISetsClientRoles(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("client", "create", "--name", "Automation", "--grant", "client_credentials", "--scope", admin.Scope, "--json")
	var created map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &created) != nil {
		t.Fatalf("client create: exit %d, %q %q", code, out, errOut)
	}
	id := created["client_id"]
	code, out, errOut = c.run("client", "roles", "set", "--id", id, "--role", "admin", "--store", "default")
	if code != 0 || !strings.Contains(out, `"role":"admin"`) || !strings.Contains(out, `"default"`) {
		t.Fatalf("client roles set: exit %d, %q %q", code, out, errOut)
	}
	store, err := sqlstore.Open(context.Background(), c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	grants, err := store.ListAdminGrants(context.Background(), storage.PrincipalClient, id)
	if err != nil || len(grants) != 1 || grants[0].Role != storage.RoleAdmin || len(grants[0].StoreIDs) != 1 {
		t.Fatalf("grants %+v (%v)", grants, err)
	}
	if code, out, _ := c.run("client", "roles", "set", "--id", id); code != 0 || !strings.Contains(out, `"grants":[]`) {
		t.Fatalf("taking the roles away: exit %d %q", code, out)
	}
	for _, args := range [][]string{{"client", "roles", "set"}, {"client", "roles", "set", "--id", id, "--store", "default"}} {
		if code, _, _ := c.run(args...); code != 2 {
			t.Fatalf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := c.run("client", "roles", "set", "--id", id, "--role", "king"); code != 2 || !strings.Contains(errOut, "--role") {
		t.Fatalf("an unknown role: exit %d %q", code, errOut)
	}
}
