package upstream

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/url"
	"reflect"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"foyer/storage"
)

// pemPKCS8 is key as Apple hands it out.
func pemPKCS8(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// checkAppleSecret verifies an Apple client secret with pub and checks
// its header and claims.
func checkAppleSecret(t *testing.T, secret string, pub *ecdsa.PublicKey) {
	t.Helper()
	tok, err := jwt.ParseSigned(secret, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if h := tok.Headers[0]; h.KeyID != "KEY123" || h.Algorithm != "ES256" {
		t.Errorf("header kid %q alg %q, want KEY123 ES256", h.KeyID, h.Algorithm)
	}
	var claims jwt.Claims
	var raw map[string]any
	if err := tok.Claims(pub, &claims, &raw); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if claims.Issuer != "TEAM123" || claims.Subject != "com.example.web" || raw["aud"] != "https://appleid.apple.com" {
		t.Errorf("claims %+v, aud %v", claims, raw["aud"])
	}
	if !claims.IssuedAt.Time().Equal(testNow) || !claims.Expiry.Time().Equal(testNow.Add(5*time.Minute)) {
		t.Errorf("iat %v exp %v, want now and five minutes later", claims.IssuedAt.Time(), claims.Expiry.Time())
	}
}

func TestAppleClientSecret(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := signAppleSecret(key, "KEY123", "TEAM123", "com.example.web", testNow)
	if err != nil {
		t.Fatal(err)
	}
	checkAppleSecret(t, secret, &key.PublicKey)
}

func TestParsePrivateKey(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	sec1, _ := x509.MarshalECPrivateKey(p256)
	for name, tc := range map[string]struct {
		pem []byte
		ok  bool
	}{
		"PKCS #8 P-256":  {pemPKCS8(t, p256), true},
		"SEC 1 EC key":   {pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}), false},
		"P-384":          {pemPKCS8(t, p384), false},
		"RSA":            {pemPKCS8(t, rsaKey), false},
		"not PEM":        {[]byte("MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg"), false},
		"PEM of garbage": {pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("x")}), false},
		"empty":          {nil, false},
	} {
		if err := ParsePrivateKey(tc.pem); (err == nil) != tc.ok {
			t.Errorf("%s: ParsePrivateKey = %v", name, err)
		}
	}
}

// appleProvider is the Apple preset at a fake issuer with key.
func appleProvider(t *testing.T, issuer string, key *ecdsa.PrivateKey) *storage.UpstreamProvider {
	return &storage.UpstreamProvider{ID: "apple", Name: "Apple", Kind: storage.UpstreamOIDC, Preset: storage.PresetApple,
		Issuer: issuer, ClientID: "com.example.web", TeamID: "TEAM123", KeyID: "KEY123", PrivateKeySealed: pemPKCS8(t, key),
		ClaimMapping: map[string]string{"first_name": "given_name", "last_name": "family_name"}}
}

// TestAppleFinish: the client secret goes in the form, the name comes from
// the form_post's user JSON, email_verified may be "true".
func TestAppleFinish(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, tc := range []struct {
		user string
		want map[string]string
	}{
		{`{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"forged@example.com"}`,
			map[string]string{"first_name": "Ada", "last_name": "Lovelace"}},
		{"", nil},         // later sign-ins carry no name
		{`{"name":`, nil}, // malformed: ignored
	} {
		f, c := newFake(t, func(f *fakeUpstream) {
			f.IDToken = idToken(f.URL)
			f.IDToken["aud"], f.IDToken["email_verified"], f.IDToken["is_private_email"] = "com.example.web", "true", "true"
		})
		cb := Callback{Code: "code-1", User: tc.user}
		id, err := c.Finish(context.Background(), appleProvider(t, f.URL, key), "https://foyer.test/cb", cb, "n-1", "v")
		if err != nil {
			t.Fatal(err)
		}
		if id.Email != "ada@example.com" || !id.EmailVerified || !reflect.DeepEqual(id.Attributes, tc.want) {
			t.Errorf("user %q: identity %+v, want attributes %v", tc.user, id, tc.want)
		}
		form := <-f.forms
		if form.Get("client_id") != "com.example.web" {
			t.Errorf("token request %v: want the client in the form", form)
		}
		checkAppleSecret(t, form.Get("client_secret"), &key.PublicKey)
	}
}

// TestBegin: state, nonce and PKCE S256 in the request; form_post for Apple.
func TestBegin(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f, c := newFake(t, func(f *fakeUpstream) {})
	for _, tc := range []struct {
		p        *storage.UpstreamProvider
		formPost string
	}{{oidcProvider(f.URL), ""}, {appleProvider(t, f.URL, key), "form_post"}} {
		req, err := c.Begin(context.Background(), tc.p, "https://foyer.test/cb", "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(req.URL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if u.Path != "/authorize" || q.Get("state") != req.State || q.Get("nonce") != req.Nonce ||
			q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") != oauth2S256(req.Verifier) ||
			q.Get("login_hint") != "ada@example.com" || q.Get("response_mode") != tc.formPost {
			t.Errorf("authorization request %s", req.URL)
		}
	}
}

// oauth2S256 is RFC 7636's S256 challenge of verifier.
func oauth2S256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
