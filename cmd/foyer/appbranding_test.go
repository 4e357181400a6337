package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"foyer/admin/manage"
)

// foyer app branding set/show: colours merge with what is stored, files
// are uploaded and refused through the same service as the API.
func TestCLIAppBranding(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	dir := t.TempDir()
	var logo bytes.Buffer
	if err := png.Encode(&logo, image.NewRGBA(image.Rect(0, 0, 40, 20))); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	logoFile, cssFile := write("logo.png", logo.String()), write("extra.css", ".card{border-width:2px}")
	svgFile, badCSS := write("logo.svg", `<svg><script>alert(1)</script></svg>`), write("bad.css", "@import 'x.css';")

	code, out, errOut := c.run("app", "branding", "set", "--app", defaultApplicationID, "--color", "bg=#fafafa", "--color", "radius=4px",
		"--dark-color", "bg=#000000", "--extra-css", cssFile, "--support-url", "https://shop.example/help", "--logo", logoFile, "--json")
	if code != 0 {
		t.Fatalf("set: exit %d: %s", code, errOut)
	}
	var v manage.BrandingView
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Colors["bg"] != "#fafafa" || v.Colors["radius"] != "4px" ||
		v.DarkColors["bg"] != "#000000" || v.ExtraCSS != ".card{border-width:2px}" || !strings.HasPrefix(v.LogoURL, "/brand/") || v.StyleURL == "" {
		t.Fatalf("set printed %q (%v)", out, err)
	}
	code, out, errOut = c.run("app", "branding", "set", "--color", "radius=", "--color", "text=#111", "--terms-url", "https://shop.example/terms")
	if code != 0 || !strings.Contains(out, "color          bg=#fafafa") || !strings.Contains(out, "text=#111") || strings.Contains(out, "radius") ||
		!strings.Contains(out, "https://shop.example/help") || !strings.Contains(out, "https://shop.example/terms") {
		t.Errorf("second set: exit %d: %s %s", code, out, errOut)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--color", "bg=red"}, "colors.bg"},
		{[]string{"--extra-css", badCSS}, "extra_css"},
		{[]string{"--support-url", "http://shop.example"}, "support_url"},
		{[]string{"--logo", svgFile}, "SVG is not accepted"},
	} {
		code, _, errOut := c.run(append([]string{"app", "branding", "set"}, bad.args...)...)
		if code != 2 || !strings.Contains(errOut, bad.want) {
			t.Errorf("%v: exit %d: %s", bad.args, code, errOut)
		}
	}
	if code, _, errOut = c.run("app", "branding", "set", "--color", "nonsense"); code != 2 {
		t.Errorf("--color without =: exit %d %s", code, errOut)
	}
	if code, _, _ = c.run("app", "branding", "show", "--app", "nope"); code != 1 {
		t.Errorf("show of no application: exit %d", code)
	}
	code, out, _ = c.run("app", "branding", "set", "--remove-logo", "--json")
	if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || v.LogoURL != "" || v.Colors["bg"] != "#fafafa" {
		t.Errorf("remove logo: exit %d %q", code, out)
	}
	if code, out, _ = c.run("app", "branding", "show"); code != 0 || !strings.Contains(out, "logo           -") {
		t.Errorf("show: exit %d\n%s", code, out)
	}
}
