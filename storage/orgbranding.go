package storage

// EffectiveBranding is the name, logo and colour that pages and e-mails
// wear. It is free of themes so that storage stays a leaf: each side builds
// its themes.Branding from it.
type EffectiveBranding struct {
	Name         string
	LogoURL      string
	PrimaryColor string
}

// OrganizationBranding is the branding of what belongs to org (an
// invitation to it, a notice to one of its members): each of the
// organization's own values where it has one, else the application's.
// Field by field, so an organization may set only its logo. Either
// argument may be nil.
func OrganizationBranding(app *Application, org *Organization) EffectiveBranding {
	var b EffectiveBranding
	if app != nil {
		b = EffectiveBranding{Name: app.Name, LogoURL: app.LogoURL, PrimaryColor: app.PrimaryColor}
	}
	if org == nil {
		return b
	}
	if org.DisplayName != "" {
		b.Name = org.DisplayName
	}
	if org.LogoURL != "" {
		b.LogoURL = org.LogoURL
	}
	if org.PrimaryColor != "" {
		b.PrimaryColor = org.PrimaryColor
	}
	return b
}

// HasBranding reports whether the organization sets any branding of its own.
func (o *Organization) HasBranding() bool {
	return o.DisplayName != "" || o.LogoURL != "" || o.PrimaryColor != ""
}
