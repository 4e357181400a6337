package upstream

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"foyer/storage"
)

// tenantPlaceholder is where Entra's multi-tenant discovery document puts
// the tenant in its issuer: https://login.microsoftonline.com/{tenantid}/v2.0.
const tenantPlaceholder = "{tenantid}"

// discovery is an OpenID Connect provider's discovery document.
type discovery struct {
	op      *oidc.Provider
	fetched time.Time
	// tenantIssuer is the issuer a multi-tenant Entra provider's ID
	// tokens must name, {tenantid} standing for their tid claim; "" for
	// every other provider, whose tokens name the configured issuer.
	tenantIssuer string
	// issParam: the provider promises RFC 9207's iss in its answers.
	issParam bool
}

// Check fetches p's discovery document afresh, for the console's "test
// connection"; a failure is ErrUnavailable. A plain OAuth 2.0 provider has
// nothing to fetch without a person signing in.
func (c *Client) Check(ctx context.Context, p *storage.UpstreamProvider) error {
	eff := EffectiveProvider(p)
	if eff.Kind != storage.UpstreamOIDC {
		return nil
	}
	_, err := c.fetchDiscovery(ctx, eff)
	return err
}

// discover returns the provider's discovery document, cached for
// DiscoveryTTL; a failure is ErrUnavailable.
func (c *Client) discover(ctx context.Context, eff *storage.UpstreamProvider) (*discovery, error) {
	c.mu.Lock()
	cached, ok := c.providers[discoveryKey(eff)]
	c.mu.Unlock()
	if ok && c.cfg.Now().Sub(cached.fetched) < c.cfg.DiscoveryTTL {
		return cached, nil
	}
	return c.fetchDiscovery(ctx, eff)
}

// discoveryKey keeps a multi-tenant Entra provider's lenient discovery
// apart from a strict one of the same issuer.
func discoveryKey(eff *storage.UpstreamProvider) string {
	if multiTenant(eff) {
		return "multi-tenant " + eff.Issuer
	}
	return eff.Issuer
}

// fetchDiscovery fetches and caches the discovery document. go-oidc
// refuses a document whose issuer is not the one asked for, which is what
// Entra's multi-tenant endpoints serve: for them discovery takes any
// issuer, and tenantIssuer (checked here to be on the configured host)
// is what each ID token's iss must match instead.
func (c *Client) fetchDiscovery(ctx context.Context, eff *storage.UpstreamProvider) (*discovery, error) {
	dctx, cancel := context.WithTimeout(c.context(ctx), 10*time.Second)
	defer cancel()
	mt := multiTenant(eff)
	if mt {
		dctx = oidc.InsecureIssuerURLContext(dctx, eff.Issuer)
	}
	op, err := oidc.NewProvider(dctx, eff.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w: %w", eff.Issuer, ErrUnavailable, err)
	}
	var meta struct {
		Issuer   string `json:"issuer"`
		IssParam bool   `json:"authorization_response_iss_parameter_supported"`
	}
	if err := op.Claims(&meta); err != nil {
		return nil, fmt.Errorf("discover %s: %w: %w", eff.Issuer, ErrUnavailable, err)
	}
	d := &discovery{op: op, fetched: c.cfg.Now(), issParam: meta.IssParam}
	if mt {
		if !sameOrigin(meta.Issuer, eff.Issuer) {
			return nil, fmt.Errorf("discover %s: issuer %q is on another host: %w", eff.Issuer, meta.Issuer, ErrUnavailable)
		}
		d.tenantIssuer = meta.Issuer
	}
	c.mu.Lock()
	c.providers[discoveryKey(eff)] = d
	c.mu.Unlock()
	return d, nil
}

// multiTenant tells an Entra provider configured with one of the
// multi-tenant issuers (…/common/v2.0, …/organizations/v2.0,
// …/consumers/v2.0); a tenant's own issuer gets the strict checks.
func multiTenant(eff *storage.UpstreamProvider) bool {
	if eff.Preset != storage.PresetEntra {
		return false
	}
	u, err := url.Parse(eff.Issuer)
	if err != nil {
		return false
	}
	tenant, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	switch tenant {
	case "common", "organizations", "consumers":
		return true
	}
	return false
}

// tenantIssuerOf fills template with tid, which must be a GUID (a
// tenant's name in its issuer would be another tenant's issuer).
func tenantIssuerOf(template, tid string) (string, bool) {
	if !strings.Contains(template, tenantPlaceholder) {
		return template, true // …/consumers/v2.0 names one fixed tenant
	}
	if !isGUID(tid) {
		return "", false
	}
	return strings.ReplaceAll(template, tenantPlaceholder, tid), true
}

// matchesTenantIssuer tells whether iss is template with some tenant GUID.
func matchesTenantIssuer(template, iss string) bool {
	before, after, ok := strings.Cut(template, tenantPlaceholder)
	if !ok {
		return iss == template
	}
	rest, ok := strings.CutPrefix(iss, before)
	if !ok {
		return false
	}
	tid, ok := strings.CutSuffix(rest, after)
	return ok && isGUID(tid)
}

// isGUID tells 8-4-4-4-12 hexadecimal digits.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// sameOrigin tells whether two absolute URLs share scheme and host.
func sameOrigin(a, b string) bool {
	ua, err := url.Parse(a)
	if err != nil {
		return false
	}
	ub, err := url.Parse(b)
	return err == nil && ua.Scheme == ub.Scheme && strings.EqualFold(ua.Host, ub.Host)
}
