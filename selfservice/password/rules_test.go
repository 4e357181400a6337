package password

import (
	"testing"

	"foyer/storage"
)

func TestRulesCheck(t *testing.T) {
	r := NewRules()
	strict := storage.PasswordPolicy{MinLength: 8, MaxLength: 16, RejectCommonPasswords: true}
	lenient := storage.PasswordPolicy{MinLength: 8, MaxLength: 16}
	for _, c := range []struct {
		name        string
		p           storage.PasswordPolicy
		pw, confirm string
		want        string
	}{
		{"fine", strict, "longenough", "longenough", ""},
		{"empty", strict, "", "", ProblemRequired},
		{"short", strict, "short", "short", ProblemTooShort},
		{"short in bytes, long in characters", strict, "ääääääää", "ääääääää", ""},
		{"long", strict, "far-too-long-a-password", "far-too-long-a-password", ProblemTooLong},
		{"common, any case", strict, "Password123", "Password123", ProblemCommon},
		{"common allowed", lenient, "password123", "password123", ""},
		{"mismatch", strict, "longenough", "different1", ProblemMismatch},
	} {
		if got := r.Check(c.p, c.pw, c.confirm); got != c.want {
			t.Errorf("%s: Check(%q, %q) = %q, want %q", c.name, c.pw, c.confirm, got, c.want)
		}
	}
}
