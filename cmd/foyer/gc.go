package main

import "runtime/debug"

// serveGCPercent is the collector's target (GOGC) for `foyer serve` when
// the environment sets none. A password sign-in allocates 19 MiB for
// argon2id, short-lived and pointer-free: at Go's default of 100 the
// collector ran every few sign-ins and took about 15 % of the server's CPU
// in the password scenario, marking a heap those allocations do not add
// to. At 400 it runs a quarter as often (README "Benchmarks": sign-ins
// +20 %, resident memory after the load 231 → 375 MiB). GOGC, and
// GOMEMLIMIT for a ceiling, are Go's own settings and take precedence.
const serveGCPercent = 400

// tuneGC sets serveGCPercent unless GOGC is set; it returns the percent in
// force afterwards.
func tuneGC(getenv func(string) string) int {
	if getenv("GOGC") != "" {
		percent := debug.SetGCPercent(-1) // read it: Go parsed GOGC at start
		debug.SetGCPercent(percent)
		return percent
	}
	debug.SetGCPercent(serveGCPercent)
	return serveGCPercent
}
