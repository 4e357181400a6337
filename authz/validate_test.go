package authz

import (
	"errors"
	"testing"
)

// Redirect URI problems are told apart (RFC 7591's invalid_redirect_uri)
// and remain client metadata problems.
func TestRedirectURIProblemsAreMarked(t *testing.T) {
	tests := []struct {
		name         string
		spec         ClientSpec
		wantRedirect bool
	}{
		{"bad redirect URI", ClientSpec{Name: "x", GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"http://shop.example/cb"}}, true},
		{"bad post-logout URI", ClientSpec{Name: "x", GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"https://shop.example/cb"},
			PostLogoutRedirectURIs: []string{"https://shop.example/#x"}}, true},
		{"no name", ClientSpec{GrantTypes: []string{"client_credentials"}}, false},
		{"no name and a bad redirect URI", ClientSpec{GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"https://*.example/cb"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := NewClient(tc.spec)
			if !errors.Is(err, ErrInvalidClientMetadata) || errors.Is(err, ErrInvalidRedirectURI) != tc.wantRedirect {
				t.Fatalf("error %v: redirect problem %v, want %v", err, errors.Is(err, ErrInvalidRedirectURI), tc.wantRedirect)
			}
		})
	}
}
