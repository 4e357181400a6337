package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"foyer/selfservice"
)

// TestSignInLimitSettings: the budgets come from the environment or the
// file, empty keeps the defaults, and every bad value is named at once.
func TestSignInLimitSettings(t *testing.T) {
	t.Parallel()
	envOf := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cfg, err := loadConfig("", envOf(nil))
	if l, lerr := cfg.signInLimits(); err != nil || lerr != nil || l != (selfservice.SignInLimits{}) {
		t.Fatalf("defaults: %+v %v %v", l, err, lerr)
	}
	path := filepath.Join(t.TempDir(), "foyer.yaml")
	if err := os.WriteFile(path, []byte("signin_limit_source: 5\nsignin_limit_global: 2000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = loadConfig(path, envOf(map[string]string{"FOYER_SIGNIN_LIMIT_ADDRESS": "60", "FOYER_SIGNIN_LIMIT_IDENTIFIER": "20"}))
	if err != nil {
		t.Fatal(err)
	}
	want := selfservice.SignInLimits{PerSource: 5, PerIdentifier: 20, PerAddress: 60, Global: 2000}
	if l, _ := cfg.signInLimits(); l != want {
		t.Fatalf("file and environment: %+v, want %+v", l, want)
	}
	_, err = loadConfig("", envOf(map[string]string{"FOYER_SIGNIN_LIMIT_SOURCE": "0", "FOYER_SIGNIN_LIMIT_GLOBAL": "lots"}))
	for _, name := range []string{`FOYER_SIGNIN_LIMIT_SOURCE "0"`, `FOYER_SIGNIN_LIMIT_GLOBAL "lots"`} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("bad limits: %v; want it to name %s", err, name)
		}
	}
}

// TestAuthorizeLimitSettings: the budgets on new interactions come from
// the environment or the file, empty keeps the defaults, and every bad
// value is named at once.
func TestAuthorizeLimitSettings(t *testing.T) {
	t.Parallel()
	envOf := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cfg, err := loadConfig("", envOf(nil))
	if l, lerr := cfg.authorizeLimits(); err != nil || lerr != nil || l != (selfservice.AuthorizeLimits{}) {
		t.Fatalf("defaults: %+v %v %v", l, err, lerr)
	}
	path := filepath.Join(t.TempDir(), "foyer.yaml")
	if err := os.WriteFile(path, []byte("authorize_limit_global: 5000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = loadConfig(path, envOf(map[string]string{"FOYER_AUTHORIZE_LIMIT_ADDRESS": " 120 "}))
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := cfg.authorizeLimits(); l != (selfservice.AuthorizeLimits{PerAddress: 120, Global: 5000}) {
		t.Fatalf("file and environment: %+v", l)
	}
	_, err = loadConfig("", envOf(map[string]string{"FOYER_AUTHORIZE_LIMIT_ADDRESS": "-1", "FOYER_AUTHORIZE_LIMIT_GLOBAL": "1e3",
		"FOYER_SIGNIN_LIMIT_GLOBAL": "0"}))
	for _, name := range []string{`FOYER_AUTHORIZE_LIMIT_ADDRESS "-1"`, `FOYER_AUTHORIZE_LIMIT_GLOBAL "1e3"`, `FOYER_SIGNIN_LIMIT_GLOBAL "0"`} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("bad limits: %v; want it to name %s", err, name)
		}
	}
}
