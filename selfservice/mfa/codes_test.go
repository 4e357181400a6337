package mfa

import (
	"bytes"
	"regexp"
	"testing"
)

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		c, err := NewCode()
		if err != nil || !regexp.MustCompile(`^\d{6}$`).MatchString(c) {
			t.Fatalf("NewCode = %q, %v", c, err)
		}
		seen[c] = true
	}
	if len(seen) < 45 {
		t.Errorf("50 codes, only %d distinct", len(seen))
	}
	s1, _ := NewSalt()
	s2, _ := NewSalt()
	if len(s1) != 32 || s1 == s2 {
		t.Fatalf("salts %q %q", s1, s2)
	}
	if !bytes.Equal(CodeHash(s1, "123456"), CodeHash(s1, " 123456 ")) {
		t.Error("surrounding spaces change the hash")
	}
	if bytes.Equal(CodeHash(s1, "123456"), CodeHash(s2, "123456")) || bytes.Equal(CodeHash(s1, "123456"), CodeHash(s1, "123457")) {
		t.Error("salt or code does not change the hash")
	}
}
