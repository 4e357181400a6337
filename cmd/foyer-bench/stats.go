package main

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// maxErrorKinds bounds how many distinct error messages a result keeps, so a
// server failing in a new way on every request cannot grow memory unbounded.
const maxErrorKinds = 20

// result is what one scenario measured.
type result struct {
	backend   string
	scenario  string
	conns     int
	elapsed   time.Duration
	latencies []time.Duration // successful iterations only
	errors    int
	errorKind map[string]int // message -> count
	note      string         // e.g. "ran out of codes"
	// limit is the scenario's ceiling measured right beside it (prober.
	// around), 0 when it was not.
	limit float64
	// cpu is what the server, the database and the bench used during the
	// scenario (cpu.go), zero when not measured.
	cpu cpuUse
}

// recorder collects per-worker samples without contention; merge them once
// the workers are done.
type recorder struct {
	latencies []time.Duration
	errors    int
	errorKind map[string]int
}

func (r *recorder) ok(d time.Duration) { r.latencies = append(r.latencies, d) }

func (r *recorder) fail(err error) {
	r.errors++
	if r.errorKind == nil {
		r.errorKind = map[string]int{}
	}
	msg := err.Error()
	if _, seen := r.errorKind[msg]; seen || len(r.errorKind) < maxErrorKinds {
		r.errorKind[msg]++
	}
}

// merge folds the workers' recorders into res.
func (res *result) merge(recs []*recorder) {
	res.errorKind = map[string]int{}
	for _, r := range recs {
		res.latencies = append(res.latencies, r.latencies...)
		res.errors += r.errors
		for k, v := range r.errorKind {
			res.errorKind[k] += v
		}
	}
	slices.Sort(res.latencies)
}

func (res *result) requests() int { return len(res.latencies) + res.errors }

// rate is successful iterations per second.
func (res *result) rate() float64 {
	if res.elapsed <= 0 {
		return 0
	}
	return float64(len(res.latencies)) / res.elapsed.Seconds()
}

// percentile expects sorted latencies (merge sorts them).
func (res *result) percentile(p float64) time.Duration {
	if len(res.latencies) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(res.latencies)-1))
	return res.latencies[i]
}

// errorSummary lists the distinct error messages, most frequent first.
func (res *result) errorSummary() []string {
	kinds := make([]string, 0, len(res.errorKind))
	for k := range res.errorKind {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return res.errorKind[kinds[i]] > res.errorKind[kinds[j]] })
	out := make([]string, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, fmt.Sprintf("%6d x %s", res.errorKind[k], k))
	}
	return out
}

// ms formats a duration in milliseconds with two decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// mib formats a byte count in MiB.
func mib(b int64) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

// withAnonymous is a resident size with its anonymous part beside it.
func withAnonymous(resident, anonymous int64) string {
	if anonymous <= 0 {
		return mib(resident)
	}
	return fmt.Sprintf("%s (%.1f)", mib(resident), float64(anonymous)/(1<<20))
}
