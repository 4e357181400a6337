package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v3"

	"foyer/storage"
)

// Algorithms this package signs with.
const (
	RS256 = string(jose.RS256)
	ES256 = string(jose.ES256)
)

// algorithms is every algorithm EnsureKeys and Rotate keep a key for.
func algorithms() []string { return []string{ES256, RS256} }

// rsaBits follows current guidance; 2048 keeps RS256 signing fast enough
// for the token endpoint.
const rsaBits = 2048

func generatePrivate(alg string) (crypto.Signer, error) {
	switch alg {
	case ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RS256:
		return rsa.GenerateKey(rand.Reader, rsaBits)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, alg)
	}
}

// thumbprint is the RFC 7638 SHA-256 thumbprint, base64url without padding.
func thumbprint(jwk *jose.JSONWebKey) (string, error) {
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("keys: thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// newKey generates a key for alg and returns the row to store (private
// part sealed) together with the private JWK ready for signing.
func newKey(s *sealer, alg string, now time.Time) (*storage.SigningKey, *jose.JSONWebKey, error) {
	priv, err := generatePrivate(alg)
	if err != nil {
		return nil, nil, fmt.Errorf("keys: generate %s: %w", alg, err)
	}
	jwk := &jose.JSONWebKey{Key: priv, Algorithm: alg, Use: "sig"}
	if jwk.KeyID, err = thumbprint(jwk); err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, fmt.Errorf("keys: pkcs8: %w", err)
	}
	sealed, err := s.seal(der, jwk.KeyID, alg)
	if err != nil {
		return nil, nil, err
	}
	pub, err := json.Marshal(jwk.Public())
	if err != nil {
		return nil, nil, fmt.Errorf("keys: public jwk: %w", err)
	}
	row := &storage.SigningKey{
		ID:                  jwk.KeyID,
		Algorithm:           alg,
		Status:              storage.KeyActive,
		PrivateKeyEncrypted: sealed,
		PublicJWK:           pub,
		CreatedAt:           now,
	}
	return row, jwk, nil
}

// parsePublic reads a row's public JWK and checks it names the row.
func parsePublic(row *storage.SigningKey) (*jose.JSONWebKey, error) {
	var jwk jose.JSONWebKey
	if err := json.Unmarshal(row.PublicJWK, &jwk); err != nil {
		return nil, fmt.Errorf("keys: kid %s: public jwk: %w", row.ID, err)
	}
	if jwk.KeyID != row.ID || jwk.Algorithm != row.Algorithm || !jwk.IsPublic() {
		return nil, fmt.Errorf("keys: kid %s: public jwk does not match its row", row.ID)
	}
	return &jwk, nil
}

// openPrivate decrypts and parses a row's private key. The thumbprint check
// catches a private key that does not belong with the row's kid even when
// the ciphertext itself was sealed for that kid.
func openPrivate(s *sealer, row *storage.SigningKey) (*jose.JSONWebKey, error) {
	der, err := s.open(row.PrivateKeyEncrypted, row.ID, row.Algorithm)
	if err != nil {
		return nil, err
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("keys: kid %s: pkcs8: %w", row.ID, err)
	}
	var ok bool
	switch row.Algorithm {
	case ES256:
		var k *ecdsa.PrivateKey
		k, ok = parsed.(*ecdsa.PrivateKey)
		ok = ok && k.Curve == elliptic.P256()
	case RS256:
		_, ok = parsed.(*rsa.PrivateKey)
	default:
		return nil, fmt.Errorf("%w: kid %s: %q", ErrUnsupportedAlgorithm, row.ID, row.Algorithm)
	}
	if !ok {
		return nil, fmt.Errorf("keys: kid %s: key type %T does not fit %s", row.ID, parsed, row.Algorithm)
	}
	jwk := &jose.JSONWebKey{Key: parsed, KeyID: row.ID, Algorithm: row.Algorithm, Use: "sig"}
	tp, err := thumbprint(jwk)
	if err != nil {
		return nil, err
	}
	if tp != row.ID {
		return nil, fmt.Errorf("keys: kid %s: private key thumbprint %s does not match", row.ID, tp)
	}
	return jwk, nil
}
