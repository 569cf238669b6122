package main

import (
	"os"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	// A command may name itself anything up to 15 bytes, spaces and
	// parentheses included; fields 14, 15 and 22 are utime, stime and
	// starttime.
	line := "4242 (a) b (c ) d) S 1 4242 4242 0 -1 4194560 1200 0 0 0 30 12 0 0 20 0 9 0 777 1000000 500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	comm, cpu, started, err := parseProcStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if comm != "a) b (c ) d" || cpu != 42*clockTick || started != 777 {
		t.Errorf("got comm %q, cpu %s, started %d; want %q, %s, 777", comm, cpu, started, "a) b (c ) d", 42*clockTick)
	}
	for _, bad := range []string{"4242 a S 1", "4242 (a) S 1 2 3", "4242 (a) S 1 4242 4242 0 -1 4194560 1200 0 0 0 x 12 0 0 20 0 9 0 777 1 2"} {
		if _, _, _, err := parseProcStat([]byte(bad)); err == nil {
			t.Errorf("parseProcStat(%q): got no error, want one", bad)
		}
	}
}

func TestParseMachineStat(t *testing.T) {
	stat := "cpu  100 5 40 300 20 3 2 1 7 0\ncpu0 50 5 20 150 10 3 2 1 7 0\ncpu1 50 0 20 150 10 0 0 0 0 0\nintr 123\nctxt 456\n"
	busy, idle, cpus, err := parseMachineStat([]byte(stat))
	if err != nil {
		t.Fatal(err)
	}
	// busy: user nice system irq softirq steal (guest is inside user);
	// idle: idle iowait.
	if busy != 151*clockTick || idle != 320*clockTick || cpus != 2 {
		t.Errorf("got busy %s, idle %s, %d CPUs; want %s, %s, 2", busy, idle, cpus, 151*clockTick, 320*clockTick)
	}
	if _, _, _, err := parseMachineStat([]byte("intr 1\n")); err == nil {
		t.Error("got no error for a /proc/stat without cpu lines, want one")
	}
}

func TestCPUUse(t *testing.T) {
	ms := time.Millisecond
	start := cpuSample{busy: 1000 * ms, idle: 500 * ms, cpus: 2, bench: 100 * ms, server: 200 * ms,
		database: map[procID]time.Duration{{10, 1}: 50 * ms, {11, 1}: 70 * ms, {12, 5}: 30 * ms}}
	end := cpuSample{busy: 2800 * ms, idle: 700 * ms, cpus: 2, bench: 500 * ms, server: 1000 * ms,
		database: map[procID]time.Duration{
			{10, 1}: 250 * ms, // +200
			// 11 exited: nothing
			{12, 9}: 40 * ms, // pid 12 reused by a new process: all of its 40
			{13, 9}: 60 * ms, // new: all of its 60
		}}
	got := start.use(end, 1000)
	// In 2 s on 2 CPUs: busy 1800 ms, idle 200 ms; bench 400, server 800,
	// database 300, other 300; per request of 1000, in µs.
	want := cpuUse{Bench: 400, Server: 800, Database: 300, Other: 300, Total: 1800, Machine: 2000, Idle: 10, CPUs: 2}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}

	// Ticks counted per process can add up to more than the machine's
	// busy time: other is 0 then, never negative.
	end.busy = start.busy + 1000*ms
	got = start.use(end, 1000)
	if got.Other != 0 || got.Total != 1500 {
		t.Errorf("with the parties over the machine's busy time: got other %v and total %v, want 0 and 1500", got.Other, got.Total)
	}
	if got := start.use(end, 0); got.Total != 0 || got.Idle == 0 {
		t.Errorf("with no requests: got %+v, want no per-request figures but the idle share", got)
	}
}

// TestSampleCPU reads this process's own figures from /proc: time spent
// between two samples shows in the bench's and the server's.
func TestSampleCPU(t *testing.T) {
	w := watched{server: os.Getpid(), postgres: true}
	first, err := sampleCPU(w)
	if err != nil {
		t.Fatal(err)
	}
	for spin := time.Now(); time.Since(spin) < 100*time.Millisecond; {
	}
	second, err := sampleCPU(w)
	if err != nil {
		t.Fatal(err)
	}
	if second.bench <= first.bench || second.server <= first.server || second.busy <= first.busy || first.cpus < 1 {
		t.Errorf("got bench %s then %s, server %s then %s, machine busy %s then %s, %d CPUs; want each to grow, and CPUs",
			first.bench, second.bench, first.server, second.server, first.busy, second.busy, first.cpus)
	}
}
