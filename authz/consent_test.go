package authz

import (
	"slices"
	"testing"

	"foyer/themes"
)

func TestMissingScopes(t *testing.T) {
	for _, c := range []struct {
		name               string
		requested, granted []string
		want               []string
	}{
		{"nothing granted", []string{"openid", "email"}, nil, []string{"openid", "email"}},
		{"all granted", []string{"openid", "email"}, []string{"email", "openid", "profile"}, nil},
		{"one new, request order kept", []string{"profile", "openid", "email"}, []string{"openid"}, []string{"profile", "email"}},
		{"duplicates asked once", []string{"email", "email"}, nil, []string{"email"}},
		{"nothing requested", nil, []string{"openid"}, nil},
	} {
		if got := missingScopes(c.requested, c.granted); !slices.Equal(got, c.want) {
			t.Errorf("%s: missingScopes(%v, %v) = %v, want %v", c.name, c.requested, c.granted, got, c.want)
		}
	}
}

// TestScopesDescribedInEveryLanguage: each standard scope has a sentence in
// every embedded catalog; other scopes are shown by name.
func TestScopesDescribedInEveryLanguage(t *testing.T) {
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"openid": "Your account identifier", "profile": "Your name and profile details", "email": "Your email address",
		"phone": "Your phone number", "address": "Your postal address", "offline_access": "Access while you are not using the app",
		"roles": "Your roles in organizations",
	}
	for scope, en := range want {
		key := scopeKey(scope)
		if got := r.T("en", key); got != en {
			t.Errorf("en %s = %q, want %q", scope, got, en)
		}
		for _, lang := range r.Languages() {
			if got := r.T(lang, key); got == key || got == "" || (lang != "en" && got == en) {
				t.Errorf("%s has no sentence for %s (%q)", lang, scope, got)
			}
		}
	}
	if d := describeScopes([]string{"calendar.read"}); d[0].Key != "" || d[0].Name != "calendar.read" {
		t.Errorf("an unknown scope = %+v, want it shown by name", d[0])
	}
}
