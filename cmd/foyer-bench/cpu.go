package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// userHZ is the unit of the CPU times in /proc/PID/stat: USER_HZ, 100 on
// every Linux the bench runs on (sysconf(_SC_CLK_TCK) needs cgo).
const userHZ = 100

// cpuUse is the CPU time (user + system) of the three parties to a
// scenario, which share this machine's cores: the server, the database
// (every postgres process on the machine; SQLite is inside the server) and
// the load generator (this process).
type cpuUse struct {
	server, database, bench time.Duration
}

func (c cpuUse) total() time.Duration { return c.server + c.database + c.bench }

func (c cpuUse) minus(o cpuUse) cpuUse {
	return cpuUse{server: c.server - o.server, database: c.database - o.database, bench: c.bench - o.bench}
}

// sampleCPU reads the three parties' CPU time so far (Linux only; zero
// elsewhere). A postgres process that exited since the last sample takes
// its time with it, so connections must stay open across a scenario, as
// both the server's pool and the bench's keep-alives do.
func sampleCPU(serverPID int) cpuUse {
	var c cpuUse
	if serverPID > 0 {
		c.server = cpuOf(fmt.Sprintf("/proc/%d/stat", serverPID))
	}
	c.bench = cpuOf("/proc/self/stat")
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		if comm, cpu := commAndCPU(path); comm == "postgres" {
			c.database += cpu
		}
	}
	return c
}

func cpuOf(path string) time.Duration {
	_, cpu := commAndCPU(path)
	return cpu
}

// commAndCPU parses one /proc/PID/stat: the command name (in parentheses,
// possibly with spaces) and utime + stime (fields 14 and 15).
func commAndCPU(path string) (string, time.Duration) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", 0
	}
	s := string(data)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return "", 0
	}
	fields := strings.Fields(s[end+1:]) // from field 3, the state
	if len(fields) < 13 {
		return "", 0
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return "", 0
	}
	return s[open+1 : end], time.Duration(utime+stime) * time.Second / userHZ
}

// printCPU is where each scenario's CPU went, per request (per sign-in for
// password sign-ins): the server, the database, the load generator, and
// how many of the machine's cores the three kept busy together.
func printCPU(w io.Writer, reports []backendReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := false
	for _, r := range reports {
		for _, res := range r.results {
			n := res.requests()
			if res.cpu.total() <= 0 || n == 0 {
				continue
			}
			if !header {
				fmt.Fprintln(w, "\nCPU per iteration (a token, an exchange, a whole sign-in; every postgres process on this machine counts as the database):")
				fmt.Fprintln(tw, "backend\tscenario\tserver\tdatabase\tload generator\ttotal\tcores busy")
				header = true
			}
			per := func(d time.Duration) string { return ms(d / time.Duration(n)) }
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.2f\n", res.backend, res.scenario, per(res.cpu.server),
				per(res.cpu.database), per(res.cpu.bench), per(res.cpu.total()), res.cpu.total().Seconds()/res.elapsed.Seconds())
		}
	}
	_ = tw.Flush()
}
