package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx" for the admin connection
)

const (
	readyMarker  = "foyer is ready"
	readyTimeout = 60 * time.Second
	stopTimeout  = 20 * time.Second
)

// buildFoyer compiles ./cmd/foyer into dir, as `make build` does.
func buildFoyer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "foyer")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/foyer")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/foyer: %w\n%s", err, out)
	}
	return bin, nil
}

// freeLoopbackAddr asks the kernel for an unused port on 127.0.0.1.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// server is one `foyer serve` process at a time over one database; stderr
// and stdout of every run are appended to logPath.
type server struct {
	bin     string
	env     []string
	issuer  string
	logPath string

	cmd    *exec.Cmd
	exited chan struct{}
	log    *os.File
}

func newServer(bin, databaseURL, logPath string) (*server, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, fmt.Errorf("find a free port: %w", err)
	}
	issuer := "http://" + addr
	// A database reused across runs (-reuse-database) needs the secret it
	// was set up with: its signing keys are sealed with it.
	secret := os.Getenv("FOYER_SECRET")
	if secret == "" {
		secret = randomHex(24)
	}
	env := append(os.Environ(),
		"FOYER_ISSUER="+issuer,
		"FOYER_LISTEN="+addr,
		"FOYER_DATABASE_URL="+databaseURL,
		"FOYER_SECRET="+secret,
		"FOYER_BOOTSTRAP_ADMIN_EMAIL=admin@bench.example",
		"FOYER_BOOTSTRAP_ADMIN_PASSWORD="+randomHex(12),
		// The ready line is logged at info; request lines are debug, so
		// info adds nothing on the hot path.
		"FOYER_LOG_LEVEL=info",
		// Every sign-in comes from this one address, far faster than a
		// browser's: the budgets on new interactions would refuse it.
		"FOYER_AUTHORIZE_LIMIT_ADDRESS=1000000",
		"FOYER_AUTHORIZE_LIMIT_GLOBAL=1000000",
		// The size mode times `foyer cleanup` beside the traffic; a
		// server that took the cleanup lease itself during a long seed
		// would do that work unmeasured, in the middle of other figures.
		"FOYER_CLEANUP_INTERVAL=0",
	)
	return &server{bin: bin, env: env, issuer: issuer, logPath: logPath}, nil
}

// start launches `foyer serve` and returns the time from process start to
// the ready line, and the startup_ms the server reported itself.
func (s *server) start() (time.Duration, string, error) {
	f, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, "", err
	}
	s.log = f
	w := &readyWriter{out: f, ready: make(chan string, 1)}
	s.cmd = exec.Command(s.bin, "serve") //nolint:gosec // bin is ours: built here or named with -foyer
	s.cmd.Env = s.env
	s.cmd.Stdout = f
	s.cmd.Stderr = w
	s.exited = make(chan struct{})
	began := time.Now()
	if err := s.cmd.Start(); err != nil {
		_ = f.Close()
		return 0, "", fmt.Errorf("start foyer serve: %w", err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	timer := time.NewTimer(readyTimeout)
	defer timer.Stop()
	select {
	case line := <-w.ready:
		return time.Since(began), logField(line, "startup_ms"), nil
	case <-s.exited:
		return 0, "", fmt.Errorf("foyer serve exited before it was ready (%v)", s.cmd.ProcessState)
	case <-timer.C:
		return 0, "", fmt.Errorf("foyer serve not ready after %v", readyTimeout)
	}
}

// stop sends SIGTERM and waits for the process to drain and exit, killing
// it if it does not. Safe to call when nothing runs.
func (s *server) stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	defer func() {
		_ = s.log.Close()
		s.cmd = nil
	}()
	if !terminate(s.cmd.Process, s.exited, stopTimeout) {
		return fmt.Errorf("foyer serve ignored SIGTERM for %v; killed", stopTimeout)
	}
	if st := s.cmd.ProcessState; st != nil && !st.Success() {
		return fmt.Errorf("foyer serve exited with %v", st)
	}
	return nil
}

// kill ends the server with SIGKILL, as a crash would: no drain, nothing
// flushed or cleaned up.
func (s *server) kill() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	defer func() {
		_ = s.log.Close()
		s.cmd = nil
	}()
	if err := s.cmd.Process.Kill(); err != nil {
		return fmt.Errorf("kill foyer serve: %w", err)
	}
	<-s.exited
	return nil
}

// rss reads the server's resident set size from /proc (Linux only; 0
// elsewhere).
// pid is the running server's process id, 0 when none runs.
func (s *server) pid() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// rss is the server's resident memory and the anonymous part of it.
func (s *server) rss() (resident, anonymous int64) {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0, 0
	}
	return rssOf(s.cmd.Process.Pid), anonymousOf(s.cmd.Process.Pid)
}

// rssOf reads a process's resident set size from /proc (Linux only; 0
// elsewhere).
func rssOf(pid int) int64 { return statusBytes(pid, "VmRSS:") }

// anonymousOf is the part of rssOf that is the process's own memory: the
// rest are pages of files it maps, above all its executable's code and
// read-only data, which the kernel may drop and read again.
func anonymousOf(pid int) int64 { return statusBytes(pid, "RssAnon:") }

// statusBytes reads one kB field of /proc/PID/status; 0 when it cannot.
func statusBytes(pid int, field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// cli runs a foyer sub-command over the same configuration and returns its
// stdout.
func (s *server) cli(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, s.bin, args...) //nolint:gosec // bin is ours: built here or named with -foyer
	cmd.Env = s.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("foyer %s: %w: %s", strings.Join(args[:min(2, len(args))], " "), err,
			strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// tail returns the last n lines the server wrote.
func (s *server) tail(n int) string { return tailFile(s.logPath, n) }

// readyWriter copies the server's stderr to out and reports the first line
// containing readyMarker.
type readyWriter struct {
	out     *os.File
	ready   chan string
	mu      sync.Mutex
	partial []byte
	seen    bool
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.seen {
		w.partial = append(w.partial, p...)
		sc := bufio.NewScanner(bytes.NewReader(w.partial))
		for sc.Scan() {
			if strings.Contains(sc.Text(), readyMarker) {
				w.seen = true
				w.partial = nil
				w.ready <- sc.Text()
				break
			}
		}
		if i := bytes.LastIndexByte(w.partial, '\n'); i >= 0 {
			w.partial = w.partial[i+1:]
		}
	}
	return w.out.Write(p)
}

// logField extracts key=value from a slog text line.
func logField(line, key string) string {
	for f := range strings.FieldsSeq(line) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	return ""
}

// createPostgresDatabase creates foyer_bench_<random> on the server named
// by base and returns its URL and a function that drops it.
func createPostgresDatabase(ctx context.Context, base string) (string, func() error, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("-postgres %q: %w", base, err)
	}
	if host := u.Hostname(); host != "127.0.0.1" && host != "localhost" && host != "::1" {
		return "", nil, fmt.Errorf("-postgres %q: only loopback servers are benchmarked", base)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	name := "foyer_bench_" + randomHex(8)
	// The name is ours (hex), so formatting it into the DDL is safe.
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		_ = admin.Close()
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func() error {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// terminate sends SIGTERM and waits for exited to close; after timeout it
// kills the process and waits for that. It reports whether the process
// ended by itself.
func terminate(p *os.Process, exited <-chan struct{}, timeout time.Duration) bool {
	_ = p.Signal(syscall.SIGTERM)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-exited:
		return true
	case <-timer.C:
		_ = p.Kill()
		<-exited
		return false
	}
}
