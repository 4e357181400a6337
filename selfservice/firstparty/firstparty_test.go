package firstparty

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

const issuer = "https://id.example"

// issuerHandler is the smallest issuer the exchanger talks to: discovery,
// keys, and a token endpoint answering one ID token with the claims the
// test sets. The exchanger reaches it only in process (UseServer), so the
// issuer's address is never dialled.
func issuerHandler(t *testing.T, claims map[string]any) http.Handler {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": issuer, "authorization_endpoint": issuer + "/auth",
			"token_endpoint": issuer + "/token", "jwks_uri": issuer + "/jwks", "id_token_signing_alg_values_supported": []string{"ES256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("code") != "good-code" || r.PostForm.Get("code_verifier") != "verifier" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		payload, _ := json.Marshal(claims)
		sig, err := signer.Sign(payload)
		if err != nil {
			t.Error(err)
			return
		}
		raw, _ := sig.CompactSerialize()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 60, "id_token": raw})
	})
	return mux
}

func claimsFor(clientID, nonce, sid string) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": issuer, "sub": "acct-1", "aud": clientID, "nonce": nonce,
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
	if sid != "" {
		c["sid"] = sid
	}
	return c
}

func config(clientID string) *oauth2.Config {
	return &oauth2.Config{ClientID: clientID, Endpoint: oauth2.Endpoint{TokenURL: issuer + "/token", AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: issuer + "/cb"}
}

func TestExchange(t *testing.T) {
	t.Parallel()
	e := New(issuer, "portal")
	e.UseServer(issuerHandler(t, claimsFor("foyer-account", "n1", "s1")))
	sid, sub, err := e.Exchange(context.Background(), config("foyer-account"), "good-code", "verifier", "n1")
	if err != nil || sid != "s1" || sub != "acct-1" {
		t.Fatalf("Exchange = %q, %q, %v; want s1, acct-1", sid, sub, err)
	}
}

// TestExchangeRefuses: each way a code or its ID token can be wrong is an
// error naming the user of the exchanger, never a sign-in.
func TestExchangeRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		claims map[string]any
		client string
		code   string
		nonce  string
		want   string
	}{
		{"a code the issuer refuses", claimsFor("c", "n1", "s1"), "c", "bad-code", "n1", "console: exchange code"},
		{"another nonce", claimsFor("c", "n1", "s1"), "c", "good-code", "n2", "nonce or sid mismatch"},
		{"no sid", claimsFor("c", "n1", ""), "c", "good-code", "n1", "nonce or sid mismatch"},
		{"a token for another client", claimsFor("other", "n1", "s1"), "c", "good-code", "n1", "verify ID token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := New(issuer, "console")
			e.UseServer(issuerHandler(t, tc.claims))
			sid, _, err := e.Exchange(context.Background(), config(tc.client), tc.code, "verifier", tc.nonce)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "console: ") {
				t.Fatalf("err = %v (sid %q); want one containing %q", err, sid, tc.want)
			}
		})
	}
}

func TestExchangeWithoutServer(t *testing.T) {
	t.Parallel()
	_, _, err := New(issuer, "portal").Exchange(context.Background(), config("c"), "good-code", "verifier", "n1")
	if err == nil || !strings.Contains(err.Error(), "UseServer not called") {
		t.Fatalf("err = %v; want the missing server named", err)
	}
}
