package mfa

import (
	"bytes"
	"regexp"
	"testing"
)

func TestNewRecoveryCodes(t *testing.T) {
	format := regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$`)
	seen := map[string]bool{}
	for range 20 { // several batches, so a fixed or low-entropy generator shows
		codes, err := NewRecoveryCodes()
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != RecoveryCodeCount {
			t.Fatalf("got %d codes, want %d", len(codes), RecoveryCodeCount)
		}
		for _, c := range codes {
			if !format.MatchString(c) {
				t.Errorf("code %q does not match %s", c, format)
			}
			if seen[c] {
				t.Errorf("code %q repeated", c)
			}
			seen[c] = true
			if NormalizeRecoveryCode(c) != c[:5]+c[6:] {
				t.Errorf("a generated code changes under normalisation: %q", c)
			}
		}
	}
	if len(recoveryAlphabet) != 32 {
		t.Fatalf("alphabet has %d symbols; 10 characters need 32 for 50 bits", len(recoveryAlphabet))
	}
}

func TestNormalizeRecoveryCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"k3f9q-2mxv7", "k3f9q2mxv7"},
		{"K3F9Q 2MXV7", "k3f9q2mxv7"},
		{"  k3f9q2mxv7\n", "k3f9q2mxv7"},
		{"k3f9-q2m-xv7", "k3f9q2mxv7"},
		{"O0IL1-abcde", "00111abcde"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeRecoveryCode(tt.in); got != tt.want {
			t.Errorf("NormalizeRecoveryCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRecoveryCodeHash(t *testing.T) {
	h := RecoveryCodeHash("acct-1", "k3f9q-2mxv7")
	if len(h) != 32 {
		t.Fatalf("hash is %d bytes", len(h))
	}
	tests := []struct {
		name, account, code string
		same                bool
	}{
		{"typed differently", "acct-1", "K3F9Q 2MXV7", true},
		{"other account", "acct-2", "k3f9q-2mxv7", false},
		{"other code", "acct-1", "k3f9q-2mxv8", false},
		{"boundary moved into the code", "acct-1k", "3f9q-2mxv7", false},
	}
	for _, tt := range tests {
		if got := bytes.Equal(RecoveryCodeHash(tt.account, tt.code), h); got != tt.same {
			t.Errorf("%s: equal = %v, want %v", tt.name, got, tt.same)
		}
	}
}
