package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage/sqlstore/sqltest"
)

// TestCodeExchangeStatements pins the database work of a code exchange,
// the hot path the benchmark measures against the RSA ceiling: one read of
// the code's records, then the code's use, its companions' deletion and
// the two tokens in one statement on PostgreSQL (in one transaction on
// SQLite, where a statement costs no round trip). The exchange still
// yields working tokens, and the code cannot be exchanged again.
func TestCodeExchangeStatements(t *testing.T) {
	t.Parallel()
	for dialect, want := range map[string][]string{
		"postgres": {"select", "with"},
		"sqlite":   {"select", "update", "delete", "insert", "insert"},
	} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			rec := sqltest.NewRecorder(requestIDOf)
			srv := startServer(t, sqltest.OpenRecorded(t, sqltest.URL(t, dialect), rec))
			srv.account(t, "alice@example.com", alicePass)
			id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
				GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true})
			rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess)
			verifier := oauth2.GenerateVerifier()
			b := newBrowser(t, srv.Listener.Addr().String())
			code := b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(verifier)),
				"alice@example.com", alicePass).Query().Get("code")

			// exchange returns the status and the request id of one exchange.
			exchange := func() (int, string) {
				form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
					"redirect_uri": {rpCallback}, "code_verifier": {verifier}}
				req, err := http.NewRequest(http.MethodPost, srv.issuer+"/oauth2/token", strings.NewReader(form.Encode()))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatalf("exchange: %v", err)
				}
				resp.Body.Close()
				return resp.StatusCode, resp.Header.Get("X-Request-Id")
			}
			status, requestID := exchange()
			if status != http.StatusOK {
				t.Fatalf("exchange: status %d", status)
			}
			stmts := rec.Of(t, requestID)
			var got []string
			for _, s := range stmts {
				verb, _, _ := strings.Cut(strings.TrimSpace(s), " ")
				got = append(got, strings.ToLower(verb))
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("the exchange ran %v; want %v:\n%s", got, want, strings.Join(stmts, "\n"))
			}
			if again, _ := exchange(); again != http.StatusBadRequest {
				t.Fatalf("the code exchanged twice: second status %d, want 400", again)
			}
		})
	}
}
