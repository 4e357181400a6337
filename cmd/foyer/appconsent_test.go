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
