package main

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC: serve raises the collector's target unless GOGC is set, and
// then leaves what GOGC asked for alone.
func TestTuneGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })

	if got := tuneGC(func(string) string { return "" }); got != serveGCPercent {
		t.Fatalf("without GOGC: tuneGC = %d, want %d", got, serveGCPercent)
	}
	if now := debug.SetGCPercent(100); now != serveGCPercent {
		t.Fatalf("without GOGC the collector's target is %d, want %d", now, serveGCPercent)
	}
	env := map[string]string{"GOGC": "100"}
	if got := tuneGC(func(k string) string { return env[k] }); got != 100 {
		t.Fatalf("with GOGC=100: tuneGC = %d, want 100", got)
	}
	if now := debug.SetGCPercent(100); now != 100 {
		t.Fatalf("with GOGC=100 the collector's target is %d, want it left at 100", now)
	}
}
