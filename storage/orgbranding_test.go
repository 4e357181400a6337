package storage_test

import (
	"testing"

	"foyer/storage"
)

func TestOrganizationBranding(t *testing.T) {
	app := &storage.Application{Name: "Shop", LogoURL: "https://shop.example/l.png", PrimaryColor: "#111111"}
	for _, c := range []struct {
		name string
		app  *storage.Application
		org  *storage.Organization
		want storage.EffectiveBranding
	}{
		{"no organization", app, nil, storage.EffectiveBranding{Name: "Shop", LogoURL: "https://shop.example/l.png", PrimaryColor: "#111111"}},
		{"unbranded organization", app, &storage.Organization{Name: "Acme"},
			storage.EffectiveBranding{Name: "Shop", LogoURL: "https://shop.example/l.png", PrimaryColor: "#111111"}},
		{"fully branded", app, &storage.Organization{Name: "Acme", DisplayName: "Acme Travel", LogoURL: "https://acme.example/l.png", PrimaryColor: "#222222"},
			storage.EffectiveBranding{Name: "Acme Travel", LogoURL: "https://acme.example/l.png", PrimaryColor: "#222222"}},
		{"colour only", app, &storage.Organization{Name: "Acme", PrimaryColor: "#222222"},
			storage.EffectiveBranding{Name: "Shop", LogoURL: "https://shop.example/l.png", PrimaryColor: "#222222"}},
		{"no application", nil, &storage.Organization{DisplayName: "Acme Travel"}, storage.EffectiveBranding{Name: "Acme Travel"}},
	} {
		if got := storage.OrganizationBranding(c.app, c.org); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
		if c.org != nil && c.org.HasBranding() != (c.org.DisplayName+c.org.LogoURL+c.org.PrimaryColor != "") {
			t.Errorf("%s: HasBranding = %v", c.name, c.org.HasBranding())
		}
	}
}
