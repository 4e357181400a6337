package authz

import (
	"slices"
	"testing"
)

func TestRegisteredAMR(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{[]string{"ext"}, nil},
		{[]string{"ext", "mfa"}, []string{"mfa"}},
		{[]string{"pwd", "otp", "mfa"}, []string{"pwd", "otp", "mfa"}},
		{[]string{"hwk", "email"}, []string{"hwk"}},
		{nil, nil},
	} {
		if got := registeredAMR(c.in); !slices.Equal(got, c.want) {
			t.Errorf("registeredAMR(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
