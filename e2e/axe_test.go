//go:build e2e

package e2e

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core release the accessibility tests run; pinned
// so a new release's rules cannot fail a build that changed nothing.
const axeVersion = "4.10.3"

// axeSource returns axe-core's browser bundle (axe.min.js, licence header
// included): the file named by FOYER_E2E_AXE, else the copy cached under
// the user's cache directory, else one fetched from the npm registry with
// `npm pack` and cached for the next run. The bundle is not committed.
func axeSource(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("FOYER_E2E_AXE"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("FOYER_E2E_AXE: %v", err)
		}
		return string(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	file := filepath.Join(cache, "foyer-e2e", "axe-core-"+axeVersion, "axe.min.js")
	if b, err := os.ReadFile(file); err == nil {
		return string(b)
	}
	b, err := fetchAxe(t.Context(), t.TempDir())
	if err != nil {
		t.Fatalf("axe-core %s: %v (the accessibility tests need npm and the npm registry, or FOYER_E2E_AXE=path/to/axe.min.js)", axeVersion, err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err == nil {
		// Written beside and renamed, so a parallel run never reads half.
		tmp := file + ".tmp-" + randomString(4)
		if os.WriteFile(tmp, b, 0o644) == nil {
			_ = os.Rename(tmp, file)
		}
	}
	return string(b)
}

// fetchAxe runs `npm pack axe-core@axeVersion` in dir and returns
// package/axe.min.js from the tarball.
func fetchAxe(ctx context.Context, dir string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "npm", "pack", "--silent", "--pack-destination", dir, "axe-core@"+axeVersion)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("npm pack: %w\n%s", err, stderr.String())
	}
	lines := strings.Fields(string(out))
	if len(lines) == 0 {
		return nil, errors.New("npm pack printed no file name")
	}
	f, err := os.Open(filepath.Join(dir, lines[len(lines)-1]))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			return nil, fmt.Errorf("package/axe.min.js not in the tarball: %w", err)
		}
		if h.Name == "package/axe.min.js" {
			return io.ReadAll(tr)
		}
	}
}

// axeViolation is one axe-core rule a page breaks, with the elements.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// axeRun injects axe-core into the page unless it is there and returns the
// serious and critical violations. Runtime.evaluate is not subject to the
// page's CSP, which would block an injected <script>.
const axeRun = `(async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return r.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary || ""}))}));
})()`

// axeCheck runs axe-core on the page as it is and returns the serious and
// critical violations, formatted for the test log.
func (b *browser) axeCheck(t *testing.T, source string) []string {
	t.Helper()
	if !run(t, b, "look for axe", chromedp.Evaluate[bool](`typeof window.axe === "object"`)) {
		run(t, b, "inject axe-core", chromedp.Evaluate[bool](source+"\n;true"))
	}
	found := run(t, b, "run axe-core", chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	var out []string
	for _, v := range found {
		var s strings.Builder
		fmt.Fprintf(&s, "%s (%s): %s", v.ID, v.Impact, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&s, "\n      %s\n        %s", n.Target, strings.ReplaceAll(n.Summary, "\n", "\n        "))
		}
		out = append(out, s.String())
	}
	return out
}

// emulate sets the colour scheme (light or dark) and the viewport width.
func (b *browser) emulate(t *testing.T, scheme string, width int64) {
	t.Helper()
	b.do(t, fmt.Sprintf("emulate a %s scheme %dpx wide", scheme, width),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			})
			return err
		}),
		chromedp.EmulateViewport(width, 900))
}
