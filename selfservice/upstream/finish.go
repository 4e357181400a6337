package upstream

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/storage"
)

// maxUserInfo bounds a user-info answer read into memory.
const maxUserInfo = 1 << 20

// Finish checks the upstream's answer to a Begin whose nonce and verifier
// the caller kept (the caller has already matched the state): the
// upstream's error, RFC 9207's iss, then the code exchange with the PKCE
// verifier, and the ID token (signature, issuer, audience, expiry,
// nonce) or the user info, and maps the claims.
func (c *Client) Finish(ctx context.Context, p *storage.UpstreamProvider, redirectURI string, cb Callback, nonce, verifier string) (*Identity, error) {
	if err := callbackError(cb); err != nil {
		return nil, err
	}
	eff := EffectiveProvider(p)
	secret, err := c.clientSecret(eff)
	if err != nil {
		return nil, err
	}
	cfg, err := c.oauthConfig(ctx, eff, redirectURI, secret)
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	if eff.Kind == storage.UpstreamOIDC {
		claims, err = c.finishOIDC(ctx, eff, cfg, cb, nonce, verifier)
	} else {
		claims, err = c.finishOAuth2(ctx, eff, cfg, cb, verifier)
	}
	if err != nil {
		return nil, err
	}
	return mapClaims(eff.ClaimMapping, claims)
}

// callbackError is the upstream's refusal, or a callback without a code.
func callbackError(cb Callback) error {
	switch cb.Error {
	case "":
		if cb.Code == "" {
			return fmt.Errorf("callback without a code: %w", ErrDenied)
		}
		return nil
	case "temporarily_unavailable", "server_error":
		return fmt.Errorf("upstream answered %s (%s): %w", cb.Error, cb.ErrorDescription, ErrUnavailable)
	default:
		return fmt.Errorf("upstream answered %s (%s): %w", cb.Error, cb.ErrorDescription, ErrDenied)
	}
}

// clientSecret opens the provider's sealed client secret ("" for none);
// Apple's is a JWT signed with the team's private key.
func (c *Client) clientSecret(eff *storage.UpstreamProvider) (string, error) {
	if eff.Preset == storage.PresetApple {
		return c.appleClientSecret(eff)
	}
	if len(eff.ClientSecretSealed) == 0 {
		return "", nil
	}
	b, err := c.openSecret(eff, FieldClientSecret, eff.ClientSecretSealed)
	return string(b), err
}

// openSecret opens one of the provider's sealed secrets.
func (c *Client) openSecret(eff *storage.UpstreamProvider, field string, sealed []byte) ([]byte, error) {
	if c.cfg.Secrets == nil {
		return nil, fmt.Errorf("upstream %q: no way to open its %s", eff.Name, field)
	}
	b, err := c.cfg.Secrets.OpenUpstreamSecret(eff.ID, field, sealed)
	if err != nil {
		return nil, fmt.Errorf("upstream %q: open %s: %w", eff.Name, field, err)
	}
	return b, nil
}

