package manage

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"foyer/selfservice/upstream"
	"foyer/storage"
)

// UpstreamInput is what an administrator submits for an upstream identity
// provider. The secrets are write-only: on an update, empty keeps the
// stored one. Fields the provider's kind or preset does not use are
// ignored (the console's single form sends them all).
type UpstreamInput struct {
	Name   string `json:"name"`
	Preset string `json:"preset"` // "", or google, entra, apple, github
	Kind   string `json:"kind"`   // oidc or oauth2; the preset's when empty
	// Issuer is an OpenID Connect provider's issuer (the preset's when
	// empty); AuthURL, TokenURL and UserInfoURL a plain OAuth 2.0
	// provider's endpoints.
	Issuer       string `json:"issuer"`
	AuthURL      string `json:"auth_url"`
	TokenURL     string `json:"token_url"`
	UserInfoURL  string `json:"userinfo_url"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"`
	// TeamID, KeyID and PrivateKey (PEM) make Apple's client secret.
	TeamID     string   `json:"team_id"`
	KeyID      string   `json:"key_id"`
	PrivateKey string   `json:"private_key,omitempty"`
	Scopes     []string `json:"scopes"`
	// ClaimMapping maps a target (subject, email, email_verified, phone,
	// username, language or an attribute of the store) to the upstream
	// claim that fills it.
	ClaimMapping map[string]string `json:"claim_mapping"`
	// Enabled: nil is true for a new provider and keeps an existing one's.
	Enabled *bool `json:"enabled,omitempty"`
}

// Bounds of an upstream provider's fields.
const (
	maxUpstreamField = 2000
	maxUpstreamKey   = 16 << 10
)

// identityTargets are the claim mapping targets that are no attribute.
var identityTargets = []string{"subject", "email", "email_verified", "phone", "username", "language"}

// upstreamNeeds is what a provider of a kind and preset uses.
type upstreamNeeds struct {
	issuer, endpoints, clientSecret, appleKey bool
}

func needsOf(kind, preset string) upstreamNeeds {
	if preset == storage.PresetApple {
		return upstreamNeeds{issuer: true, appleKey: true}
	}
	if kind == storage.UpstreamOAuth2 {
		return upstreamNeeds{endpoints: true, clientSecret: true}
	}
	return upstreamNeeds{issuer: true, clientSecret: true}
}

// normalize trims the input, fills the preset's name and kind, and drops
// what the provider does not use.
func (in UpstreamInput) normalize() UpstreamInput {
	for _, f := range []*string{&in.Name, &in.Preset, &in.Kind, &in.Issuer, &in.AuthURL, &in.TokenURL,
		&in.UserInfoURL, &in.ClientID, &in.TeamID, &in.KeyID} {
		*f = strings.TrimSpace(*f)
	}
	in.Preset = strings.ToLower(in.Preset)
	if pre, ok := upstream.Presets()[in.Preset]; ok {
		if in.Name == "" {
			in.Name = pre.Name
		}
		if in.Kind == "" {
			in.Kind = pre.Kind
		}
	}
	if in.Kind == "" {
		in.Kind = storage.UpstreamOIDC
	}
	need := needsOf(in.Kind, in.Preset)
	if !need.issuer {
		in.Issuer = ""
	}
	if !need.endpoints {
		in.AuthURL, in.TokenURL, in.UserInfoURL = "", "", ""
	}
	if !need.clientSecret {
		in.ClientSecret = ""
	}
	if !need.appleKey {
		in.TeamID, in.KeyID, in.PrivateKey = "", "", ""
	}
	scopes := []string{}
	for _, s := range in.Scopes {
		scopes = append(scopes, strings.Fields(s)...)
	}
	in.Scopes = scopes
	mapping := map[string]string{}
	for k, v := range in.ClaimMapping {
		if k, v = strings.TrimSpace(k), strings.TrimSpace(v); k != "" || v != "" {
			mapping[k] = v
		}
	}
	in.ClaimMapping = mapping
	return in
}

