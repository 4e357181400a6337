package upstream

import "foyer/storage"

// Preset is what a provider preset fills in for the operator: the kind,
// endpoints, scopes and claim mapping of a well-known provider.
type Preset struct {
	Name         string // the button's default name
	Kind         string
	Issuer       string
	AuthURL      string
	TokenURL     string
	UserInfoURL  string
	Scopes       []string
	ClaimMapping map[string]string
	// FormPost asks for response_mode=form_post (Apple's only mode when
	// it sends the name and e-mail).
	FormPost bool
}

// standardClaims is OpenID Connect's mapping (OIDC Core 5.1).
func standardClaims() map[string]string {
	return map[string]string{
		"subject": "sub", "email": "email", "email_verified": "email_verified",
		"phone": "phone_number", "username": "preferred_username", "language": "locale",
	}
}

// genericPreset is the default of a provider of kind without a preset.
func genericPreset(kind string) Preset {
	if kind == storage.UpstreamOAuth2 {
		return Preset{Kind: storage.UpstreamOAuth2, ClaimMapping: map[string]string{
			"subject": "id", "email": "email", "email_verified": "email_verified", "username": "login"}}
	}
	return Preset{Kind: storage.UpstreamOIDC, Scopes: []string{"openid", "email", "profile"}, ClaimMapping: standardClaims()}
}

// Presets are the built-in presets by name.
func Presets() map[string]Preset {
	return map[string]Preset{
		storage.PresetGoogle: {Name: "Google", Kind: storage.UpstreamOIDC, Issuer: "https://accounts.google.com",
			Scopes: []string{"openid", "email", "profile"}, ClaimMapping: standardClaims()},
		storage.PresetEntra: {Name: "Microsoft", Kind: storage.UpstreamOIDC,
			Issuer: "https://login.microsoftonline.com/common/v2.0",
			Scopes: []string{"openid", "email", "profile"}, ClaimMapping: standardClaims()},
		storage.PresetApple: {Name: "Apple", Kind: storage.UpstreamOIDC, Issuer: "https://appleid.apple.com",
			Scopes: []string{"openid", "email", "name"}, ClaimMapping: standardClaims(), FormPost: true},
		storage.PresetGitHub: {Name: "GitHub", Kind: storage.UpstreamOAuth2,
			AuthURL:  "https://github.com/login/oauth/authorize",
			TokenURL: "https://github.com/login/oauth/access_token", UserInfoURL: "https://api.github.com/user",
			Scopes: []string{"read:user", "user:email"},
			// email and email_verified come from /user/emails (github.go).
			ClaimMapping: map[string]string{"subject": "id", "email": "email", "email_verified": "email_verified", "username": "login"}},
	}
}
