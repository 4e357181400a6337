package upstream

import (
	"context"
	"errors"
	"fmt"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/storage"
)

// Begin makes the authorization request for a browser to follow to p,
// returning to redirectURI, with a fresh state, nonce and PKCE verifier
// (S256). loginHint, when set, is passed on.
func (c *Client) Begin(ctx context.Context, p *storage.UpstreamProvider, redirectURI, loginHint string) (*Request, error) {
	eff := EffectiveProvider(p)
	cfg, err := c.oauthConfig(ctx, eff, redirectURI, "")
	if err != nil {
		return nil, err
	}
	req := &Request{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(req.Verifier)}
	if eff.Kind == storage.UpstreamOIDC {
		opts = append(opts, oidc.Nonce(req.Nonce))
	}
	if Presets()[p.Preset].FormPost {
		opts = append(opts, oauth2.SetAuthURLParam("response_mode", "form_post"))
	}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	req.URL = cfg.AuthCodeURL(req.State, opts...)
	return req, nil
}

// oauthConfig is the OAuth 2.0 client configuration for eff; OpenID
// Connect providers' endpoints come from discovery. clientSecret is the
// opened secret ("" for Begin, which needs none).
func (c *Client) oauthConfig(ctx context.Context, eff *storage.UpstreamProvider, redirectURI, clientSecret string) (*oauth2.Config, error) {
	cfg := &oauth2.Config{ClientID: eff.ClientID, ClientSecret: clientSecret, RedirectURL: redirectURI, Scopes: eff.Scopes,
		Endpoint: oauth2.Endpoint{AuthURL: eff.AuthURL, TokenURL: eff.TokenURL}}
	if eff.Kind == storage.UpstreamOIDC {
		d, err := c.discover(ctx, eff)
		if err != nil {
			return nil, err
		}
		cfg.Endpoint = d.op.Endpoint()
	}
	if eff.Preset == storage.PresetApple {
		// Apple documents the client secret as a form parameter; saying
		// so spares x/oauth2's guess (the header first, then the form).
		cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	}
	if cfg.Endpoint.AuthURL == "" || cfg.Endpoint.TokenURL == "" {
		return nil, fmt.Errorf("upstream %q has no authorization or token endpoint: %w", eff.Name, ErrUnavailable)
	}
	return cfg, nil
}

// classify maps a failed call to the upstream to ErrUnavailable (network,
// time-out, 5xx) or ErrDenied (the upstream refused: 4xx).
func classify(what string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
		return fmt.Errorf("%s: %w: %w", what, ErrDenied, err)
	}
	return fmt.Errorf("%s: %w: %w", what, ErrUnavailable, err)
}
