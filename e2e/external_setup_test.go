//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// The upstream providers the main Foyer offers: a second Foyer process,
// and one at a port nothing listens on.
const (
	upstreamName = "Upstream Foyer"
	downName     = "Offline Foyer"
	// upstreamPassword is every upstream account's password.
	upstreamPassword = "upstream-meadow-copper-42"
)

// extFixture is issue 16's real upstream: a main Foyer on PostgreSQL (a
// database of its own) with a relying party, and a second Foyer process
// on SQLite as the OpenID Connect provider its customers sign in with,
// with a client whose redirect URI is the main Foyer's callback for the
// provider. The main application's self-service policy offers the
// upstream and a provider that cannot be reached.
type extFixture struct {
	mainIssuer string
	mainEnv    []string
	rp         *relyingParty
	api        *adminAPI

	upIssuer string
	upEnv    []string

	providerID string // the upstream Foyer's provider in the main Foyer
	downID     string // the unreachable one
}

// setupExternal starts both Foyers and configures them through the
// public contracts: the admin API's identity providers
// (/admin/api/v1/stores/{store}/identity-providers), the application's
// self-service policy (external.providers), and the CLI of the upstream.
func setupExternal(t *testing.T) *extFixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	f := &extFixture{}
	f.mainIssuer, f.mainEnv = startOwnFoyer(ctx, t, "127.0.0.1", mainDatabase(t))
	f.rp = newRelyingParty()
	t.Cleanup(f.rp.srv.Close)
	out, err := runCLI(ctx, env.bin, f.mainEnv, "client", "create", "--name", "E2E relying party",
		"--redirect-uri", f.rp.srv.URL+"/callback", "--grant", "authorization_code,refresh_token",
		"--scope", "openid profile email", "--first-party", "--json")
	if err != nil {
		t.Fatal(err)
	}
	clientID, secret := parseClient(t, out)
	if err := f.rp.configure(ctx, f.mainIssuer, clientID, secret); err != nil {
		t.Fatal(err)
	}
	// "localhost", not 127.0.0.1: cookies do not tell ports apart, so
	// the two Foyers must be two hosts to the browser.
	f.upIssuer, f.upEnv = startOwnFoyer(ctx, t, "localhost", "sqlite:"+filepath.Join(t.TempDir(), "upstream.db"))
	f.api = newAdminAPIAt(t, f.mainIssuer, f.mainEnv)

	f.providerID = f.createProvider(t, upstreamName, f.upIssuer)
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	f.downID = f.createProvider(t, downName, "http://127.0.0.1:"+port)
	f.offerProviders(t, f.providerID, f.downID)
	return f
}

// mainDatabase is a fresh PostgreSQL database for the main Foyer, or,
// where the PostgreSQL tests are off, a SQLite file: the cases still run.
func mainDatabase(t *testing.T) string {
	t.Helper()
	if os.Getenv("FOYER_TEST_POSTGRES") == "off" {
		t.Log("FOYER_TEST_POSTGRES=off: the main Foyer runs on SQLite too")
		return "sqlite:" + filepath.Join(t.TempDir(), "main.db")
	}
	return sqltest.PostgresURL(t)
}

// startOwnFoyer starts a Foyer at http://HOST:PORT over databaseURL and
// returns its issuer and environment (for the CLI).
func startOwnFoyer(ctx context.Context, t *testing.T, host, databaseURL string) (string, []string) {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + host + ":" + port
	environ := foyerEnviron(issuer, "127.0.0.1:"+port, "")
	for i, kv := range environ {
		if strings.HasPrefix(kv, "FOYER_DATABASE_URL=") {
			environ[i] = "FOYER_DATABASE_URL=" + databaseURL
		}
	}
	// The upstream is on loopback: should the relying-party side guard
	// against private addresses, this is the documented way to allow them.
	environ = append(environ, "FOYER_ALLOW_PRIVATE_NETWORK_URIS=true")
	srv, err := startFoyer(ctx, env.bin, environ)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.stop()
		if t.Failed() {
			t.Logf("--- foyer log of %s ---\n%s", issuer, srv.log.String())
		}
	})
	return issuer, environ
}

// providerView is what the admin API answers for an identity provider.
type providerView struct {
	ID          string `json:"id"`
	RedirectURI string `json:"redirect_uri"`
	Version     int64  `json:"version"`
}

