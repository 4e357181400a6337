package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"foyer/storage"
)

// TestCLIAppConsent: show prints the default policy; set replaces it with
// versioned documents; bad input exits 2 and changes nothing; --default
// restores the default.
func TestCLIAppConsent(t *testing.T) {
	c := newCLI(t)
	code, out, errOut := c.run("app", "consent", "show")
	if code != 0 || !strings.Contains(out, "terms_of_service") || !strings.Contains(out, "marketing") {
		t.Fatalf("show: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = c.run("app", "consent", "set", "--document", "terms_of_service@2", "--document", "newsletter@1",
		"--required", "terms_of_service", "--title", "newsletter=Our newsletter", "--url", "terms_of_service=https://shop.example/terms", "--json")
	want := []storage.ConsentDocument{
		{Name: "terms_of_service", Version: "2", URL: "https://shop.example/terms", Required: true},
		{Name: "newsletter", Version: "1", Title: "Our newsletter"},
	}
	var got []storage.ConsentDocument
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("set: exit %d %q %q", code, out, errOut)
	}
	for _, bad := range [][]string{
		{"--document", "Terms@1"},
		{"--document", "terms"},
		{"--document", "terms@1", "--required", "privacy"},
		{"--document", "terms@1", "--url", "terms=ftp://x"},
		{"--document", "terms@1", "--default"},
		{},
	} {
		if code, _, errOut := c.run(append([]string{"app", "consent", "set"}, bad...)...); code != 2 || errOut == "" {
			t.Errorf("set %v: exit %d, stderr %q", bad, code, errOut)
		}
	}
	_, out, _ = c.run("app", "consent", "show", "--json")
	var stored []storage.ConsentDocument
	if err := json.Unmarshal([]byte(out), &stored); err != nil || !reflect.DeepEqual(stored, want) {
		t.Fatalf("refused changes changed the policy: %s", out)
	}
	_, out, _ = c.run("app", "consent", "set", "--default", "--json")
	var restored []storage.ConsentDocument
	if err := json.Unmarshal([]byte(out), &restored); err != nil || !reflect.DeepEqual(restored, storage.DefaultConsentPolicy()) {
		t.Fatalf("--default: %s", out)
	}
}

// TestCLIAccountLink: an external identity is linked to an account named by
// e-mail; the same provider subject twice, an unknown account and missing
// flags are refused.
func TestCLIAccountLink(t *testing.T) {
	c := newCLI(t)
	if code, _, errOut := c.run("account", "create", "--email", "alice@example.com", "--password", "correct horse battery staple"); code != 0 {
		t.Fatalf("account create: %s", errOut)
	}
	code, out, errOut := c.run("account", "link", "alice@example.com", "--provider", "google", "--subject", "1234", "--email", "alice@gmail.example")
	if code != 0 || !strings.Contains(out, "linked google 1234") {
		t.Fatalf("link: exit %d %q %q", code, out, errOut)
	}
	for _, bad := range []struct {
		args []string
		code int
	}{
		{[]string{"alice@example.com", "--provider", "google", "--subject", "1234"}, 1},
		{[]string{"nobody@example.com", "--provider", "google", "--subject", "5678"}, 1},
		{[]string{"alice@example.com", "--provider", "google"}, 2},
		{[]string{"--provider", "google", "--subject", "9"}, 2},
	} {
		if code, _, errOut := c.run(append([]string{"account", "link"}, bad.args...)...); code != bad.code || errOut == "" {
			t.Errorf("link %v: exit %d %q, want %d and a message", bad.args, code, errOut, bad.code)
		}
	}
}
