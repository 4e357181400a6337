package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"foyer/selfservice"
)

// limitSetting is one budget setting: its variable, its value and where
// a valid one goes.
type limitSetting struct {
	env   string
	value string
	field *int
}

// parseLimits reads budget settings: each a positive whole number, empty
// for the default. Every bad one is reported.
func parseLimits(settings []limitSetting) error {
	var errs []error
	for _, s := range settings {
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
	return errors.Join(errs...)
}

// signInLimits reads the password-guessing budgets (README, "Sign-in
// limits").
func (c *Config) signInLimits() (selfservice.SignInLimits, error) {
	var l selfservice.SignInLimits
	err := parseLimits([]limitSetting{
		{"FOYER_SIGNIN_LIMIT_SOURCE", c.SignInLimitSource, &l.PerSource},
		{"FOYER_SIGNIN_LIMIT_IDENTIFIER", c.SignInLimitIdentifier, &l.PerIdentifier},
		{"FOYER_SIGNIN_LIMIT_ADDRESS", c.SignInLimitAddress, &l.PerAddress},
		{"FOYER_SIGNIN_LIMIT_GLOBAL", c.SignInLimitGlobal, &l.Global},
	})
	return l, err
}

// authorizeLimits reads the budgets on new sign-in interactions (README,
// "Authorization request limits").
func (c *Config) authorizeLimits() (selfservice.AuthorizeLimits, error) {
	var l selfservice.AuthorizeLimits
	err := parseLimits([]limitSetting{
		{"FOYER_AUTHORIZE_LIMIT_ADDRESS", c.AuthorizeLimitAddress, &l.PerAddress},
		{"FOYER_AUTHORIZE_LIMIT_GLOBAL", c.AuthorizeLimitGlobal, &l.Global},
	})
	return l, err
}
