//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"
)

// adminAPI calls the admin REST API with a client-credentials token of a
// client the CLI gave the owner role.
type adminAPI struct {
	base  string
	token string
}

func newAdminAPI(t *testing.T) *adminAPI {
	t.Helper()
	return newAdminAPIAt(t, env.issuer, env.environ)
}

// newAdminAPIAt is newAdminAPI for the Foyer at issuer whose CLI
// environment is environ (one a test started itself).
func newAdminAPIAt(t *testing.T, issuer string, environ []string) *adminAPI {
	t.Helper()
	ctx := t.Context()
	out, err := runCLI(ctx, env.bin, environ, "client", "create", "--name", "E2E operator "+randomString(4),
		"--grant", "client_credentials", "--scope", "foyer:admin", "--json")
	if err != nil {
		t.Fatal(err)
	}
	id, secret := parseClient(t, out)
	if _, err := runCLI(ctx, env.bin, environ, "client", "roles", "set", "--id", id, "--role", "owner"); err != nil {
		t.Fatal(err)
	}
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret,
		TokenURL: issuer + "/oauth2/token", Scopes: []string{"foyer:admin"}}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("admin API token: %v", err)
	}
	return &adminAPI{base: issuer + "/admin/api/v1", token: tok.AccessToken}
}

// call sends body (nil: none) as JSON and decodes the answer into out (nil:
// ignored); a status other than want fails the test with the problem.
func (a *adminAPI) call(t *testing.T, method, path string, body any, want int, out any, header ...string) {
	t.Helper()
	status, raw := a.send(t, method, path, body, header...)
	if status != want {
		t.Fatalf("%s %s = %d; want %d\n%s", method, path, status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s answered %q: %v", method, path, raw, err)
		}
	}
}

// send sends body (nil: none) as JSON with the header pairs and returns
// the answer's status and body, whatever they are.
func (a *adminAPI) send(t *testing.T, method, path string, body any, header ...string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// demoPortal is cmd/foyer-demo running as a client's relying party and
// brand portal (its /start is the client's initiate_login_uri).
type demoPortal struct {
	url string
	cmd *exec.Cmd
	log *bytes.Buffer
}

// startDemo builds and starts cmd/foyer-demo for the client on port.
func startDemo(t *testing.T, port, clientID, secret string) *demoPortal {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "foyer-demo")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "./cmd/foyer-demo")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/foyer-demo: %v\n%s", err, out)
	}
	d := &demoPortal{url: "http://127.0.0.1:" + port, log: &bytes.Buffer{}}
	d.cmd = exec.Command(bin, "-issuer", env.issuer, "-client-id", clientID, "-client-secret", secret, //nolint:gosec // our own binary
		"-listen", "127.0.0.1:"+port)
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	d.cmd.Env = os.Environ()
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = d.cmd.Process.Kill()
		_ = d.cmd.Wait()
		if t.Failed() {
			t.Logf("--- foyer-demo log ---\n%s", d.log.String())
		}
	})
	// Poll until it listens, as outboxLink polls the outbox.
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	retry := time.NewTicker(50 * time.Millisecond)
	defer retry.Stop()
	for {
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", "127.0.0.1:"+port)
		if err == nil {
			conn.Close()
			return d
		}
		select {
		case <-ctx.Done():
			t.Fatalf("foyer-demo did not start: %v\n%s", err, d.log.String())
		case <-retry.C:
		}
	}
}

// claimsOf reads the ID token claims the demo shows after a sign-in,
// with UserInfo's email.
func claimsOf(t *testing.T, b *browser) map[string]any {
	t.Helper()
	body := b.text(t, "pre")
	var shown struct {
		Claims   map[string]any `json:"id_token_claims"`
		UserInfo map[string]any `json:"userinfo"`
	}
	if err := json.Unmarshal([]byte(body), &shown); err != nil || shown.Claims == nil {
		t.Fatalf("the demo shows no ID token claims:\n%s", body)
	}
	// The e-mail claims are UserInfo's (the ID token carries only what
	// the flow needs).
	shown.Claims["email"] = shown.UserInfo["email"]
	return shown.Claims
}

// rolesClaim is the roles claim as strings.
func rolesClaim(t *testing.T, claims map[string]any) string {
	t.Helper()
	list, ok := claims["roles"].([]any)
	if !ok {
		t.Fatalf("roles claim = %#v; want a list", claims["roles"])
	}
	names := make([]string, len(list))
	for i, v := range list {
		names[i] = fmt.Sprint(v)
	}
	return strings.Join(names, ",")
}

// parseClient reads `foyer client create --json`.
func parseClient(t *testing.T, out []byte) (id, secret string) {
	t.Helper()
	var c struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal(out, &c); err != nil || c.ClientID == "" {
		t.Fatalf("client create printed %q: %v", out, err)
	}
	return c.ClientID, c.ClientSecret
}
