package main

import (
	"context"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice/mfa"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// mfaFixture is a server whose default application has the given MFA
// policy, a first-party relying party and alice.
type mfaFixture struct {
	srv   *testServer
	rp    *relyingParty
	alice *storage.Account
}

func newMFAFixture(t *testing.T, store storage.Store, pol storage.MFAPolicy, configure func(*Config), opts ...serverOption) *mfaFixture {
	t.Helper()
	if configure == nil {
		configure = func(*Config) {}
	}
	srv := startServerWith(t, store, configure, opts...)
	if err := srv.store.SetMFAPolicy(context.Background(), defaultApplicationID, pol); err != nil {
		t.Fatal(err)
	}
	alice := srv.account(t, "alice@example.com", alicePass)
	id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	return &mfaFixture{srv: srv, alice: alice, rp: newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)}
}

// signIn is one sign-in attempt: a browser, the PKCE verifier, and the page
// after identifier and password.
type signIn struct {
	b        *browser
	verifier string
	page     *page
}

func (fx *mfaFixture) passwordSignIn(t *testing.T, extra ...oauth2.AuthCodeOption) *signIn {
	t.Helper()
	s := &signIn{b: newBrowser(t, fx.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(s.verifier)}, extra...)
	p := s.b.get(fx.rp.oauth.AuthCodeURL("state-0001", opts...))
	p = s.b.submit(p, map[string]string{"identifier": "alice@example.com"})
	s.page = s.b.submit(p, map[string]string{"password": alicePass})
	return s
}

// post submits the page's first form with fields and keeps the result.
func (s *signIn) post(fields map[string]string) *page {
	s.page = s.b.submit(s.page, fields)
	return s.page
}

// claims exchanges the code the sign-in ended with and returns the ID
// token's acr and amr.
func (fx *mfaFixture) claims(t *testing.T, s *signIn) (string, []string) {
	t.Helper()
	_, acr, amr := fx.rp.idTokenClaims(t, s.page, s.verifier)
	checkRegisteredAMR(t, "ID token", amr)
	return acr, amr
}

// idTokenClaims exchanges the code the page's redirect carries with the
// PKCE verifier and returns the verified ID token's subject, acr and amr.
func (rp *relyingParty) idTokenClaims(t *testing.T, p *page, verifier string) (sub, acr string, amr []string) {
	t.Helper()
	cb := p.location(t)
	if cb.Query().Get("code") == "" {
		t.Fatalf("sign-in did not end at the client with a code: %s (%d)\n%s", cb, p.status, p.body)
	}
	tok, err := rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := rp.verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	var c struct {
		ACR string   `json:"acr"`
		AMR []string `json:"amr"`
	}
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return idt.Subject, c.ACR, c.AMR
}

// buttonValue finds the value of a button name= whose value starts with prefix.
// choose picks the MFA method whose chooser button starts with prefix; a
// page that went straight to the account's only method has no chooser and
// is left as it is.
func (s *signIn) choose(t *testing.T, prefix string) {
	t.Helper()
	if !strings.Contains(s.page.body, `name="choose"`) {
		return
	}
	s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", prefix)})
}

func buttonValue(t *testing.T, p *page, name, prefix string) string {
	t.Helper()
	re := regexp.MustCompile(`name="` + name + `" value="(` + regexp.QuoteMeta(prefix) + `[^"]*)"`)
	m := re.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no %s button %q on the page (%d):\n%s", name, prefix, p.status, p.body)
	}
	return html.UnescapeString(m[1])
}

func capture(t *testing.T, p *page, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("%s not on the page (%d):\n%s", pattern, p.status, p.body)
	}
	return html.UnescapeString(m[1])
}

var recoveryCodePattern = regexp.MustCompile(`<li><code>([0-9a-z]{5}-[0-9a-z]{5})</code></li>`)

// enrollTOTP enrolls an authenticator app at the enrollment step and
// returns its secret and the recovery codes shown.
func enrollTOTP(t *testing.T, s *signIn) (string, []string) {
	t.Helper()
	return enrollTOTPAt(t, s, time.Now())
}

// enrollTOTPAt is enrollTOTP for a server whose clock reads now.
func enrollTOTPAt(t *testing.T, s *signIn, now time.Time) (string, []string) {
	t.Helper()
	s.post(map[string]string{"enroll": "totp"})
	secret := capture(t, s.page, `<code class="secret" data-copy="([A-Z2-7]+)">`)
	if !strings.Contains(s.page.body, `src="data:image/png;base64,`) {
		t.Fatalf("no server-rendered QR code:\n%s", s.page.body)
	}
	code, err := mfa.TOTPCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	s.post(map[string]string{"code": code})
	var codes []string
	for _, m := range recoveryCodePattern.FindAllStringSubmatch(s.page.body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != mfa.RecoveryCodeCount {
		t.Fatalf("want %d recovery codes shown once, got %d:\n%s", mfa.RecoveryCodeCount, len(codes), s.page.body)
	}
	s.post(map[string]string{"continue": "1"})
	return secret, codes
}

// TestMFAJourney is the end-to-end MFA journey through the whole server
// (the flows' details are tested in package selfservice): with MFA
// required, the first sign-in enrolls an authenticator app and the
// relying party's ID token says acr 2 and amr pwd+otp+mfa; the next
// sign-in asks for the app's code and ends the same way.
func TestMFAJourney(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		fx := newMFAFixture(t, newStore(t), storage.MFAPolicy{Mode: storage.MFARequired}, nil)
		s := fx.passwordSignIn(t)
		secret, _ := enrollTOTP(t, s)
		acr, amr := fx.claims(t, s)
		if acr != "2" || !slices.Contains(amr, "pwd") || !slices.Contains(amr, "otp") || !slices.Contains(amr, "mfa") {
			t.Fatalf("after enrollment acr %q amr %v, want 2 and pwd, otp, mfa", acr, amr)
		}
		// The enrollment used the current step, so the code of the next
		// one is the fresh one.
		next, _ := mfa.TOTPCode(secret, time.Now().Add(30*time.Second))
		s = fx.passwordSignIn(t)
		s.choose(t, "totp|")
		s.post(map[string]string{"code": next})
		if acr, amr := fx.claims(t, s); acr != "2" || !slices.Contains(amr, "otp") || !slices.Contains(amr, "mfa") {
			t.Fatalf("TOTP sign-in acr %q amr %v", acr, amr)
		}
	})
}
