package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLogWriterKeepsLinesWhole writes lines from many goroutines, some
// longer than the buffer, and checks each reaches the output exactly once,
// unbroken, by Close.
func TestLogWriterKeepsLinesWhole(t *testing.T) {
	out := &syncBuffer{}
	l := newLogWriter(out)
	long := strings.Repeat("x", 100<<10)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				pad := ""
				if i%100 == 0 {
					pad = long
				}
				fmt.Fprintf(l, "line %d/%d %s\n", g, i, pad)
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	seen := map[string]int{}
	for line := range strings.Lines(out.String()) {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "line" || !strings.HasSuffix(line, "\n") {
			t.Fatalf("broken line %.60q", line)
		}
		var g, i int
		fmt.Sscanf(f[1], "%d/%d", &g, &i)
		if wantLong := i%100 == 0; wantLong != (len(f) == 3 && f[2] == long) {
			t.Fatalf("line %s lost part of its text (%d bytes)", f[1], len(line))
		}
		seen[f[1]]++
	}
	if len(seen) != 8*500 {
		t.Errorf("got %d distinct lines, want %d", len(seen), 8*500)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("line %s written %d times", k, n)
		}
	}
}

// TestLogWriterFlushes checks that a line shows up without Close, once the
// flush interval has passed, and that lines after Close go straight out.
func TestLogWriterFlushes(t *testing.T) {
	out := &syncBuffer{}
	l := newLogWriter(out)
	fmt.Fprintln(l, "first")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "first"); {
		if time.Now().After(deadline) {
			t.Fatal("a buffered line was not written out within 10 s")
		}
		time.Sleep(logFlushInterval / 4)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	fmt.Fprintln(l, "after close")
	if got := out.String(); got != "first\nafter close\n" {
		t.Errorf("got %q, want both lines", got)
	}
}
