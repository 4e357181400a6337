package authz_test

import (
	"errors"
	"strings"
	"testing"

	"foyer/authz"
)

func TestBackchannelLogoutURIValidation(t *testing.T) {
	for _, tc := range []struct {
		uri      string
		required bool
		ok       bool
	}{
		{"https://rp.example/backchannel?x=1", true, true},
		{"http://127.0.0.1:9000/bc", false, true},
		{"http://localhost/bc", false, true},
		{"", false, true},
		{"http://rp.example/bc", false, false}, // plain http off loopback
		{"https://rp.example/bc#frag", false, false},
		{"/relative", false, false},
		{"javascript:alert(1)", false, false},
		{"com.example.app:/bc", false, false}, // a native app cannot receive it
		{"", true, false},                     // sid required, but no URI
	} {
		spec := authz.ClientSpec{Name: "RP", GrantTypes: []string{"authorization_code"},
			RedirectURIs: []string{"https://rp.example/cb"}, BackchannelLogoutURI: tc.uri,
			BackchannelLogoutSessionRequired: tc.required}
		c, _, err := authz.NewClient(spec)
		if tc.ok {
			if err != nil || c.BackchannelLogoutURI != tc.uri || c.BackchannelLogoutSessionRequired != tc.required {
				t.Errorf("%q (sid required %v): %v, %+v", tc.uri, tc.required, err, c)
			}
			continue
		}
		if !errors.Is(err, authz.ErrInvalidClientMetadata) {
			t.Errorf("%q (sid required %v): error %v, want ErrInvalidClientMetadata", tc.uri, tc.required, err)
		}
	}
}

// TestClientIDsAreHex: client ids are 32 lowercase hex digits, so none
// begins with "-" and reads as a flag on the command line (base64url ids
// did, one in 64: `foyer client delete` then failed as a usage error).
func TestClientIDsAreHex(t *testing.T) {
	seen := map[string]bool{}
	for range 500 {
		c, _, err := authz.NewClient(authz.ClientSpec{Name: "RP", GrantTypes: []string{"client_credentials"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.ID) != 32 || strings.Trim(c.ID, "0123456789abcdef") != "" || seen[c.ID] {
			t.Fatalf("client id %q: want 32 hex digits, never repeated", c.ID)
		}
		seen[c.ID] = true
	}
}
