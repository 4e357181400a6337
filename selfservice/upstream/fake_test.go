package upstream

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"foyer/storage"
)

// fakeUpstream speaks the wire format of the third parties this package
// talks to (Google, Entra, Apple, GitHub), which tests cannot reach:
// discovery under any issuer path, a JWKS, a token endpoint answering
// with an ID token it signs, and JSON answers for user info. The end-to-
// end tests use a real upstream (a second Foyer) instead.
type fakeUpstream struct {
	URL string
	key *ecdsa.PrivateKey
	// Issuer is the discovery document's issuer (Entra: a template).
	Issuer   string
	IssParam bool
	// IDToken is signed into the token answer; nil: no ID token.
	IDToken map[string]any
	// TokenStatus is the token endpoint's status; 0 is 200.
	TokenStatus int
	// JSON answers GET requests by path (user info, e-mails); a number
	// is a status instead.
	JSON map[string]any
	// forms receives each token request's form.
	forms chan url.Values
}

// testNow is the clock of every Client in these tests.
var testNow = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

// newFake starts a fake upstream; setup fills it in knowing its URL,
// before it serves anything.
func newFake(t *testing.T, setup func(f *fakeUpstream)) (*fakeUpstream, *Client) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	f := &fakeUpstream{URL: "http://" + srv.Listener.Addr().String(), key: key, forms: make(chan url.Values, 4)}
	f.Issuer = f.URL
	setup(f)
	srv.Config.Handler = f
	srv.Start()
	t.Cleanup(srv.Close)
	return f, New(Config{HTTPClient: srv.Client(), Secrets: plainSecrets{}, Now: func() time.Time { return testNow }})
}

func (f *fakeUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
		writeJSON(w, http.StatusOK, map[string]any{"issuer": f.Issuer, "authorization_endpoint": f.URL + "/authorize",
			"token_endpoint": f.URL + "/token", "jwks_uri": f.URL + "/jwks", "response_types_supported": []string{"code"},
			"id_token_signing_alg_values_supported":          []string{"ES256"},
			"authorization_response_iss_parameter_supported": f.IssParam})
	case r.URL.Path == "/jwks":
		writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: &f.key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	case r.URL.Path == "/token" && r.Method == http.MethodPost:
		f.token(w, r)
	case r.Header.Get("Authorization") != "Bearer at-1":
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
	default:
		switch v := f.JSON[r.URL.Path].(type) {
		case nil:
			http.NotFound(w, r)
		case int:
			writeJSON(w, v, map[string]string{"message": http.StatusText(v)})
		default:
			writeJSON(w, http.StatusOK, v)
		}
	}
}

// token answers a code exchange: TokenStatus, or tokens.
func (f *fakeUpstream) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	f.forms <- r.PostForm
	if f.TokenStatus != 0 {
		writeJSON(w, f.TokenStatus, map[string]string{"error": "invalid_grant"})
		return
	}
	out := map[string]any{"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600}
	if f.IDToken != nil {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: f.key, KeyID: "k1"}}, nil)
		if err == nil {
			out["id_token"], err = jwt.Signed(signer).Claims(f.IDToken).Serialize()
		}
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// idToken is a valid ID token's claims for issuer, with nonce "n-1".
func idToken(issuer string) map[string]any {
	return map[string]any{"iss": issuer, "sub": "u-1", "aud": "client-1", "nonce": "n-1",
		"iat": testNow.Unix(), "exp": testNow.Add(time.Hour).Unix(), "email": "ada@example.com", "email_verified": true}
}

// plainSecrets "opens" a sealed secret by returning it.
type plainSecrets struct{}

func (plainSecrets) OpenUpstreamSecret(_, _ string, sealed []byte) ([]byte, error) {
	return sealed, nil
}

// finish runs Finish for p with the code "code-1", nonce "n-1" and iss.
func finish(c *Client, p *storage.UpstreamProvider, iss string) (*Identity, error) {
	cb := Callback{Code: "code-1", State: "s", Iss: iss}
	return c.Finish(context.Background(), p, "https://foyer.test/login/external/p1/callback", cb, "n-1", "verifier-1")
}

// oidcProvider is a generic OpenID Connect provider at issuer.
func oidcProvider(issuer string) *storage.UpstreamProvider {
	return &storage.UpstreamProvider{ID: "p1", Name: "Test", Kind: storage.UpstreamOIDC, Issuer: issuer, ClientID: "client-1",
		ClientSecretSealed: []byte("secret-1")}
}
