package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"
	"time"
)

// watched names the processes whose CPU a measured run accounts for
// besides the benchmark's own.
type watched struct {
	server int // pid of the server under test
	// postgres counts every process named postgres as the database's. On
	// SQLite the database runs inside userd, so there is none to count and
	// any PostgreSQL work on the machine is someone else's.
	postgres bool
}

// cpuSample is the CPU time the machine and the watched processes had
// spent at one moment.
type cpuSample struct {
	busy, idle    time.Duration // the whole machine, all its CPUs together
	cpus          int
	bench, server time.Duration // this process (the load generator) and the server
	// database holds each postgres process's time, keyed by pid and start
	// time so that a reused pid is not taken for the same process.
	database map[procID]time.Duration
}

// procID tells processes apart across two samples.
type procID struct {
	pid     int
	started uint64 // clock ticks after boot
}

// cpuUse is how the machine's CPU went during a measured run, per
// successful request.
type cpuUse struct {
	// Bench, Server and Database are the µs of CPU the load generator, the
	// server under test and the PostgreSQL processes spent per request;
	// Other is what the rest of the machine spent (its busy time less those
	// three, at least 0), and Total their sum.
	Bench, Server, Database, Other, Total float64
	// Machine is the µs of CPU time the machine had per request, busy or
	// idle: the window's length times its CPUs.
	Machine float64
	Idle    float64 // percent of the machine's CPU time left idle
	CPUs    int
}

// clockTick is the unit of the CPU times in /proc: 1/USER_HZ seconds, which
// the kernel hands every process in its auxiliary vector as AT_CLKTCK.
// It is 100 Hz on every architecture Go runs on but alpha and ia64.
var clockTick = time.Second / time.Duration(userHZ())

// userHZ reads AT_CLKTCK from /proc/self/auxv, assuming 100 if it cannot.
func userHZ() uint64 {
	const atNull, atClkTck = 0, 17
	b, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return 100
	}
	for ; len(b) >= 16; b = b[16:] {
		key, val := binary.NativeEndian.Uint64(b), binary.NativeEndian.Uint64(b[8:])
		switch {
		case key == atNull:
			return 100
		case key == atClkTck && val > 0:
			return val
		}
	}
	return 100
}

// sampleCPU reads the CPU time spent so far by the machine, this process,
// the server and, when w says so, every postgres process.
func sampleCPU(w watched) (cpuSample, error) {
	var s cpuSample
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, fmt.Errorf("read the machine's CPU time: %w (the benchmark needs Linux /proc)", err)
	}
	if s.busy, s.idle, s.cpus, err = parseMachineStat(b); err != nil {
		return s, err
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return s, fmt.Errorf("read the benchmark's own CPU time: %w", err)
	}
	s.bench = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if b, err = os.ReadFile("/proc/" + strconv.Itoa(w.server) + "/stat"); err != nil {
		return s, fmt.Errorf("read the server's CPU time: %w", err)
	}
	if _, s.server, _, err = parseProcStat(b); err != nil {
		return s, fmt.Errorf("/proc/%d/stat: %w", w.server, err)
	}
	if w.postgres {
		if s.database, err = postgresCPU(); err != nil {
			return s, err
		}
	}
	return s, nil
}

// postgresCPU returns the CPU time of every process named postgres. One
// that exits while it is read is left out.
func postgresCPU() (map[procID]time.Duration, error) {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list the processes for the database's CPU time: %w", err)
	}
	procs := map[procID]time.Duration{}
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue // not a process
		}
		b, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("read the CPU time of process %d: %w", pid, err)
		}
		comm, cpu, started, err := parseProcStat(b)
		if err != nil {
			return nil, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		if comm == "postgres" {
			procs[procID{pid, started}] = cpu
		}
	}
	return procs, nil
}

// parseProcStat reads a /proc/PID/stat line: the command name, the CPU time
// the process spent (utime+stime) and when it started, in clock ticks after
// boot. The name stands in parentheses and may itself hold spaces and
// parentheses, so the fields are counted from the last ')'.
func parseProcStat(b []byte) (comm string, cpu time.Duration, started uint64, err error) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return "", 0, 0, fmt.Errorf("no (command name) in %q", b)
	}
	// After the name: state (field 3), ..., utime (14), stime (15), ...,
	// starttime (22).
	f := bytes.Fields(b[end+1:])
	if len(f) < 20 {
		return "", 0, 0, fmt.Errorf("got %d fields after the command name, want at least 20", len(f))
	}
	var n [3]uint64
	for i, field := range []int{14, 15, 22} {
		if n[i], err = strconv.ParseUint(string(f[field-3]), 10, 64); err != nil {
			return "", 0, 0, fmt.Errorf("field %d: %w", field, err)
		}
	}
	return string(b[open+1 : end]), time.Duration(n[0]+n[1]) * clockTick, n[2], nil
}

// parseMachineStat reads /proc/stat: the busy time (user, nice, system,
// irq, softirq, steal) and the idle time (idle, iowait) of all CPUs
// together, and how many CPUs there are.
func parseMachineStat(b []byte) (busy, idle time.Duration, cpus int, err error) {
	found := false
	for _, line := range bytes.Split(b, []byte("\n")) {
		f := bytes.Fields(line)
		switch {
		case len(f) == 0 || !bytes.HasPrefix(f[0], []byte("cpu")):
		case len(f[0]) > 3:
			cpus++
		case len(f) < 9:
			return 0, 0, 0, fmt.Errorf("/proc/stat: got %d fields on the cpu line, want at least 9", len(f))
		default:
			// user nice system idle iowait irq softirq steal; guest time is
			// counted in user already.
			var t [8]uint64
			for i := range t {
				if t[i], err = strconv.ParseUint(string(f[i+1]), 10, 64); err != nil {
					return 0, 0, 0, fmt.Errorf("/proc/stat cpu line: %w", err)
				}
			}
			busy = time.Duration(t[0]+t[1]+t[2]+t[5]+t[6]+t[7]) * clockTick
			idle = time.Duration(t[3]+t[4]) * clockTick
			found = true
		}
	}
	if !found || cpus == 0 {
		return 0, 0, 0, errors.New("/proc/stat: no cpu lines")
	}
	return busy, idle, cpus, nil
}

// use is the CPU spent from s to end per request, for requests served in
// between. A postgres process counts for what it spent between the two
// samples; one that started in between counts for all it spent, and one
// that exited in between for nothing.
func (s cpuSample) use(end cpuSample, requests int) cpuUse {
	var db time.Duration
	for id, t := range end.database {
		db += t - s.database[id]
	}
	busy, idle := end.busy-s.busy, end.idle-s.idle
	bench, server := end.bench-s.bench, end.server-s.server
	other := max(0, busy-bench-server-db)
	u := cpuUse{CPUs: end.cpus}
	if busy+idle > 0 {
		u.Idle = 100 * float64(idle) / float64(busy+idle)
	}
	if requests > 0 {
		per := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) / float64(requests) }
		u.Bench, u.Server, u.Database, u.Other = per(bench), per(server), per(db), per(other)
		u.Total = per(bench + server + db + other)
		u.Machine = per(busy + idle)
	}
	return u
}
