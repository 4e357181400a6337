package main

import (
	"slices"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
)

// rfc8176 are the registered authentication method reference values
// (RFC 8176 section 2); relying parties match amr against these names.
var rfc8176 = []string{"face", "fpt", "geo", "hwk", "iris", "kba", "mca", "mfa", "otp", "pin", "pwd", "rba",
	"retina", "sc", "sms", "swk", "tel", "user", "vbm", "wia"}

// checkRegisteredAMR fails for an amr value RFC 8176 does not register.
func checkRegisteredAMR(t *testing.T, what string, amr []string) {
	t.Helper()
	for _, m := range amr {
		if !slices.Contains(rfc8176, m) {
			t.Errorf("%s: amr %v holds %q, which RFC 8176 does not register", what, amr, m)
		}
	}
}

// expectAMR checks an ID token's acr and its exact amr.
func expectAMR(t *testing.T, what string, id *oidc.IDToken, acr string, amr ...string) {
	t.Helper()
	var c struct {
		ACR string   `json:"acr"`
		AMR []string `json:"amr"`
	}
	if err := id.Claims(&c); err != nil {
		t.Fatal(err)
	}
	checkRegisteredAMR(t, what, c.AMR)
	if c.ACR != acr || !slices.Equal(c.AMR, amr) {
		t.Errorf("%s: acr %q amr %v, want %q and %v", what, c.ACR, c.AMR, acr, amr)
	}
}