// validateUpstream reports every problem of the provider p would be (its
// preset's defaults filled in) at once. attrs are the store's attribute
// names; hasKey says whether Apple's private key is kept from before.
func validateUpstream(in UpstreamInput, attrs []string, hasKey bool) error {
	p := Problems{}
	checkName(p, "name", in.Name, upstream.MaxNameLength)
	if _, ok := upstream.Presets()[in.Preset]; in.Preset != "" && !ok {
		p.Add("preset", "must be google, entra, apple, github or empty")
	}
	if in.Kind != storage.UpstreamOIDC && in.Kind != storage.UpstreamOAuth2 {
		p.Add("kind", "must be oidc or oauth2")
	} else if pre, ok := upstream.Presets()[in.Preset]; ok && pre.Kind != in.Kind {
		p.Add("kind", fmt.Sprintf("the %s preset is of kind %s", in.Preset, pre.Kind))
	}
	kind := in.Kind
	if pre, ok := upstream.Presets()[in.Preset]; ok {
		kind = pre.Kind // a kind at odds with it is reported once, above
	}
	eff := upstream.EffectiveProvider(&storage.UpstreamProvider{Kind: kind, Preset: in.Preset, Issuer: in.Issuer,
		AuthURL: in.AuthURL, TokenURL: in.TokenURL, UserInfoURL: in.UserInfoURL})
	need := needsOf(kind, in.Preset)
	if need.issuer {
		checkUpstreamURL(p, "issuer", eff.Issuer)
		if u, err := url.Parse(eff.Issuer); err == nil && u.RawQuery != "" {
			p.Add("issuer", "must not have a query (?...)")
		}
	}
	if need.endpoints {
		checkUpstreamURL(p, "auth_url", eff.AuthURL)
		checkUpstreamURL(p, "token_url", eff.TokenURL)
		checkUpstreamURL(p, "userinfo_url", eff.UserInfoURL)
	}
	checkToken(p, "client_id", in.ClientID, true)
	// A client secret is optional: a public client with PKCE goes without.
	if len(in.ClientSecret) > maxUpstreamField {
		p.Add("client_secret", fmt.Sprintf("use at most %d characters", maxUpstreamField))
	}
	if need.appleKey {
		checkToken(p, "team_id", in.TeamID, true)
		checkToken(p, "key_id", in.KeyID, true)
		checkPrivateKey(p, in.PrivateKey, hasKey)
	}
	checkScopes(p, in)
	checkMapping(p, in.ClaimMapping, attrs)
	if len(p) == 0 {
		// The sign-in side's own check, the last word: what it refuses
		// that the fields' checks above let through is reported whole.
		err := upstream.Validate(&storage.UpstreamProvider{Name: in.Name, Kind: in.Kind, Preset: in.Preset, Issuer: in.Issuer,
			AuthURL: in.AuthURL, TokenURL: in.TokenURL, UserInfoURL: in.UserInfoURL, ClientID: in.ClientID, TeamID: in.TeamID,
			KeyID: in.KeyID, Scopes: in.Scopes, ClaimMapping: in.ClaimMapping}, hasKey || in.PrivateKey != "")
		if err != nil {
			p.Add("provider", strings.TrimPrefix(err.Error(), upstream.ErrInvalidProvider.Error()+": "))
		}
	}
	return p.Err()
}

// checkUpstreamURL wants an absolute https URL (http only to this
// machine, for tests and development) without credentials or fragment.
func checkUpstreamURL(p Problems, field, u string) {
	if u == "" {
		p.Add(field, "is required")
		return
	}
	pu, err := url.Parse(u)
	switch {
	case len(u) > maxUpstreamField || strings.IndexFunc(u, unicode.IsSpace) >= 0:
		p.Add(field, fmt.Sprintf("one URL of at most %d characters without spaces", maxUpstreamField))
	case err != nil || !pu.IsAbs() || pu.Host == "" || pu.Opaque != "":
		p.Add(field, "must be an absolute URL such as https://login.example.com")
	case pu.Scheme != "https" && (pu.Scheme != "http" || !loopbackHost(pu.Hostname())):
		p.Add(field, "must use https")
	case pu.User != nil:
		p.Add(field, "must not hold a user name or password")
	case pu.Fragment != "" || strings.Contains(u, "#"):
		p.Add(field, "must not have a fragment (#...)")
	}
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// checkToken wants one printable word.
func checkToken(p Problems, field, s string, required bool) {
	switch {
	case s == "" && required:
		p.Add(field, "is required")
	case len(s) > maxUpstreamField:
		p.Add(field, fmt.Sprintf("use at most %d characters", maxUpstreamField))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0:
		p.Add(field, "must not contain spaces or control characters")
	}
}

func checkPrivateKey(p Problems, key string, hasKey bool) {
	switch {
	case key == "" && !hasKey:
		p.Add("private_key", "is required: the .p8 key Apple gave for the key ID")
	case key == "":
	case len(key) > maxUpstreamKey:
		p.Add("private_key", "is too long for a private key")
	default:
		if err := upstream.ParsePrivateKey([]byte(strings.TrimSpace(key))); err != nil {
			p.Add("private_key", "must be the .p8 file's contents, a PEM PKCS #8 P-256 key ("+err.Error()+")")
		}
	}
}

func checkScopes(p Problems, in UpstreamInput) {
	for _, s := range in.Scopes {
		if len(s) > 200 || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || r == '"' || r == '\\' }) >= 0 {
			p.Add("scopes", fmt.Sprintf("%q is not a scope", s))
			return
		}
	}
	if in.Kind == storage.UpstreamOIDC && len(in.Scopes) > 0 && !slices.Contains(in.Scopes, "openid") {
		p.Add("scopes", "an OpenID Connect provider's scopes include openid")
	}
}

// checkMapping refuses targets that are neither an identity field nor an
// attribute of the store, and empty claims.
func checkMapping(p Problems, mapping map[string]string, attrs []string) {
	var unknown, empty []string
	for target, claim := range mapping {
		if !slices.Contains(identityTargets, target) && !slices.Contains(attrs, target) {
			unknown = append(unknown, target)
		}
		if claim == "" || len(claim) > 200 {
			empty = append(empty, target)
		}
	}
	slices.Sort(unknown)
	slices.Sort(empty)
	switch {
	case len(unknown) > 0:
		p.Add("claim_mapping", fmt.Sprintf("%s: not a target; use subject, email, email_verified, phone, username, language or an attribute of the store",
			strings.Join(unknown, ", ")))
	case len(empty) > 0:
		p.Add("claim_mapping", fmt.Sprintf("%s: name the upstream claim", strings.Join(empty, ", ")))
	}
}
