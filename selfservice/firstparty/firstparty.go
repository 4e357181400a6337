// Package firstparty is the relying-party side of Foyer's own clients (the
// account portal and the admin console): it trades an authorization code
// for a verified sign-in without leaving the process, since the issuer's
// public address may not be reachable from the node. It imports nothing
// of ours.
package firstparty

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Exchanger exchanges codes and verifies ID tokens through the server's
// own handler.
type Exchanger struct {
	issuer string
	name   string // who uses it, in errors ("portal", "console")
	server http.Handler

	// mu guards provider, built on first use: discovery needs the
	// server's handler, which exists only once the routes are mounted.
	mu       sync.Mutex
	provider *oidc.Provider
}

// New returns an exchanger for the issuer; name prefixes its errors.
func New(issuer, name string) *Exchanger { return &Exchanger{issuer: issuer, name: name} }

// UseServer gives the exchanger the server's handler (set once the whole
// handler chain exists).
func (e *Exchanger) UseServer(server http.Handler) { e.server = server }

// Exchange trades the code (with its PKCE verifier) for tokens as the
// client conf names, verifies the ID token for that client, and returns
// its sid and sub once its nonce matches and it carries a sid.
func (e *Exchanger) Exchange(ctx context.Context, conf *oauth2.Config, code, verifier, nonce string) (sid, sub string, err error) {
	ctx = oidc.ClientContext(ctx, e.client())
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", "", fmt.Errorf("%s: exchange code: %w", e.name, err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	provider, err := e.oidcProvider()
	if err != nil {
		return "", "", err
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: conf.ClientID}).Verify(ctx, rawID)
	if err != nil {
		return "", "", fmt.Errorf("%s: verify ID token: %w", e.name, err)
	}
	var claims struct {
		SID string `json:"sid"`
	}
	if err := idt.Claims(&claims); err != nil {
		return "", "", fmt.Errorf("%s: ID token claims: %w", e.name, err)
	}
	if !hmac.Equal([]byte(idt.Nonce), []byte(nonce)) || claims.SID == "" {
		return "", "", fmt.Errorf("%s: ID token nonce or sid mismatch", e.name)
	}
	return claims.SID, idt.Subject, nil
}

func (e *Exchanger) client() *http.Client {
	return &http.Client{Transport: inProcess{h: e.server, name: e.name}, Timeout: 10 * time.Second}
}

// oidcProvider reads discovery once, in process.
func (e *Exchanger) oidcProvider() (*oidc.Provider, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.provider != nil {
		return e.provider, nil
	}
	// The provider keeps this context to fetch keys later, so it must not
	// be a request's.
	p, err := oidc.NewProvider(oidc.ClientContext(context.Background(), e.client()), e.issuer)
	if err != nil {
		return nil, fmt.Errorf("%s: discovery: %w", e.name, err)
	}
	e.provider = p
	return p, nil
}

// inProcess serves requests to the issuer with the server handler, as if
// they came over loopback.
type inProcess struct {
	h    http.Handler
	name string
}

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.h == nil {
		return nil, errors.New(t.name + ": no server handler (UseServer not called)")
	}
	in := req.Clone(req.Context())
	in.RemoteAddr = "127.0.0.1:0"
	in.RequestURI = req.URL.RequestURI()
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, in)
	return rec.Result(), nil
}
