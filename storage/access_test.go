package storage_test

import (
	"testing"

	"foyer/storage"
)

func TestPortalSettingsAdmits(t *testing.T) {
	app := &storage.Application{ID: "shop", StoreID: "s1"}
	gold := storage.Group{StoreID: "s1", Name: "gold"}
	staff := storage.Group{StoreID: "s1", Name: "staff"}
	otherGold := storage.Group{StoreID: "s2", Name: "gold"}
	tests := []struct {
		name     string
		settings *storage.PortalSettings
		groups   []storage.Group
		want     bool
	}{
		{"no settings stored", nil, nil, true},
		{"no restriction", &storage.PortalSettings{}, nil, true},
		{"member of the one group", &storage.PortalSettings{Groups: []string{"gold"}}, []storage.Group{gold}, true},
		{"member of one of two", &storage.PortalSettings{Groups: []string{"gold", "staff"}}, []storage.Group{staff}, true},
		{"no membership", &storage.PortalSettings{Groups: []string{"gold"}}, nil, false},
		{"other groups only", &storage.PortalSettings{Groups: []string{"gold"}}, []storage.Group{staff}, false},
		{"same name in another store", &storage.PortalSettings{Groups: []string{"gold"}}, []storage.Group{otherGold}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.settings.Admits(app, tt.groups); got != tt.want {
				t.Errorf("Admits = %v, want %v", got, tt.want)
			}
		})
	}
}
