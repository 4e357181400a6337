package password

import (
	_ "embed"
	"strings"
	"unicode/utf8"

	"foyer/storage"
)

// commonPasswords is a list of the most used passwords (one a line),
// embedded so rejecting them needs no network and no operator setup.
//
//go:embed common_passwords.txt
var commonPasswords string

// Rules checks a newly chosen password (registration, reset, a change in
// the account portal) against an application's password policy.
type Rules struct {
	common map[string]struct{}
}

// NewRules builds the lookup of common passwords once per handler (not
// package state), so a check is a map access.
func NewRules() *Rules {
	set := map[string]struct{}{}
	for _, line := range strings.Split(commonPasswords, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			set[strings.ToLower(line)] = struct{}{}
		}
	}
	return &Rules{common: set}
}

// Problems Check reports; callers turn them into their pages' messages.
const (
	ProblemRequired = "required"
	ProblemTooShort = "too_short"
	ProblemTooLong  = "too_long"
	ProblemCommon   = "common"
	ProblemMismatch = "mismatch"
)

// Check returns the first rule the password breaks, or "". Lengths count
// characters for the minimum (what the customer sees) and bytes for the
// maximum (what argon2id hashes).
func (r *Rules) Check(p storage.PasswordPolicy, pw, confirm string) string {
	switch {
	case pw == "":
		return ProblemRequired
	case utf8.RuneCountInString(pw) < p.MinLength:
		return ProblemTooShort
	case p.MaxLength > 0 && len(pw) > p.MaxLength:
		return ProblemTooLong
	}
	if p.RejectCommonPasswords {
		if _, ok := r.common[strings.ToLower(pw)]; ok {
			return ProblemCommon
		}
	}
	if pw != confirm {
		return ProblemMismatch
	}
	return ""
}
