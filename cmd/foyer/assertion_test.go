package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
)

// clientKey is a relying party's private_key_jwt key pair.
type clientKey struct {
	priv crypto.Signer
	alg  jose.SignatureAlgorithm
	kid  string
}

func newClientKey(t *testing.T, alg jose.SignatureAlgorithm, kid string) *clientKey {
	t.Helper()
	var priv crypto.Signer
	var err error
	switch alg {
	case jose.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	return &clientKey{priv: priv, alg: alg, kid: kid}
}

// jwks is the public JSON Web Key Set the client registers (no "use", as
// many libraries publish it).
func (k *clientKey) jwks(t *testing.T) []byte {
	t.Helper()
	raw, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: k.priv.Public(), KeyID: k.kid, Algorithm: string(k.alg)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// serveJWKS publishes the key at a jwks_uri of its own.
func (k *clientKey) serveJWKS(t *testing.T) string {
	t.Helper()
	set := k.jwks(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(set)
	}))
	t.Cleanup(ts.Close)
	return ts.URL + "/jwks.json"
}

// assertionClaims are an RFC 7523 client assertion's claims; tests change
// them to make bad assertions.
type assertionClaims struct {
	clientID, aud, jti string
	exp                time.Time
}

func newAssertionClaims(clientID, aud string) assertionClaims {
	return assertionClaims{clientID: clientID, aud: aud, jti: rand.Text(), exp: time.Now().Add(time.Minute)}
}

// sign returns the compact JWS of the claims.
func (k *clientKey) sign(t *testing.T, c assertionClaims) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	raw, err := jwt.Signed(signer).Claims(jwt.Claims{
		Issuer: c.clientID, Subject: c.clientID, Audience: jwt.Audience{c.aud}, ID: c.jti,
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		Expiry: jwt.NewNumericDate(c.exp),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// assertionParams are the token request parameters carrying an assertion.
func assertionParams(assertion string) url.Values {
	return url.Values{
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
}

// assertionOptions passes an assertion through x/oauth2's Exchange.
func assertionOptions(assertion string) []oauth2.AuthCodeOption {
	var opts []oauth2.AuthCodeOption
	for k, v := range assertionParams(assertion) {
		opts = append(opts, oauth2.SetAuthURLParam(k, v[0]))
	}
	return opts
}
