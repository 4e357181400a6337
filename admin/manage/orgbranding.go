package manage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"foyer/storage"
	"foyer/themes"
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

// branding is what a notice to acct through app wears. Through an
// organizational application, a member of an organization with branding
// of its own gets the organization's (field by field, falling back to the
// application's). Which organization the customer was acting for is
// unknown to support, so for a member of several it is the first, by
// name, that has any branding of its own: the same rule every time.
func (s *CustomerNotices) branding(ctx context.Context, acct *storage.Account, app *storage.Application) (themes.Branding, error) {
	var org *storage.Organization
	if app.Organizational {
		var err error
		if org, err = s.brandedOrganization(ctx, acct); err != nil {
			return themes.Branding{}, err
		}
	}
	b := storage.OrganizationBranding(app, org)
	return themes.Branding{AppName: b.Name, LogoURL: b.LogoURL, PrimaryColor: b.PrimaryColor,
		Scope: storage.TranslationScope(app.StoreID, app.ID)}, nil
}

// brandedOrganization is the first organization of the account, by name,
// with branding of its own; nil for none.
func (s *CustomerNotices) brandedOrganization(ctx context.Context, acct *storage.Account) (*storage.Organization, error) {
	members, err := s.store.ListAccountOrganizations(ctx, acct.ID)
	if err != nil {
		return nil, fmt.Errorf("notices: memberships: %w", err)
	}
	for _, m := range members {
		o, err := s.store.GetOrganization(ctx, acct.StoreID, m.OrganizationID)
		if errors.Is(err, storage.ErrNotFound) {
			continue // deleted meanwhile: nothing to wear
		}
		if err != nil {
			return nil, fmt.Errorf("notices: organization: %w", err)
		}
		if o.HasBranding() {
			return o, nil
		}
	}
	return nil, nil
}
