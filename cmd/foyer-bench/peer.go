package main

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// The peer is panva's oidc-provider, the Node.js OpenID provider issue 18
// measured Foyer against: its client-credentials rate, in memory, is the
// rate Foyer must reach with every token durable. Pinned, so runs compare.
const (
	peerPackage = "oidc-provider"
	peerVersion = "9.13.3"
	// peerScriptName is what the embedded script is written as, next to
	// the node_modules that provides oidc-provider (ES modules resolve
	// packages from the importing file's directory, not from NODE_PATH).
	peerScriptName   = "foyer-bench-peer.mjs"
	peerReadyPrefix  = "ready "
	peerReadyTimeout = 30 * time.Second
	peerStopTimeout  = 5 * time.Second
	peerInstallLimit = 5 * time.Minute
)

//go:embed peer/oidc-provider.mjs
var peerScript []byte

// peerReport is the peer's client-credentials run. skipped says why it did
// not run (no node/npm, or the package could not be installed): that is
// not a failure of the bench. err is a failure once it ran.
type peerReport struct {
	skipped      string
	node         string // node --version
	cc           *result
	rssAfterLoad int64
	err          error
	logTail      string

	proc *peerProcess // running between startBenchPeer and stop
	t    *target
}

func (p *peerReport) failed() bool {
	return p != nil && (p.err != nil || (p.cc != nil && p.cc.errors > 0))
}

// startBenchPeer installs oidc-provider once into the user's cache, starts
// it and checks its token response; measure runs the load later. It is
// nil when -peer=false. The caller must call stop.
func startBenchPeer(ctx context.Context, o options, tmp string, progress io.Writer) *peerReport {
	if !o.peer {
		return nil
	}
	rep := &peerReport{}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			rep.skipped = "node/npm not found"
			return rep
		}
	}
	dir, err := peerDir()
	if err != nil {
		rep.skipped = err.Error()
		return rep
	}
	if err := installPeer(ctx, dir, progress); err != nil {
		rep.skipped = err.Error()
		return rep
	}
	out, err := exec.CommandContext(ctx, "node", "--version").Output()
	if err != nil {
		rep.err = fmt.Errorf("node --version: %w", err)
		return rep
	}
	rep.node = strings.TrimSpace(string(out))

	fmt.Fprintf(progress, "%s: starting it on Node %s ...\n", peerPackage, rep.node)
	client, secret := "bench", randomHex(24)
	if rep.proc, rep.err = startPeer(dir, filepath.Join(tmp, "oidc-provider.log"), client, secret); rep.err != nil {
		return rep
	}
	rep.t = &target{backend: peerPackage, issuer: rep.proc.issuer, clientID: client, clientSecret: secret,
		transport: newTransport(o.conns)}
	rep.err = verifyPeer(ctx, rep.t)
	return rep
}

// measure runs the client-credentials scenario against the peer with the
// same connections and duration as Foyer's runs; once only, and only on a
// peer that started and passed the check.
func (p *peerReport) measure(ctx context.Context, o options, progress io.Writer) {
	if p == nil || p.t == nil || p.err != nil || p.cc != nil || ctx.Err() != nil {
		return
	}
	fmt.Fprintf(progress, "%s: client_credentials for %v ...\n", peerPackage, o.duration)
	cc := runLoad(ctx, p.t, "client_credentials", o.conns, o.duration, func(int) iteration { return p.t.clientCredentials() })
	p.cc = &cc
	p.rssAfterLoad = rssOf(p.proc.cmd.Process.Pid)
}

// stop ends the Node process and keeps the tail of its log on failure.
func (p *peerReport) stop(ctx context.Context) {
	if p == nil || p.proc == nil {
		return
	}
	p.t.transport.CloseIdleConnections()
	p.proc.stop()
	if ctx.Err() == nil && p.failed() {
		p.logTail = tailFile(p.proc.logPath, tailLines)
	}
	p.proc = nil
}

