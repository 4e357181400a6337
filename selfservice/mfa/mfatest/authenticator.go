package mfatest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// Flags of authenticatorData (WebAuthn §6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagBE = 0x08
	flagBS = 0x10
	flagAT = 0x40
)

// coseES256 is the only algorithm this authenticator offers.
const coseES256 = -7

// Authenticator is a software passkey provider. By default it behaves like a
// synced platform passkey: user verified, backup eligible and backed up,
// attachment "platform", transport "internal", and a counter that grows by
// one at every signature (so sign-count checks can be exercised). It is safe
// for concurrent use.
type Authenticator struct {
	mu         sync.Mutex
	rpID       string // hashed into authenticatorData
	origin     string // written into clientDataJSON
	counter    uint32 // reported by the next ceremony
	uv         bool
	be, bs     bool
	attachment string
	transports []string
	creds      []*credential
}

type credential struct {
	id         []byte
	key        *ecdsa.PrivateKey
	rpID       string // the RP it was created for, to find it again
	userHandle []byte
}

// NewAuthenticator returns an authenticator answering as origin for rpID.
func NewAuthenticator(rpID, origin string) *Authenticator {
	return &Authenticator{
		rpID: rpID, origin: origin, counter: 1, uv: true, be: true, bs: true,
		attachment: "platform", transports: []string{"internal"},
	}
}

// SetOrigin makes later ceremonies report another origin in clientDataJSON.
func (a *Authenticator) SetOrigin(origin string) { a.mu.Lock(); a.origin = origin; a.mu.Unlock() }

// SetRPID makes later ceremonies hash another RP ID into authenticatorData
// (credentials are still found by the RP ID of the options).
func (a *Authenticator) SetRPID(rpID string) { a.mu.Lock(); a.rpID = rpID; a.mu.Unlock() }

// SetSignCount makes the next ceremony report n; later ones count up from it.
func (a *Authenticator) SetSignCount(n uint32) { a.mu.Lock(); a.counter = n; a.mu.Unlock() }

// SetUserVerified sets whether the UV flag is set (UP always is). Without it
// the authenticator still answers a request that requires verification, as a
// broken or hostile client would, so the server's check can be tested.
func (a *Authenticator) SetUserVerified(uv bool) { a.mu.Lock(); a.uv = uv; a.mu.Unlock() }

// SetBackup sets the BE (backup eligible) and BS (backed up) flags.
func (a *Authenticator) SetBackup(eligible, state bool) {
	a.mu.Lock()
	a.be, a.bs = eligible, state
	a.mu.Unlock()
}

// SetAttachment sets the authenticatorAttachment ("platform" or
// "cross-platform") and the transports reported at registration, e.g.
// ("cross-platform", "usb", "nfc") for a security key.
func (a *Authenticator) SetAttachment(attachment string, transports ...string) {
	a.mu.Lock()
	a.attachment, a.transports = attachment, append([]string(nil), transports...)
	a.mu.Unlock()
}

// CredentialIDs returns the IDs of the credentials created so far, oldest first.
func (a *Authenticator) CredentialIDs() [][]byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	ids := make([][]byte, len(a.creds))
	for i, c := range a.creds {
		ids[i] = bytes.Clone(c.id)
	}
	return ids
}

// creationOptions is the part of PublicKeyCredentialCreationOptionsJSON read here.
type creationOptions struct {
	Challenge string `json:"challenge"`
	RP        struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	PubKeyCredParams []struct {
		Alg int `json:"alg"`
	} `json:"pubKeyCredParams"`
	ExcludeCredentials []descriptor `json:"excludeCredentials"`
}

type descriptor struct {
	ID string `json:"id"`
}

