package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A theme that cannot load still stops `foyer serve` before it listens,
// although serve now loads the theme while it migrates the database: a
// missing override directory, a template that does not parse, and one
// that reads a field its page's data lacks (the handlers' trial renders).
// The listen address is taken, so a start that went on would fail
// with "listen" instead.
func TestServeRefusesABadTheme(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = taken.Close() }()
	theme := func(files map[string]string) string {
		dir := t.TempDir()
		for name, body := range files {
			path := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	for _, tc := range []struct {
		name, dir, want string
	}{
		{"missing directory", filepath.Join(t.TempDir(), "missing"), "themes: override dir"},
		{"template that does not parse", theme(map[string]string{
			"templates/message.html": `{{template "layout" .}}{{define "content"}}{{.Broken`}), "message.html"},
		{"field the page data lacks", theme(map[string]string{
			"templates/error.html": `{{template "layout" .}}{{define "content"}}{{.Data.NoSuchField}}{{end}}`}), "NoSuchField"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{
				"FOYER_DATABASE_URL":             "sqlite:" + filepath.Join(t.TempDir(), "foyer.db"),
				"FOYER_SECRET":                   strings.Repeat("s", 32),
				"FOYER_LISTEN":                   taken.Addr().String(),
				"FOYER_THEME_DIR":                tc.dir,
				"FOYER_BOOTSTRAP_ADMIN_PASSWORD": "a long enough password",
			}
			var out, errOut strings.Builder
			code := run(t.Context(), []string{"serve"}, &out, &errOut, func(k string) string { return env[k] })
			if code != 1 || !strings.Contains(errOut.String(), tc.want) || strings.Contains(errOut.String(), "listen") {
				t.Errorf("exit %d, stderr %q; want 1 and an error naming %q", code, errOut.String(), tc.want)
			}
		})
	}
}
