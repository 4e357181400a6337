package storage

// EffectiveBranding is what pages and e-mails wear. It is free of themes
// so that storage stays a leaf, but it has exactly the fields of
// themes.Branding, so each side converts it with themes.Branding(b): the
// conversion stops compiling when the two drift apart.
type EffectiveBranding struct {
	AppName string
	// ApplicationID is the application's, whose message templates the
	// messages follow.
	ApplicationID string
	LogoURL       string // an uploaded logo's path, else the owner's URL
	PrimaryColor  string
	FaviconURL    string
	// Stylesheets are the brand stylesheets' paths, the application's
	// first, so an organization's rules override it.
	Stylesheets  []string
	SupportURL   string
	SupportEmail string
	TermsURL     string
	PrivacyURL   string
	// Scope is the TranslationScope whose packages its texts follow.
	Scope string
}

// ApplicationBranding is the branding of app's own pages and messages; app
// may be nil.
func ApplicationBranding(app *Application) EffectiveBranding {
	return OrganizationBranding(app, nil)
}

// OrganizationBranding is the branding of what belongs to org (an
// invitation to it, a notice to one of its members): each of the
// organization's own values where it has one, else the application's.
// Field by field, so an organization may set only its logo. Either
// argument may be nil.
func OrganizationBranding(app *Application, org *Organization) EffectiveBranding {
	var b EffectiveBranding
	if app != nil {
		b = EffectiveBranding{AppName: app.Name, ApplicationID: app.ID, LogoURL: app.LogoURL, PrimaryColor: app.PrimaryColor,
			Scope: TranslationScope(app.StoreID, app.ID)}
		b.wear(app.Branding)
	}
	if org == nil {
		return b
	}
	if b.Scope == "" {
		b.Scope = TranslationScope(org.StoreID, "")
	}
	if org.DisplayName != "" {
		b.AppName = org.DisplayName
	}
	if org.LogoURL != "" {
		b.LogoURL = org.LogoURL
	}
	if org.PrimaryColor != "" {
		b.PrimaryColor = org.PrimaryColor
	}
	b.wear(org.Branding)
	return b
}

// wear lays the set fields of own over b.
func (b *EffectiveBranding) wear(own Branding) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&b.LogoURL, BrandAssetURL(own.LogoAsset))
	set(&b.FaviconURL, BrandAssetURL(own.FaviconAsset))
	set(&b.SupportURL, own.SupportURL)
	set(&b.SupportEmail, own.SupportEmail)
	set(&b.TermsURL, own.TermsURL)
	set(&b.PrivacyURL, own.PrivacyURL)
	if own.StyleAsset != "" {
		b.Stylesheets = append(b.Stylesheets, BrandAssetURL(own.StyleAsset))
	}
}

// HasBranding reports whether the organization sets any branding of its own.
func (o *Organization) HasBranding() bool {
	return o.DisplayName != "" || o.LogoURL != "" || o.PrimaryColor != "" || !o.Branding.IsZero()
}
