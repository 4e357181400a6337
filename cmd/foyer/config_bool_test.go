package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		value, ok bool
	}{
		{"true", true, true}, {"TRUE", true, true}, {"1", true, true}, {"yes", true, true}, {"Yes", true, true},
		{"on", true, true}, {" On ", true, true},
		{"false", false, true}, {"False", false, true}, {"0", false, true}, {"no", false, true}, {"NO", false, true},
		{"off", false, true},
		{"", false, false}, {"maybe", false, false}, {"y", false, false}, {"2", false, false}, {"yes please", false, false},
		{"tru", false, false}, {"enabled", false, false},
	}
	for _, tt := range tests {
		if v, ok := parseBool(tt.in); v != tt.value || ok != tt.ok {
			t.Errorf("parseBool(%q) = %v, %v; want %v, %v", tt.in, v, ok, tt.value, tt.ok)
		}
	}
}

// TestBooleanSettingsAgree: every boolean setting takes the same
// spellings from the environment and the file, and a typo fails the start
// with every bad variable named at once (FOYER_TRUST_PROXY_HEADERS=yes
// used to mean false without a word).
func TestBooleanSettingsAgree(t *testing.T) {
	t.Parallel()
	vars := []string{"FOYER_TRUST_PROXY_HEADERS", "FOYER_ALLOW_PRIVATE_NETWORK_URIS", "FOYER_DEV_OUTBOX"}
	envOf := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, v := range []string{"yes", "ON", "1", "true"} {
		env := map[string]string{}
		for _, name := range vars {
			env[name] = v
		}
		cfg, err := loadConfig("", envOf(env))
		if err != nil || !cfg.TrustProxyHeaders || !cfg.AllowPrivateNetworkURIs || !cfg.DevOutbox {
			t.Errorf("all set to %q: %+v, %v; want all on", v, cfg, err)
		}
	}
	bad := map[string]string{"FOYER_TRUST_PROXY_HEADERS": "yess", "FOYER_DEV_OUTBOX": "enabled", "FOYER_LOG_LEVEL": "loud"}
	_, err := loadConfig("", envOf(bad))
	for _, want := range []string{`FOYER_TRUST_PROXY_HEADERS "yess": use true/false, 1/0, yes/no or on/off`, `FOYER_DEV_OUTBOX "enabled"`, "FOYER_LOG_LEVEL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad booleans: %v; want it to name %s", err, want)
		}
	}
	var out, errOut strings.Builder
	if code := run(t.Context(), []string{"serve"}, &out, &errOut, envOf(bad)); code != 1 || !strings.Contains(errOut.String(), "FOYER_TRUST_PROXY_HEADERS") {
		t.Errorf("foyer serve with a bad boolean: exit %d, %q", code, errOut.String())
	}

	path := filepath.Join(t.TempDir(), "foyer.yaml")
	if err := os.WriteFile(path, []byte("trust_proxy_headers: 1\ndev_outbox: Off\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err := loadConfig(path, envOf(nil)); err != nil || !cfg.TrustProxyHeaders || cfg.DevOutbox {
		t.Errorf("file with 1 and Off: %v, %v", cfg.TrustProxyHeaders, err)
	}
	if err := os.WriteFile(path, []byte("trust_proxy_headers: maybe\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadConfig(path, envOf(nil)); err == nil || !strings.Contains(err.Error(), `"maybe" is not a boolean`) {
		t.Errorf("file with maybe: %v", err)
	}
}
