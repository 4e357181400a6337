package upstream

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"foyer/storage"
)

// ErrInvalidProvider wraps every problem Validate finds in a provider.
var ErrInvalidProvider = errors.New("invalid upstream provider")

// MaxNameLength bounds a provider's name: it is a button's label.
const MaxNameLength = 60

// Validate reports every problem of p's configuration at once, its preset's
// defaults filled in. hasSecret tells whether the caller has the provider's
// secret: Apple's private key, which Apple cannot do without. Other
// providers may go without a client secret (public clients with PKCE).
func Validate(p *storage.UpstreamProvider, hasSecret bool) error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	name := strings.TrimSpace(p.Name)
	if name == "" || utf8.RuneCountInString(name) > MaxNameLength {
		bad("name: 1 to %d characters", MaxNameLength)
	}
	pre, known := Presets()[p.Preset]
	if p.Preset != "" && !known {
		bad("preset %q: not one of google, entra, apple, github", p.Preset)
	}
	if known && p.Kind != "" && p.Kind != pre.Kind {
		bad("kind %q: preset %s is %s", p.Kind, p.Preset, pre.Kind)
	}
	eff := EffectiveProvider(p)
	if strings.TrimSpace(p.ClientID) == "" {
		bad("client ID: required")
	}
	switch eff.Kind {
	case storage.UpstreamOIDC:
		problems = append(problems, checkOIDC(eff)...)
	case storage.UpstreamOAuth2:
		for _, u := range []struct{ field, v string }{
			{"authorization URL", eff.AuthURL}, {"token URL", eff.TokenURL}, {"user-info URL", eff.UserInfoURL},
		} {
			if msg := checkURL(u.v); msg != "" {
				bad("%s: %s", u.field, msg)
			}
		}
	default:
		bad("kind %q: %s or %s", p.Kind, storage.UpstreamOIDC, storage.UpstreamOAuth2)
	}
	if p.Preset == storage.PresetApple {
		if strings.TrimSpace(p.TeamID) == "" {
			bad("team ID: required for Apple")
		}
		if strings.TrimSpace(p.KeyID) == "" {
			bad("key ID: required for Apple")
		}
		if !hasSecret {
			bad("private key: required for Apple")
		}
	}
	for target, claim := range p.ClaimMapping {
		if strings.TrimSpace(target) == "" || strings.TrimSpace(claim) == "" {
			bad("claim mapping %q → %q: neither side may be empty", target, claim)
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems) // the mapping's order is random; the message is not
		return fmt.Errorf("%w: %s", ErrInvalidProvider, strings.Join(problems, "; "))
	}
	return nil
}

// checkOIDC checks an OpenID Connect provider's issuer and scopes.
func checkOIDC(eff *storage.UpstreamProvider) []string {
	var problems []string
	if msg := checkURL(eff.Issuer); msg != "" {
		problems = append(problems, "issuer: "+msg)
	} else if u, _ := url.Parse(eff.Issuer); u.RawQuery != "" || u.Fragment != "" {
		// OpenID Connect Discovery 1.0 §3: an issuer has neither.
		problems = append(problems, "issuer: no query or fragment")
	}
	if !slices.Contains(eff.Scopes, "openid") {
		problems = append(problems, `scopes: OpenID Connect needs "openid"`)
	}
	return problems
}

// checkURL is what is wrong with an endpoint URL, or "": it must be
// absolute https, or http on a loopback host (tests, development).
func checkURL(raw string) string {
	if raw == "" {
		return "required"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return "an absolute URL without user information"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return ""
		}
		return "https (http only on 127.0.0.1, ::1 or localhost)"
	default:
		return "https"
	}
}