// peerDir is where oidc-provider is installed once:
// $XDG_CACHE_HOME/foyer-bench/oidc-provider@VERSION, or ~/.cache/... .
func peerDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for %s: %w", peerPackage, err)
	}
	return filepath.Join(base, "foyer-bench", peerPackage+"@"+peerVersion), nil
}

// peerInstalled reports whether dir holds the pinned oidc-provider.
func peerInstalled(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "node_modules", peerPackage, "package.json"))
	if err != nil {
		return false
	}
	var pkg struct {
		Version string `json:"version"`
	}
	return json.Unmarshal(data, &pkg) == nil && pkg.Version == peerVersion
}

// installPeer runs npm install in a staging directory beside dir and
// renames it into place, so an interrupted install never looks complete.
// Install scripts are not run: oidc-provider and its dependencies need none.
func installPeer(ctx context.Context, dir string, progress io.Writer) error {
	if peerInstalled(dir) {
		return nil
	}
	fmt.Fprintf(progress, "installing %s@%s into %s ...\n", peerPackage, peerVersion, dir)
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	stage, err := os.MkdirTemp(filepath.Dir(dir), ".install-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	// A package.json of its own keeps npm from climbing to a parent project.
	if err := os.WriteFile(filepath.Join(stage, "package.json"), []byte(`{"private": true}`+"\n"), 0o600); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, peerInstallLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--ignore-scripts",
		"--omit=dev", "--save-exact", peerPackage+"@"+peerVersion)
	cmd.Dir = stage
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm install %s@%s failed: %w: %s", peerPackage, peerVersion, err, snippet(out))
	}
	if !peerInstalled(stage) {
		return fmt.Errorf("npm install %s@%s left no %s", peerPackage, peerVersion, peerPackage)
	}
	if err := os.Rename(stage, dir); err != nil && !peerInstalled(dir) {
		return err
	}
	return nil
}

// peerProcess is the running Node process.
type peerProcess struct {
	cmd     *exec.Cmd
	stdin   io.Closer
	exited  chan struct{}
	issuer  string
	logPath string
	log     *os.File
}

// startPeer writes the embedded script into dir and runs it with node
// until it prints its ready line; stderr goes to logPath.
func startPeer(dir, logPath, clientID, clientSecret string) (*peerProcess, error) {
	script := filepath.Join(dir, peerScriptName)
	if err := os.WriteFile(script, peerScript, 0o600); err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NODE_ENV=production",
		"PEER_CLIENT_ID="+clientID, "PEER_CLIENT_SECRET="+clientSecret)
	cmd.Stderr = logFile
	// The script exits when its stdin closes: it cannot outlive the bench.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		_ = logFile.Close()
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		_ = logFile.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start node: %w", err)
	}
	p := &peerProcess{cmd: cmd, stdin: stdin, exited: make(chan struct{}), logPath: logPath, log: logFile}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), peerReadyPrefix) {
				ready <- sc.Text()
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout) // Wait needs the pipe drained
		_ = cmd.Wait()
		close(p.exited)
	}()
	timer := time.NewTimer(peerReadyTimeout)
	defer timer.Stop()
	select {
	case line := <-ready:
		if p.issuer, err = parsePeerReady(line); err != nil {
			p.stop()
			return nil, err
		}
		return p, nil
	case <-p.exited:
		p.stop()
		return nil, fmt.Errorf("%s exited before it was ready (%v): %s", peerPackage, cmd.ProcessState, tailFile(logPath, 5))
	case <-timer.C:
		p.stop()
		return nil, fmt.Errorf("%s not ready after %v", peerPackage, peerReadyTimeout)
	}
}

