package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCommAndCPU(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stat")
	// A command name with a space and a parenthesis, as /proc allows.
	line := "4242 (post gres) S 1 4242 4242 0 -1 4194560 700 0 0 0 250 75 0 0 20 0 1 0 100 0 0\n"
	if err := os.WriteFile(path, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	comm, cpu := commAndCPU(path)
	if comm != "post gres" || cpu != 3250*time.Millisecond {
		t.Fatalf("commAndCPU = %q, %v; want \"post gres\", 3.25s", comm, cpu)
	}
	if comm, cpu := commAndCPU(filepath.Join(dir, "missing")); comm != "" || cpu != 0 {
		t.Fatalf("a missing file: %q, %v", comm, cpu)
	}
}

// TestSampleCPU: this process's CPU time grows with work it does.
func TestSampleCPU(t *testing.T) {
	before := sampleCPU(os.Getpid())
	deadline := time.Now().Add(300 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = x * x
	}
	used := sampleCPU(os.Getpid()).minus(before)
	if used.bench <= 0 || used.server <= 0 {
		t.Fatalf("300 ms of spinning: %+v; want this process's time to grow", used)
	}
}

// TestResidentMemory: this process's anonymous memory is part of its
// resident set and grows with a buffer it touches; an unknown process
// reads as zero.
func TestResidentMemory(t *testing.T) {
	before := anonymousOf(os.Getpid())
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = 1
	}
	resident, anonymous := rssOf(os.Getpid()), anonymousOf(os.Getpid())
	if anonymous < before+32<<20 || anonymous > resident {
		t.Fatalf("after touching 64 MiB: anonymous %d (before %d), resident %d", anonymous, before, resident)
	}
	if got := withAnonymous(96<<20, 48<<20); got != "96.0 MiB (48.0)" {
		t.Fatalf("withAnonymous = %q", got)
	}
	if rssOf(-1) != 0 || anonymousOf(-1) != 0 {
		t.Fatal("a process that does not exist should read as zero")
	}
	_ = buf[len(buf)-1]
}