// createProvider creates an OpenID Connect provider of the default store
// in the main Foyer with a placeholder client, registers the client at
// the issuer when it is the upstream Foyer (its redirect URI is the one
// the API reports), and updates the provider with it.
func (f *extFixture) createProvider(t *testing.T, name, issuer string) string {
	t.Helper()
	path := "/stores/default/identity-providers"
	status, raw := f.api.send(t, http.MethodPost, path, map[string]any{"name": name, "kind": storage.UpstreamOIDC,
		"issuer": issuer, "client_id": "pending", "client_secret": "pending-" + randomString(8),
		"scopes": []string{"openid", "email", "profile"}, "enabled": true})
	if status != http.StatusCreated {
		t.Fatalf("contract (idpadmin): POST /admin/api/v1%s = %d, want 201:\n%s", path, status, raw)
	}
	var p providerView
	if err := json.Unmarshal(raw, &p); err != nil || p.ID == "" {
		t.Fatalf("contract (idpadmin): the created provider has no id: %s", raw)
	}
	if want := f.mainIssuer + "/login/external/" + p.ID + "/callback"; p.RedirectURI != want {
		t.Errorf("contract (idpadmin): redirect_uri = %q, want %q", p.RedirectURI, want)
	}
	if issuer != f.upIssuer {
		return p.ID
	}
	out, err := runCLI(t.Context(), env.bin, f.upEnv, "client", "create", "--name", "Main Foyer",
		"--redirect-uri", f.mainIssuer+"/login/external/"+p.ID+"/callback",
		"--grant", "authorization_code,refresh_token", "--scope", "openid profile email", "--first-party", "--json")
	if err != nil {
		t.Fatal(err)
	}
	clientID, secret := parseClient(t, out)
	f.updateProvider(t, p, map[string]any{"client_id": clientID, "client_secret": secret})
	return p.ID
}

// updateProvider changes fields of the provider at its version: PATCH,
// or, where the API replaces whole resources, PUT with every field.
func (f *extFixture) updateProvider(t *testing.T, p providerView, fields map[string]any) {
	t.Helper()
	path := "/stores/default/identity-providers/" + p.ID
	ifMatch := fmt.Sprintf("%q", fmt.Sprint(p.Version))
	status, raw := f.api.send(t, http.MethodPatch, path, fields, "If-Match", ifMatch)
	if status == http.StatusMethodNotAllowed {
		var full map[string]any
		f.api.call(t, http.MethodGet, path, nil, http.StatusOK, &full)
		body := map[string]any{}
		for _, k := range []string{"name", "preset", "kind", "issuer", "scopes", "claim_mapping", "enabled"} {
			if v, ok := full[k]; ok {
				body[k] = v
			}
		}
		for k, v := range fields {
			body[k] = v
		}
		status, raw = f.api.send(t, http.MethodPut, path, body, "If-Match", ifMatch)
	}
	if status != http.StatusOK {
		t.Fatalf("contract (idpadmin): update %s = %d, want 200:\n%s", path, status, raw)
	}
}

// offerProviders gives the default application a self-service policy
// (the defaults) that offers the providers, in order.
func (f *extFixture) offerProviders(t *testing.T, ids ...string) {
	t.Helper()
	pol := storage.DefaultSelfServicePolicy()
	pol.External = storage.ExternalSignIn{Providers: ids}
	var created idOnly
	f.api.call(t, http.MethodPost, "/policies", map[string]any{"kind": "self_service", "name": "External sign-in",
		"self_service": pol}, http.StatusCreated, &created)
	f.api.call(t, http.MethodPut, "/applications/default/policies/self_service", map[string]any{"policy_id": created.ID},
		http.StatusOK, nil)
}

// upstreamAccount creates a customer of the upstream Foyer; verified
// marks its e-mail confirmed, which the upstream's email_verified claim
// reports.
func (f *extFixture) upstreamAccount(t *testing.T, email string, verified bool) {
	t.Helper()
	args := []string{"account", "create", "--email", email, "--password", upstreamPassword}
	if verified {
		args = append(args, "--verified")
	}
	if _, err := runCLI(t.Context(), env.bin, f.upEnv, args...); err != nil {
		t.Fatal(err)
	}
}

// createdAccount reads the id `foyer account create` printed.
var createdAccount = regexp.MustCompile(`created account ([0-9a-f]+) `)

// mainAccount creates a customer of the main Foyer with a confirmed
// e-mail and a password, and returns its id (the relying party's sub).
func (f *extFixture) mainAccount(t *testing.T, email, password string) string {
	t.Helper()
	out, err := runCLI(t.Context(), env.bin, f.mainEnv, "account", "create", "--email", email, "--password", password, "--verified")
	if err != nil {
		t.Fatal(err)
	}
	m := createdAccount.FindSubmatch(out)
	if m == nil {
		t.Fatalf("account create printed %q", out)
	}
	return string(m[1])
}
