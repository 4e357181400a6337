package storage_test

import (
	"reflect"
	"testing"

	"foyer/storage"
)

func TestOrganizationBranding(t *testing.T) {
	app := &storage.Application{Name: "Shop", LogoURL: "https://shop.example/l.png", PrimaryColor: "#111111"}
	brandedApp := &storage.Application{Name: "Shop", LogoURL: "https://shop.example/l.png", PrimaryColor: "#111111",
		Branding: storage.Branding{LogoAsset: "l1", FaviconAsset: "f1", StyleAsset: "s1", SupportURL: "https://shop.example/help",
			TermsURL: "https://shop.example/terms", PrivacyURL: "https://shop.example/privacy"}}
	for _, c := range []struct {
		name string
		app  *storage.Application
		org  *storage.Organization
		want storage.EffectiveBranding
	}{
		{"no organization", app, nil, storage.EffectiveBranding{AppName: "Shop", LogoURL: "https://shop.example/l.png", PrimaryColor: "#111111"}},
		{"unbranded organization", app, &storage.Organization{Name: "Acme"},
			storage.EffectiveBranding{AppName: "Shop", LogoURL: "https://shop.example/l.png", PrimaryColor: "#111111"}},
		{"fully branded", app, &storage.Organization{Name: "Acme", DisplayName: "Acme Travel", LogoURL: "https://acme.example/l.png", PrimaryColor: "#222222"},
			storage.EffectiveBranding{AppName: "Acme Travel", LogoURL: "https://acme.example/l.png", PrimaryColor: "#222222"}},
		{"colour only", app, &storage.Organization{Name: "Acme", PrimaryColor: "#222222"},
			storage.EffectiveBranding{AppName: "Shop", LogoURL: "https://shop.example/l.png", PrimaryColor: "#222222"}},
		{"no application", nil, &storage.Organization{DisplayName: "Acme Travel"}, storage.EffectiveBranding{AppName: "Acme Travel"}},
		{"uploads and links, overridden field by field", brandedApp,
			&storage.Organization{Name: "Acme", Branding: storage.Branding{FaviconAsset: "f2", StyleAsset: "s2", TermsURL: "https://acme.example/terms"}},
			storage.EffectiveBranding{AppName: "Shop", LogoURL: "/brand/l1", PrimaryColor: "#111111", FaviconURL: "/brand/f2",
				Stylesheets: []string{"/brand/s1", "/brand/s2"}, SupportURL: "https://shop.example/help",
				TermsURL: "https://acme.example/terms", PrivacyURL: "https://shop.example/privacy"}},
	} {
		if got := storage.OrganizationBranding(c.app, c.org); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
		if c.org != nil && c.org.HasBranding() != (c.org.DisplayName+c.org.LogoURL+c.org.PrimaryColor != "" || !c.org.Branding.IsZero()) {
			t.Errorf("%s: HasBranding = %v", c.name, c.org.HasBranding())
		}
	}
}
