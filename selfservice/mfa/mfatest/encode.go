package mfatest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// ctap2 encodes CBOR the way authenticators must (CTAP2 canonical form).
var ctap2, _ = cbor.CTAP2EncOptions().EncMode()

// attestationJSON is RegistrationResponseJSON as browsers serialise it.
type attestationJSON struct {
	ID                      string         `json:"id"`
	RawID                   string         `json:"rawId"`
	Type                    string         `json:"type"`
	AuthenticatorAttachment string         `json:"authenticatorAttachment,omitempty"`
	Response                attestationRes `json:"response"`
	ClientExtensionResults  struct{}       `json:"clientExtensionResults"`
}

type attestationRes struct {
	ClientDataJSON     string   `json:"clientDataJSON"`
	AttestationObject  string   `json:"attestationObject"`
	AuthenticatorData  string   `json:"authenticatorData"`
	PublicKey          string   `json:"publicKey"`
	PublicKeyAlgorithm int      `json:"publicKeyAlgorithm"`
	Transports         []string `json:"transports"`
}

// assertionJSON is AuthenticationResponseJSON as browsers serialise it.
type assertionJSON struct {
	ID                      string       `json:"id"`
	RawID                   string       `json:"rawId"`
	Type                    string       `json:"type"`
	AuthenticatorAttachment string       `json:"authenticatorAttachment,omitempty"`
	Response                assertionRes `json:"response"`
	ClientExtensionResults  struct{}     `json:"clientExtensionResults"`
}

type assertionRes struct {
	ClientDataJSON    string `json:"clientDataJSON"`
	AuthenticatorData string `json:"authenticatorData"`
	Signature         string `json:"signature"`
	UserHandle        string `json:"userHandle,omitempty"`
}

// attestation builds the registration response for cred. Callers hold a.mu.
func (a *Authenticator) attestation(cred *credential, challenge string) ([]byte, error) {
	clientData, err := a.clientData("webauthn.create", challenge)
	if err != nil {
		return nil, err
	}
	point, err := cred.key.PublicKey.Bytes() // 0x04 | x | y, each 32 bytes
	if err != nil {
		return nil, fmt.Errorf("mfatest: public key: %w", err)
	}
	coseKey, err := ctap2.Marshal(map[int]any{
		1: 2, 3: coseES256, -1: 1, // kty EC2, alg ES256, crv P-256
		-2: point[1:33], -3: point[33:65],
	})
	if err != nil {
		return nil, fmt.Errorf("mfatest: cose key: %w", err)
	}
	attested := make([]byte, 16, 16+2+len(cred.id)+len(coseKey)) // AAGUID zero: attestation "none"
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(cred.id)))
	attested = append(attested, cred.id...)
	attested = append(attested, coseKey...)
	authData := a.authData(flagAT, attested)
	attObj, err := ctap2.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData})
	if err != nil {
		return nil, fmt.Errorf("mfatest: attestation object: %w", err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&cred.key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("mfatest: spki: %w", err)
	}
	return json.Marshal(attestationJSON{
		ID: rawURL.EncodeToString(cred.id), RawID: rawURL.EncodeToString(cred.id), Type: "public-key",
		AuthenticatorAttachment: a.attachment,
		Response: attestationRes{
			ClientDataJSON:     rawURL.EncodeToString(clientData),
			AttestationObject:  rawURL.EncodeToString(attObj),
			AuthenticatorData:  rawURL.EncodeToString(authData),
			PublicKey:          rawURL.EncodeToString(spki),
			PublicKeyAlgorithm: coseES256,
			Transports:         append([]string{}, a.transports...),
		},
	})
}

// assertion builds the login response for cred. Callers hold a.mu.
func (a *Authenticator) assertion(cred *credential, challenge string) ([]byte, error) {
	clientData, err := a.clientData("webauthn.get", challenge)
	if err != nil {
		return nil, err
	}
	authData := a.authData(0, nil)
	hash := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(append([]byte{}, authData...), hash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, cred.key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("mfatest: sign: %w", err)
	}
	return json.Marshal(assertionJSON{
		ID: rawURL.EncodeToString(cred.id), RawID: rawURL.EncodeToString(cred.id), Type: "public-key",
		AuthenticatorAttachment: a.attachment,
		Response: assertionRes{
			ClientDataJSON:    rawURL.EncodeToString(clientData),
			AuthenticatorData: rawURL.EncodeToString(authData),
			Signature:         rawURL.EncodeToString(sig),
			UserHandle:        rawURL.EncodeToString(cred.userHandle),
		},
	})
}

// authData is rpIdHash | flags | signCount | extra, and spends one count.
func (a *Authenticator) authData(extraFlags byte, extra []byte) []byte {
	flags := byte(flagUP) | extraFlags
	if a.uv {
		flags |= flagUV
	}
	if a.be {
		flags |= flagBE
	}
	if a.bs {
		flags |= flagBS
	}
	rpHash := sha256.Sum256([]byte(a.rpID))
	out := make([]byte, 0, 37+len(extra))
	out = append(out, rpHash[:]...)
	out = append(out, flags)
	out = binary.BigEndian.AppendUint32(out, a.counter)
	a.counter++
	return append(out, extra...)
}

// clientData is CollectedClientData as a browser serialises it: the challenge
// re-encoded from its bytes, the origin, crossOrigin false.
func (a *Authenticator) clientData(typ, challenge string) ([]byte, error) {
	raw, err := b64(challenge)
	if err != nil || len(raw) == 0 {
		return nil, fmt.Errorf("mfatest: challenge is not base64url: %q", challenge)
	}
	return json.Marshal(struct {
		Type        string `json:"type"`
		Challenge   string `json:"challenge"`
		Origin      string `json:"origin"`
		CrossOrigin bool   `json:"crossOrigin"`
	}{typ, rawURL.EncodeToString(raw), a.origin, false})
}
