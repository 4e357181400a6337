package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

func withoutActivation(p *storage.SelfServicePolicy) { p.ActivationEnabled = false }

// registerDirect registers the address with activation off and returns
// the registrant's browser and the relying party's tokens.
func registerDirect(t *testing.T, s *regSetup, email, pass, state string) (*browser, *oauth2.Token) {
	t.Helper()
	b, p, verifier := s.registerPage(t, state)
	return b, codeTokens(t, s, b.submit(p, regFields(email, pass)), verifier)
}

// codeTokens exchanges the code the page redirects to the client with.
func codeTokens(t *testing.T, s *regSetup, p *page, verifier string) *oauth2.Token {
	t.Helper()
	loc := p.location(t)
	if loc.Query().Get("code") == "" {
		t.Fatalf("the flow did not end at the client: %s", loc)
	}
	tok, err := s.rp.oauth.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// TestRegistrationWithoutActivationConfirmsEmail: with no activation step
// the e-mail identifier is confirmed from registration (seed 000: "valid
// from registration"; seed 002: "if there is no activation step, then the
// email gets a verified status"), so relying parties see it verified and
// reset links and passwordless codes reach it.
func TestRegistrationWithoutActivationConfirmsEmail(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), withoutActivation, authz.ClientSpec{})
	ctx := context.Background()
	b, tok := registerDirect(t, s, "direct@example.com", newcomerPass, "state-direct")
	// ID tokens carry e-mail claims when the claims parameter asks (the
	// rest is userinfo's): the registration's session signs in at once.
	verifier := oauth2.GenerateVerifier()
	sso := b.get(s.rp.oauth.AuthCodeURL("state-sso", oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("claims", `{"id_token":{"email_verified":null}}`)))
	raw, _ := codeTokens(t, s, sso, verifier).Extra("id_token").(string)
	idt, err := s.rp.verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Verified *bool `json:"email_verified"`
	}
	if err := idt.Claims(&c); err != nil || c.Verified == nil || !*c.Verified {
		t.Errorf("ID token email_verified = %v (%v), want true", c.Verified, err)
	}
	info, err := s.rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || !info.EmailVerified {
		t.Errorf("userinfo email_verified = %v (%v), want true", info != nil && info.EmailVerified, err)
	}

	rb, p, _ := s.recoverPage(t, "state-reset")
	rb.submit(p, map[string]string{"identifier": "direct@example.com"})
	if n := len(s.mails(t, "password_reset", "direct@example.com")); n != 1 {
		t.Errorf("%d reset mails to an address confirmed at registration, want 1", n)
	}

	if err := s.srv.store.SetMFAPolicy(ctx, defaultApplicationID, storage.MFAPolicy{Mode: storage.MFAOff,
		Passwordless: true, Methods: []string{storage.MethodEmailCode}}); err != nil {
		t.Fatal(err)
	}
	pb := newBrowser(t, s.srv.Listener.Addr().String())
	login := pb.get(s.rp.oauth.AuthCodeURL("state-pwless", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	pb.submit(login, map[string]string{"identifier": "direct@example.com"})
	codes := s.mails(t, "sign_in_code", "direct@example.com")
	if len(codes) != 1 || !regexp.MustCompile(`\b\d{6}\b`).MatchString(codes[0].Text) {
		t.Errorf("passwordless codes to an address confirmed at registration: %+v, want one", codes)
	}
}

// TestResetTakesOverAnAddressSquattedWithoutActivation: without activation
// anyone can register someone else's address, and it counts as confirmed;
// the owner's reset through that address takes the account over: the
// squatter's password stops working, their sessions and tokens end, and
// the second factor, recovery codes, phone and upstream identity they
// added go too (else the
// MFA step would ask the owner for the squatter's authenticator app).
func TestResetTakesOverAnAddressSquattedWithoutActivation(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), withoutActivation, authz.ClientSpec{})
	ctx := context.Background()
	const squatterPass = "squatter-knows-this-one-42"
	squatter, squatterTok := registerDirect(t, s, "owner@example.com", squatterPass, "state-squat")
	acct, err := s.srv.store.FindAccountByIdentifier(ctx, defaultStoreID, storage.IdentifierEmail, "owner@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !acct.EmailConfirmed || !acct.EmailUnproven {
		t.Fatalf("registered without activation: confirmed %v, unproven %v; want both", acct.EmailConfirmed, acct.EmailUnproven)
	}
	// The squatter adds an authenticator app, recovery codes and a phone.
	if err := s.srv.store.CreateAuthenticator(ctx, &storage.Authenticator{AccountID: acct.ID, Kind: storage.AuthenticatorTOTP,
		Name: "Squatter's phone", Secret: []byte("sealed")}); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.store.CreateOneTimeSecret(ctx, &storage.OneTimeSecret{Purpose: "recovery_code", Hash: []byte("h1"),
		AccountID: acct.ID, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// ... and an upstream identity (an external sign-in registered it).
	if err := s.srv.store.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: acct.ID, Provider: "squatters-idp",
		Subject: "squatter", Email: "owner@example.com"}); err != nil {
		t.Fatal(err)
	}
	squatted := *acct
	squatted.Phone, squatted.PhoneConfirmed = "+15550100", true
	if err := s.srv.store.UpdateAccountProfile(ctx, &squatted); err != nil {
		t.Fatal(err)
	}

	b, p, verifier := s.recoverPage(t, "state-owner")
	b.submit(p, map[string]string{"identifier": "owner@example.com"})
	form := confirmLink(t, b, s.resetLink(t, "owner@example.com"))
	done := b.submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
	if id := s.exchange(t, done, verifier, "state-owner"); id.Subject != acct.ID {
		t.Fatalf("subject %s, want %s", id.Subject, acct.ID)
	}
	auths, _ := s.srv.store.ListAuthenticators(ctx, acct.ID)
	codes, _ := s.srv.store.CountUsableOneTimeSecrets(ctx, acct.ID, "recovery_code", time.Now())
	owned, _ := s.srv.store.GetAccount(ctx, acct.ID)
	if links, _ := s.srv.store.ListExternalIdentities(ctx, acct.ID); len(links) != 0 {
		t.Errorf("the squatter's upstream identity survived the takeover: %+v", links)
	}
	if len(auths) != 0 || codes != 0 || owned.Phone != "" || owned.PhoneConfirmed || owned.EmailUnproven || !owned.EmailConfirmed {
		t.Errorf("after the takeover: %d authenticators, %d recovery codes, phone %q (%v), unproven %v", len(auths), codes,
			owned.Phone, owned.PhoneConfirmed, owned.EmailUnproven)
	}

	if _, err := s.rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(squatterTok)); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("the squatter's access token after the owner's reset: %v, want 401", err)
	}
	// no single sign-on left in the squatter's browser: the sign-in page again
	again := squatter.get(s.rp.oauth.AuthCodeURL("state-sq3", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if again.status != http.StatusOK || !strings.Contains(again.body, `name="identifier"`) {
		t.Errorf("the squatter's session survived the reset: %d %s", again.status, again.url)
	}
	again = squatter.submit(again, map[string]string{"identifier": "owner@example.com"})
	if got := squatter.submit(again, map[string]string{"password": squatterPass}); got.status != http.StatusBadRequest {
		t.Errorf("the squatter's password after the owner's reset: %d", got.status)
	}
}
