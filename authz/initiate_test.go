package authz

import (
	"errors"
	"net/url"
	"testing"

	"foyer/storage"
)

func TestInitiateLoginURL(t *testing.T) {
	portal := &storage.Client{
		ID:               "shop",
		InitiateLoginURI: "https://shop.example/login?brand=blue",
		RedirectURIs:     []string{"https://app.shop.example/callback"},
	}
	tests := []struct {
		name      string
		client    *storage.Client
		hint      string
		target    string
		wantErr   error
		wantQuery url.Values
	}{
		{"hint and target at the portal", portal, "alice@example.com", "https://shop.example/orders", nil,
			url.Values{"brand": {"blue"}, "iss": {"https://id.example"}, "login_hint": {"alice@example.com"}, "target_link_uri": {"https://shop.example/orders"}}},
		{"target at a redirect URI's origin", portal, "", "https://app.shop.example/welcome", nil,
			url.Values{"brand": {"blue"}, "iss": {"https://id.example"}, "target_link_uri": {"https://app.shop.example/welcome"}}},
		{"iss only", portal, "", "", nil, url.Values{"brand": {"blue"}, "iss": {"https://id.example"}}},
		{"no portal", &storage.Client{ID: "x"}, "a@b.c", "", ErrNoInitiateLoginURI, nil},
		{"target on another site", portal, "", "https://evil.example/", ErrTargetNotAllowed, nil},
		{"target downgraded to http", portal, "", "http://shop.example/orders", ErrTargetNotAllowed, nil},
		{"target with user info", portal, "", "https://shop.example@evil.example/", ErrTargetNotAllowed, nil},
		{"javascript target", portal, "", "javascript:alert(1)", ErrTargetNotAllowed, nil},
		{"relative target", portal, "", "/orders", ErrTargetNotAllowed, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := InitiateLoginURL("https://id.example", tc.client, tc.hint, tc.target)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			u, _ := url.Parse(got)
			if u.Scheme != "https" || u.Host != "shop.example" || u.Path != "/login" {
				t.Fatalf("sent to %s, want the portal", got)
			}
			if u.Query().Encode() != tc.wantQuery.Encode() {
				t.Fatalf("query = %s, want %s", u.Query().Encode(), tc.wantQuery.Encode())
			}
		})
	}
}
