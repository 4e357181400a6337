package manage

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"foyer/storage"
)

// OrganizationBrandingInput is an organization's own branding. Every
// field is optional: an empty one falls back to the application's
// (storage.OrganizationBranding).
type OrganizationBrandingInput struct {
	DisplayName  string `json:"display_name"`
	LogoURL      string `json:"logo_url"`
	PrimaryColor string `json:"primary_color"`
}

const maxOrganizationDisplayName = 100

// checkOrganizationBranding trims the branding and adds its problems to p.
// Unlike an application's, an organization's logo must be https: the
// organization's administrators, not the operator, usually supply it, and
// e-mails that load it over plain http leak who opens them.
func checkOrganizationBranding(p Problems, in OrganizationBrandingInput) OrganizationBrandingInput {
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.LogoURL = strings.TrimSpace(in.LogoURL)
	in.PrimaryColor = strings.ToLower(strings.TrimSpace(in.PrimaryColor))
	switch {
	case !utf8.ValidString(in.DisplayName) || utf8.RuneCountInString(in.DisplayName) > maxOrganizationDisplayName:
		p.Add("display_name", fmt.Sprintf("use at most %d characters", maxOrganizationDisplayName))
	case strings.IndexFunc(in.DisplayName, unicode.IsControl) >= 0:
		p.Add("display_name", "contains characters that are not allowed")
	}
	if in.LogoURL != "" {
		u, err := url.Parse(in.LogoURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			p.Add("logo_url", "an absolute https URL")
		}
	}
	if in.PrimaryColor != "" && !colorPattern.MatchString(in.PrimaryColor) {
		p.Add("primary_color", "a colour like #1a2b3c")
	}
	return in
}

func (in OrganizationInput) applyBranding(o *storage.Organization) {
	o.DisplayName, o.LogoURL, o.PrimaryColor = in.DisplayName, in.LogoURL, in.PrimaryColor
}