// Create answers BeginRegistration's options JSON (the publicKey member's
// content) with the PublicKeyCredential JSON a browser posts: attestation
// "none", a new ES256 key, and a resident credential storing the user handle.
func (a *Authenticator) Create(options []byte) ([]byte, error) {
	var opts creationOptions
	if err := json.Unmarshal(options, &opts); err != nil {
		return nil, fmt.Errorf("mfatest: creation options: %w", err)
	}
	userHandle, err := b64(opts.User.ID)
	if err != nil || len(userHandle) == 0 {
		return nil, fmt.Errorf("mfatest: user.id is not base64url: %q", opts.User.ID)
	}
	if !offersES256(opts) {
		return nil, errors.New("mfatest: NotSupportedError: ES256 not offered")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	rpID := a.rpIDFor(opts.RP.ID)
	for _, d := range opts.ExcludeCredentials {
		if a.find(rpID, d.ID) != nil {
			return nil, errors.New("mfatest: InvalidStateError: an excluded credential is on this authenticator")
		}
	}
	cred, err := newCredential(rpID, userHandle)
	if err != nil {
		return nil, err
	}
	a.storeResident(cred)
	return a.attestation(cred, opts.Challenge)
}

func offersES256(opts creationOptions) bool {
	for _, p := range opts.PubKeyCredParams {
		if p.Alg == coseES256 {
			return true
		}
	}
	return false
}

// storeResident keeps cred, replacing a credential of the same RP and user as
// real authenticators do.
func (a *Authenticator) storeResident(cred *credential) {
	for i, c := range a.creds {
		if c.rpID == cred.rpID && bytes.Equal(c.userHandle, cred.userHandle) {
			a.creds = append(a.creds[:i], a.creds[i+1:]...)
			break
		}
	}
	a.creds = append(a.creds, cred)
}

func newCredential(rpID string, userHandle []byte) (*credential, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("mfatest: key: %w", err)
	}
	id := make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("mfatest: credential id: %w", err)
	}
	return &credential{id: id, key: key, rpID: rpID, userHandle: bytes.Clone(userHandle)}, nil
}

// requestOptions is the part of PublicKeyCredentialRequestOptionsJSON read here.
type requestOptions struct {
	Challenge        string       `json:"challenge"`
	RPID             string       `json:"rpId"`
	AllowCredentials []descriptor `json:"allowCredentials"`
}

// Get answers BeginLogin's options JSON with an assertion JSON. With an
// allowCredentials list it uses the first listed credential it holds (an
// error, like the browser's NotAllowedError, if none); with an empty one it
// picks its first resident credential for the RP.
func (a *Authenticator) Get(options []byte) ([]byte, error) {
	var opts requestOptions
	if err := json.Unmarshal(options, &opts); err != nil {
		return nil, fmt.Errorf("mfatest: request options: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	rpID := a.rpIDFor(opts.RPID)
	var cred *credential
	for _, d := range opts.AllowCredentials {
		if cred = a.find(rpID, d.ID); cred != nil {
			break
		}
	}
	if len(opts.AllowCredentials) == 0 {
		for _, c := range a.creds {
			if c.rpID == rpID {
				cred = c
				break
			}
		}
	}
	if cred == nil {
		return nil, errors.New("mfatest: NotAllowedError: no credential for this request")
	}
	return a.assertion(cred, opts.Challenge)
}

// rpIDFor is the RP ID a request is for: the options' own, else (as browsers
// do) the one this authenticator answers as.
func (a *Authenticator) rpIDFor(fromOptions string) string {
	if fromOptions != "" {
		return fromOptions
	}
	return a.rpID
}

func (a *Authenticator) find(rpID, encodedID string) *credential {
	id, err := b64(encodedID)
	if err != nil {
		return nil
	}
	for _, c := range a.creds {
		if c.rpID == rpID && bytes.Equal(c.id, id) {
			return c
		}
	}
	return nil
}

var rawURL = base64.RawURLEncoding

// b64 decodes base64url with or without padding, as browsers accept both.
func b64(s string) ([]byte, error) {
	return rawURL.DecodeString(trimPadding(s))
}

func trimPadding(s string) string {
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	return s
}
