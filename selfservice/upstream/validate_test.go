package upstream

import (
	"errors"
	"strings"
	"testing"

	"foyer/storage"
)

func TestValidate(t *testing.T) {
	oidc := func(edit func(p *storage.UpstreamProvider)) *storage.UpstreamProvider {
		p := &storage.UpstreamProvider{Name: "Contoso", Kind: storage.UpstreamOIDC, Issuer: "https://login.contoso.example", ClientID: "c"}
		edit(p)
		return p
	}
	preset := func(name string, edit func(p *storage.UpstreamProvider)) *storage.UpstreamProvider {
		p := &storage.UpstreamProvider{Name: "X", Preset: name, ClientID: "c"}
		edit(p)
		return p
	}
	same := func(*storage.UpstreamProvider) {}
	for _, tc := range []struct {
		name      string
		p         *storage.UpstreamProvider
		hasSecret bool
		problems  []string // substrings of the error; none: valid
	}{
		{"generic OIDC", oidc(same), false, nil},
		{"Google preset", preset(storage.PresetGoogle, same), true, nil},
		{"Entra preset", preset(storage.PresetEntra, same), true, nil},
		{"GitHub preset", preset(storage.PresetGitHub, same), true, nil},
		{"Apple preset", preset(storage.PresetApple, func(p *storage.UpstreamProvider) { p.TeamID, p.KeyID = "T", "K" }), true, nil},
		{"Apple without its key", preset(storage.PresetApple, same), false,
			[]string{"team ID: required", "key ID: required", "private key: required"}},
		{"loopback http", oidc(func(p *storage.UpstreamProvider) { p.Issuer = "http://127.0.0.1:8080" }), false, nil},
		{"loopback http ::1", oidc(func(p *storage.UpstreamProvider) { p.Issuer = "http://[::1]:8080/x" }), false, nil},
		{"localhost http", oidc(func(p *storage.UpstreamProvider) { p.Issuer = "http://localhost:8080" }), false, nil},
		{"remote http", oidc(func(p *storage.UpstreamProvider) { p.Issuer = "http://idp.example" }), false, []string{"issuer: https"}},
		{"relative issuer", oidc(func(p *storage.UpstreamProvider) { p.Issuer = "/idp" }), false, []string{"issuer: an absolute URL"}},
		{"issuer with a query", oidc(func(p *storage.UpstreamProvider) { p.Issuer = "https://idp.example?x=1" }), false,
			[]string{"issuer: no query"}},
		{"no issuer", oidc(func(p *storage.UpstreamProvider) { p.Issuer = "" }), false, []string{"issuer: required"}},
		{"scopes without openid", oidc(func(p *storage.UpstreamProvider) { p.Scopes = []string{"email"} }), false,
			[]string{`needs "openid"`}},
		{"everything wrong at once", oidc(func(p *storage.UpstreamProvider) {
			p.Name, p.ClientID, p.Issuer, p.ClaimMapping = " ", "", "ftp://x", map[string]string{"": "sub", "email": ""}
		}), false, []string{"name: 1 to 60", "client ID: required", "issuer: https", `claim mapping "" → "sub"`, `claim mapping "email" → ""`}},
		{"name too long", oidc(func(p *storage.UpstreamProvider) { p.Name = strings.Repeat("é", 61) }), false, []string{"name: 1 to 60"}},
		{"name of 60 characters", oidc(func(p *storage.UpstreamProvider) { p.Name = strings.Repeat("é", 60) }), false, nil},
		{"unknown kind", oidc(func(p *storage.UpstreamProvider) { p.Kind = "saml" }), false, []string{`kind "saml"`}},
		{"unknown preset", preset("facebook", func(p *storage.UpstreamProvider) { p.Kind = storage.UpstreamOIDC; p.Issuer = "https://x.example" }),
			false, []string{`preset "facebook"`}},
		{"kind against the preset", preset(storage.PresetGitHub, func(p *storage.UpstreamProvider) { p.Kind = storage.UpstreamOIDC }),
			false, []string{"preset github is oauth2"}},
		{"OAuth 2.0 without endpoints", &storage.UpstreamProvider{Name: "O", Kind: storage.UpstreamOAuth2, ClientID: "c",
			UserInfoURL: "http://api.example/user"}, false,
			[]string{"authorization URL: required", "token URL: required", "user-info URL: https"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.p, tc.hasSecret)
			if len(tc.problems) == 0 {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidProvider) {
				t.Fatalf("Validate = %v, want ErrInvalidProvider", err)
			}
			for _, want := range tc.problems {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Validate = %v, want it to say %q", err, want)
				}
			}
		})
	}
}
