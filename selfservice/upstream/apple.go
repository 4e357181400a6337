package upstream

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"foyer/storage"
)

// Sign in with Apple's client secret is a JWT the client signs with its
// team's key for each code exchange.
const (
	appleAudience = "https://appleid.apple.com"
	// appleSecretLifetime: Apple accepts up to six months, but each
	// secret serves one exchange made right away, and a short-lived one
	// is worthless to whoever copies it from a log or a proxy.
	appleSecretLifetime = 5 * time.Minute
)

// ParsePrivateKey checks a key as Apple hands it out (a PEM PKCS #8 P-256
// key), for the admin side before it seals the key.
func ParsePrivateKey(pemKey []byte) error {
	_, err := parseECKey(pemKey)
	return err
}

// parseECKey reads a PEM PKCS #8 P-256 private key.
func parseECKey(pemKey []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(pemKey)
	if block == nil {
		return nil, errors.New("private key: no PEM block")
	}
	if block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("private key: PEM block %q, want \"PRIVATE KEY\" (PKCS #8)", block.Type)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("private key: not a P-256 elliptic-curve key")
	}
	return ec, nil
}

// appleClientSecret opens the provider's private key and signs a client
// secret with it.
func (c *Client) appleClientSecret(eff *storage.UpstreamProvider) (string, error) {
	pemKey, err := c.openSecret(eff, FieldPrivateKey, eff.PrivateKeySealed)
	if err != nil {
		return "", err
	}
	key, err := parseECKey(pemKey)
	if err != nil {
		return "", fmt.Errorf("upstream %q: %w", eff.Name, err)
	}
	return signAppleSecret(key, eff.KeyID, eff.TeamID, eff.ClientID, c.cfg.Now())
}

// signAppleSecret is the ES256 JWT Apple takes as client secret: kid the
// key's ID, iss the team, sub the client (Services ID), aud Apple.
func signAppleSecret(key *ecdsa.PrivateKey, keyID, teamID, clientID string, now time.Time) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: keyID}}, nil)
	if err != nil {
		return "", fmt.Errorf("apple client secret: %w", err)
	}
	claims := jwt.Claims{Issuer: teamID, Subject: clientID, Audience: jwt.Audience{appleAudience},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(appleSecretLifetime))}
	out, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("apple client secret: %w", err)
	}
	return out, nil
}

// appleName adds the name Apple sends only on a person's first sign-in,
// in form_post's user JSON and not in the ID token, as the claims
// given_name and family_name for the mapping to use. It comes through the
// browser unsigned, so nothing else of it (its e-mail) is taken, and a
// malformed one is ignored rather than failing the sign-in.
func appleName(claims map[string]any, user string) {
	var u struct {
		Name struct {
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
		} `json:"name"`
	}
	if user == "" || json.Unmarshal([]byte(user), &u) != nil {
		return
	}
	for claim, v := range map[string]string{"given_name": u.Name.FirstName, "family_name": u.Name.LastName} {
		if _, ok := claims[claim]; !ok && strings.TrimSpace(v) != "" {
			claims[claim] = strings.TrimSpace(v)
		}
	}
}