// parsePeerReady reads the issuer from the script's "ready URL" line; only
// a loopback http URL with a port is accepted.
func parsePeerReady(line string) (string, error) {
	raw, ok := strings.CutPrefix(strings.TrimSpace(line), peerReadyPrefix)
	if !ok {
		return "", fmt.Errorf("%s: not a ready line: %q", peerPackage, line)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Path != "" {
		return "", fmt.Errorf("%s: ready line without a loopback URL: %q", peerPackage, line)
	}
	return raw, nil
}

// stop closes the script's stdin and sends SIGTERM, then kills it if it
// has not exited. Safe to call twice.
func (p *peerProcess) stop() {
	_ = p.stdin.Close()
	terminate(p.cmd.Process, p.exited, peerStopTimeout)
	_ = p.log.Close()
}

// verifyPeer checks, before anything is timed, that the peer issues a real
// token (200, a Bearer access_token with a lifetime) and that it checks the
// client's secret: a peer that skipped client authentication would be
// measured doing less work than Foyer.
func verifyPeer(ctx context.Context, t *target) error {
	c := t.httpClient(nil)
	form := url.Values{"grant_type": {"client_credentials"}}.Encode()
	body, err := t.token(ctx, c, form)
	if err != nil {
		return fmt.Errorf("%s: %w", peerPackage, err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" ||
		!strings.EqualFold(tok.TokenType, "bearer") || tok.ExpiresIn <= 0 {
		return fmt.Errorf("%s: not a token response: %s", peerPackage, snippet(body))
	}
	wrong := *t
	wrong.clientSecret = "not-" + t.clientSecret
	_, err = wrong.token(ctx, c, form)
	if err == nil {
		return fmt.Errorf("%s: issued a token for a wrong client secret", peerPackage)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("status %d", http.StatusUnauthorized)) {
		return fmt.Errorf("%s: a wrong client secret: %w", peerPackage, err)
	}
	return nil
}

// printPeer prints Foyer's client-credentials runs (PostgreSQL first)
// beside the peer's, with Foyer's rate as a ratio of the peer's.
func printPeer(w io.Writer, o options, reports []backendReport, p *peerReport) {
	if p == nil {
		return
	}
	fmt.Fprintf(w, "\nclient credentials beside %s@%s, same run, %d conns, %v each:\n", peerPackage, peerVersion, o.conns, o.duration)
	if p.skipped != "" {
		fmt.Fprintf(w, "  skipped: %s\n", p.skipped)
		return
	}
	if p.cc == nil {
		fmt.Fprintf(w, "  %s FAILED: %v\n", peerPackage, p.err)
		printPeerLog(w, p)
		return
	}
	peer := p.cc.rate()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "server\ttokens\trequests\tnon-200\treq/s\tp50\tp99\tfoyer/oidc-provider")
	for _, name := range []string{"postgres", "sqlite"} {
		for _, r := range reports {
			cc := scenarioResult(r.results, "client_credentials")
			if r.name != name || cc == nil {
				continue
			}
			fmt.Fprintf(tw, "foyer %s\tdurable\t%d\t%d\t%.1f\t%s\t%s\t%s\n", name, cc.requests(), cc.errors, cc.rate(),
				ms(cc.percentile(50)), ms(cc.percentile(99)), ratio(cc.rate(), peer))
		}
	}
	fmt.Fprintf(tw, "%s (Node %s, one process)\tin memory\t%d\t%d\t%.1f\t%s\t%s\t\n", peerPackage, p.node,
		p.cc.requests(), p.cc.errors, peer, ms(p.cc.percentile(50)), ms(p.cc.percentile(99)))
	_ = tw.Flush()
	fmt.Fprintf(w, "goal: foyer/oidc-provider >= 1.0 with every token durable; %s resident memory after its run: %s\n",
		peerPackage, mib(p.rssAfterLoad))
	for _, line := range p.cc.errorSummary() {
		fmt.Fprintf(w, "  %s client_credentials error: %s\n", peerPackage, line)
	}
	if p.err != nil {
		fmt.Fprintf(w, "  %s FAILED: %v\n", peerPackage, p.err)
	}
	printPeerLog(w, p)
}

func printPeerLog(w io.Writer, p *peerReport) {
	if p.logTail != "" {
		fmt.Fprintf(w, "\n%s log (last %d lines):\n%s\n", peerPackage, tailLines, p.logTail)
	}
}

// ratio is a/b with three decimals, "n/a" when b is zero.
func ratio(a, b float64) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", a/b)
}

// tailFile returns the last n lines of the file at path.
func tailFile(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