// finishOIDC exchanges the code and verifies the ID token.
func (c *Client) finishOIDC(ctx context.Context, eff *storage.UpstreamProvider, cfg *oauth2.Config, cb Callback, nonce, verifier string) (map[string]any, error) {
	d, err := c.discover(ctx, eff)
	if err != nil {
		return nil, err
	}
	// RFC 9207: an iss in the answer must be the provider's; a provider
	// that promises to send it must send it (mix-up defence, RFC 9700 §4.4).
	if (cb.Iss != "" || d.issParam) && !callbackIssOK(eff, d, cb.Iss) {
		return nil, fmt.Errorf("callback iss %q is not %q: %w", cb.Iss, eff.Issuer, ErrDenied)
	}
	tok, err := cfg.Exchange(c.context(ctx), cb.Code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, classify("exchange code", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("token response without an ID token: %w", ErrDenied)
	}
	claims, err := c.verifyIDToken(ctx, eff, d, raw, nonce, cb.Iss)
	if err != nil {
		return nil, err
	}
	if claims, err = c.addUserInfo(ctx, d.op, tok, claims); err != nil {
		return nil, err
	}
	if eff.Preset == storage.PresetApple {
		appleName(claims, cb.User)
	}
	return claims, nil
}

// callbackIssOK checks RFC 9207's iss: the configured issuer, or for a
// multi-tenant Entra provider a tenant's issuer (verifyIDToken then holds
// it to the ID token's).
func callbackIssOK(eff *storage.UpstreamProvider, d *discovery, iss string) bool {
	return iss == eff.Issuer || (d.tenantIssuer != "" && matchesTenantIssuer(d.tenantIssuer, iss))
}

// verifyIDToken checks the ID token's signature, audience, expiry and
// nonce, and its issuer: the configured one, or for a multi-tenant Entra
// provider the tenant issuer of its own tid (go-oidc cannot check that).
func (c *Client) verifyIDToken(ctx context.Context, eff *storage.UpstreamProvider, d *discovery, raw, nonce, cbIss string) (map[string]any, error) {
	conf := &oidc.Config{ClientID: eff.ClientID, Now: c.cfg.Now, SkipIssuerCheck: d.tenantIssuer != ""}
	idt, err := d.op.Verifier(conf).Verify(c.context(ctx), raw)
	if err != nil {
		return nil, fmt.Errorf("verify ID token: %w: %w", ErrDenied, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, fmt.Errorf("ID token nonce does not match: %w", ErrDenied)
	}
	claims, err := numberClaims(idt.Claims)
	if err != nil {
		return nil, fmt.Errorf("decode ID token claims: %w: %w", ErrDenied, err)
	}
	if d.tenantIssuer != "" {
		tid := claimString(claims["tid"])
		want, ok := tenantIssuerOf(d.tenantIssuer, tid)
		if !ok || idt.Issuer != want {
			return nil, fmt.Errorf("ID token issuer %q is not its tenant's (tid %q): %w", idt.Issuer, tid, ErrDenied)
		}
		if cbIss != "" && cbIss != eff.Issuer && cbIss != idt.Issuer {
			return nil, fmt.Errorf("callback iss %q is not the ID token's %q: %w", cbIss, idt.Issuer, ErrDenied)
		}
	}
	return claims, nil
}

// addUserInfo completes an ID token without an address (Foyer's own, and
// others', carry only the subject unless asked) with the user-info
// endpoint's claims; OpenID Connect Core 5.3.2: its sub must be the ID
// token's. The ID token's own claims win.
func (c *Client) addUserInfo(ctx context.Context, op *oidc.Provider, tok *oauth2.Token, claims map[string]any) (map[string]any, error) {
	if _, ok := claims["email"]; ok || op.UserInfoEndpoint() == "" {
		return claims, nil
	}
	info, err := op.UserInfo(c.context(ctx), oauth2.StaticTokenSource(tok))
	if err != nil {
		return nil, classify("user info", err)
	}
	if info.Subject != claimString(claims["sub"]) {
		return nil, fmt.Errorf("user info is of another subject: %w", ErrDenied)
	}
	extra, err := numberClaims(info.Claims)
	if err != nil {
		return nil, fmt.Errorf("decode user info: %w: %w", ErrDenied, err)
	}
	for k, v := range extra {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return claims, nil
}

// numberClaims decodes go-oidc's claims (an ID token's or user info's
// Claims) keeping numbers as json.Number, as getJSON does: a numeric id
// decoded as float64 loses its digits above 2^53, and two people's ids
// would map to one subject.
func numberClaims(claimsOf func(any) error) (map[string]any, error) {
	var raw json.RawMessage
	if err := claimsOf(&raw); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil {
		return nil, err
	}
	return claims, nil
}

// finishOAuth2 exchanges the code and reads the user-info URL (and
// GitHub's e-mail addresses).
func (c *Client) finishOAuth2(ctx context.Context, eff *storage.UpstreamProvider, cfg *oauth2.Config, cb Callback, verifier string) (map[string]any, error) {
	tok, err := cfg.Exchange(c.context(ctx), cb.Code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, classify("exchange code", err)
	}
	var claims map[string]any
	if err := c.getJSON(ctx, eff.UserInfoURL, tok, &claims); err != nil {
		return nil, fmt.Errorf("user info: %w", err)
	}
	if claims == nil {
		return nil, fmt.Errorf("user info is null: %w", ErrDenied)
	}
	if eff.Preset == storage.PresetGitHub {
		if err := c.githubEmail(ctx, eff.UserInfoURL, tok, claims); err != nil {
			return nil, err
		}
	}
	return claims, nil
}

// getJSON reads JSON from url into v with the access token; numbers stay
// json.Number (GitHub's numeric ids keep every digit).
func (c *Client) getJSON(ctx context.Context, url string, tok *oauth2.Token, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("%q: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	tok.SetAuthHeader(req)
	res, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer func() { _ = res.Body.Close() }()
	switch {
	case res.StatusCode >= 500:
		return fmt.Errorf("%s answered %s: %w", url, res.Status, ErrUnavailable)
	case res.StatusCode != http.StatusOK:
		return fmt.Errorf("%s answered %s: %w", url, res.Status, ErrDenied)
	}
	dec := json.NewDecoder(io.LimitReader(res.Body, maxUserInfo))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode %s: %w: %w", url, ErrDenied, err)
	}
	return nil
}
