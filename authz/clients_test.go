package authz_test

import (
	"errors"
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
