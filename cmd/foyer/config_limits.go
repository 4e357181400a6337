package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"foyer/selfservice"
)

// signInLimits reads the password-guessing budgets (README, "Sign-in
// limits"): each a positive whole number, empty for the default. Every
// bad one is reported.
func (c *Config) signInLimits() (selfservice.SignInLimits, error) {
	var l selfservice.SignInLimits
	var errs []error
	for _, s := range []struct {
		env   string
		value string
		field *int
	}{
		{"FOYER_SIGNIN_LIMIT_SOURCE", c.SignInLimitSource, &l.PerSource},
		{"FOYER_SIGNIN_LIMIT_IDENTIFIER", c.SignInLimitIdentifier, &l.PerIdentifier},
		{"FOYER_SIGNIN_LIMIT_ADDRESS", c.SignInLimitAddress, &l.PerAddress},
		{"FOYER_SIGNIN_LIMIT_GLOBAL", c.SignInLimitGlobal, &l.Global},
	} {
		v := strings.TrimSpace(s.value)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			errs = append(errs, fmt.Errorf("%s %q: a whole number from 1 to 1000000", s.env, s.value))
			continue
		}
		*s.field = n
	}
	return l, errors.Join(errs...)
}
