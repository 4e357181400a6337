package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

func TestCLIAppPolicyShowDefaults(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("app", "policy", "show")
	if code != 0 {
		t.Fatalf("show: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"application:", "default", "registration:", "activation:", "reset link lifetime:", "1h0m0s",
		"re-request interval:", "20s", "unconfirmed contacts:", "off", "password length:", "8 to 128"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = c.run("app", "policy", "show", "--application", "default", "--json")
	var got storage.SelfServicePolicy
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil {
		t.Fatalf("show --json: exit %d, %q, %q", code, out, errOut)
	}
	if !reflect.DeepEqual(got, storage.DefaultSelfServicePolicy()) {
		t.Errorf("the bootstrapped application's policy = %+v, want the defaults", got)
	}
}

func TestCLIAppPolicySet(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("app", "policy", "set", "--registration", "off", "--activation", "off", "--reset-email", "off",
		"--reset-phone", "off", "--username-reminder", "off", "--reset-link-lifetime", "30m", "--activation-link-lifetime", "48h",
		"--code-lifetime", "5m", "--re-request-interval", "1m", "--allow-unconfirmed-contacts", "on", "--password-min", "12",
		"--password-max", "64", "--reject-common-passwords", "off", "--json")
	if code != 0 {
		t.Fatalf("set: exit %d: %s", code, errOut)
	}
	want := storage.SelfServicePolicy{
		ResetLinkLifetime: 30 * time.Minute, ActivationLinkLifetime: 48 * time.Hour, OneTimeCodeLifetime: 5 * time.Minute,
		ReRequestInterval: time.Minute, AllowUnconfirmedContacts: true,
		PasswordPolicy: storage.PasswordPolicy{MinLength: 12, MaxLength: 64},
		// The onboarding part the command leaves alone: its defaults.
		Onboarding: storage.Onboarding{InvitationLifetime: 7 * 24 * time.Hour},
	}
	var printed storage.SelfServicePolicy
	if err := json.Unmarshal([]byte(out), &printed); err != nil || !reflect.DeepEqual(printed, want) {
		t.Fatalf("set printed %q (%v), want %+v", out, err, want)
	}
	_, out, _ = c.run("app", "policy", "show", "--json")
	var stored storage.SelfServicePolicy
	if err := json.Unmarshal([]byte(out), &stored); err != nil || !reflect.DeepEqual(stored, want) {
		t.Fatalf("stored policy %q (%v), want %+v", out, err, want)
	}

	// Flags left out keep their stored value.
	if code, _, errOut = c.run("app", "policy", "set", "--registration", "on"); code != 0 {
		t.Fatalf("second set: exit %d: %s", code, errOut)
	}
	_, out, _ = c.run("app", "policy", "show", "--json")
	want.RegistrationEnabled = true
	if err := json.Unmarshal([]byte(out), &stored); err != nil || !reflect.DeepEqual(stored, want) {
		t.Fatalf("after a one-flag set: %q, want %+v", out, want)
	}
	_, out, _ = c.run("app", "policy", "show")
	if !strings.Contains(out, "30m0s") || !strings.Contains(out, "12 to 64") {
		t.Errorf("show after set:\n%s", out)
	}
}

// Activation is refused, and shown as not offered, for an application
// whose identity store has no e-mail identifier.
func TestCLIAppPolicyUsernameOnlyStore(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	s, err := sqlstore.Open(t.Context(), c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateIdentityStore(t.Context(), &storage.IdentityStore{ID: "names", Name: "Names",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierUsername}}))
	must(s.CreateApplication(t.Context(), &storage.Application{ID: "kiosk", StoreID: "names", Name: "Kiosk"}))
	must(s.Close())

	code, out, _ := c.run("app", "policy", "show", "--application", "kiosk")
	if code != 0 || !strings.Contains(out, "not offered") {
		t.Fatalf("show: exit %d\n%s", code, out)
	}
	code, _, errOut := c.run("app", "policy", "set", "--application", "kiosk", "--registration", "off")
	if code != 2 || !strings.Contains(errOut, `identity store "names" has no email identifier`) {
		t.Fatalf("set keeping activation on: exit %d, %q", code, errOut)
	}
	code, out, errOut = c.run("app", "policy", "set", "--application", "kiosk", "--activation", "off", "--registration", "off")
	if code != 0 || !strings.Contains(out, "activation:") || strings.Contains(out, "not offered") {
		t.Fatalf("set with activation off: exit %d, %q, %q", code, out, errOut)
	}
}

func TestCLIAppPolicyRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"unknown subcommand", []string{"app", "policy", "frob"}, 2, "unknown command"},
		{"no subcommand", []string{"app", "policy"}, 2, "unknown command"},
		{"stray argument", []string{"app", "policy", "show", "now"}, 2, "unexpected argument"},
		{"unknown flag", []string{"app", "policy", "set", "--nope"}, 2, "flag provided but not defined"},
		{"nothing to set", []string{"app", "policy", "set"}, 2, "nothing to set"},
		{"bad on/off", []string{"app", "policy", "set", "--registration", "yes"}, 2, `want on or off, not "yes"`},
		{"bad duration", []string{"app", "policy", "set", "--code-lifetime", "soon"}, 2, "want a duration"},
		{"bad number", []string{"app", "policy", "set", "--password-min", "eight"}, 2, "want a whole number"},
		{"reset link too long", []string{"app", "policy", "set", "--reset-link-lifetime", "25h"}, 2, "reset link lifetime must be between"},
		{"activation link too long", []string{"app", "policy", "set", "--activation-link-lifetime", "200h"}, 2, "activation link lifetime"},
		{"code too long", []string{"app", "policy", "set", "--code-lifetime", "2h"}, 2, "one-time code lifetime"},
		{"zero lifetime", []string{"app", "policy", "set", "--code-lifetime", "0s"}, 2, "one-time code lifetime"},
		{"re-request too short", []string{"app", "policy", "set", "--re-request-interval", "100ms"}, 2, "re-request interval"},
		{"re-request too long", []string{"app", "policy", "set", "--re-request-interval", "61m"}, 2, "re-request interval"},
		{"fractional seconds", []string{"app", "policy", "set", "--reset-link-lifetime", "90.5s"}, 2, "whole number of seconds"},
		{"password min too small", []string{"app", "policy", "set", "--password-min", "6"}, 2, "at least 8"},
		{"password max below min", []string{"app", "policy", "set", "--password-min", "20", "--password-max", "10"}, 2, "maximum length"},
		{"password max too large", []string{"app", "policy", "set", "--password-max", "2048"}, 2, "maximum length"},
		{"show missing application", []string{"app", "policy", "show", "--application", "nope"}, 1, `no application with id "nope"`},
		{"set missing application", []string{"app", "policy", "set", "--application", "nope", "--registration", "off"}, 1, `no application with id "nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := newCLI(t).run(tc.args...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want exit %d containing %q", code, errOut, tc.wantCode, tc.wantErr)
			}
		})
	}
}

// A rejected set changes nothing.
func TestCLIAppPolicyRejectedSetKeepsPolicy(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, _ := c.run("app", "policy", "set", "--registration", "off", "--code-lifetime", "2h"); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	_, out, _ := c.run("app", "policy", "show", "--json")
	var p storage.SelfServicePolicy
	if err := json.Unmarshal([]byte(out), &p); err != nil || !reflect.DeepEqual(p, storage.DefaultSelfServicePolicy()) {
		t.Fatalf("policy after a rejected set = %q, want the defaults", out)
	}
}
