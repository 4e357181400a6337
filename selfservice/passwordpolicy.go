package selfservice

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

// commonPasswordSet is built once per handler (not package state) so the
// lookup is a map access.
func commonPasswordSet() map[string]struct{} {
	set := map[string]struct{}{}
	for _, line := range strings.Split(commonPasswords, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			set[strings.ToLower(line)] = struct{}{}
		}
	}
	return set
}

// checkPassword returns the message key of the first rule the chosen
// password breaks, or "". Lengths count characters for the minimum (what
// the customer sees) and bytes for the maximum (what argon2id hashes).
func checkPassword(p storage.PasswordPolicy, common map[string]struct{}, pw, confirm string) string {
	switch {
	case pw == "":
		return "register.password_required"
	case utf8.RuneCountInString(pw) < p.MinLength:
		return "register.password_too_short"
	case len(pw) > p.MaxLength:
		return "register.password_too_long"
	}
	if p.RejectCommonPasswords {
		if _, ok := common[strings.ToLower(pw)]; ok {
			return "register.password_common"
		}
	}
	if pw != confirm {
		return "register.password_mismatch"
	}
	return ""
}
