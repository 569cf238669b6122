package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// result is one path's row of the table.
type result struct {
	Path        string
	Conns       int     // concurrent connections of the run
	Requests    int     // successful requests in the measured window
	ReqPerSec   float64 // Requests per second of the measured window
	UsersPerSec float64 `json:",omitempty"` // for batch paths: users delivered per second
	P50, P99    time.Duration
	Max         time.Duration
	// ServerP50 and ServerP99 are the server's own time (its
	// Server-Timing header, which the console writes), for the paths
	// whose answers carry one.
	ServerP50, ServerP99 time.Duration `json:",omitempty"`
	Errors               int           // failed requests, warm-up included
	FirstError           string        `json:",omitempty"`
	Ratio                float64
	// Against names the row Ratio compares with: "" for the ceiling's
	// req/s; a path of argon2id work is compared with the bare hash.
	Against string `json:",omitempty"`
	// AnonRSS is the server's peak anonymous resident memory sampled
	// during the run (RssAnon, see anonRSS), bytes.
	AnonRSS int64
	CPU     cpuUse // where the machine's CPU went in the measured window
}

// drive loads addr with conns keep-alive connections, each sending t's
// requests one after another, for warmup and then dur. It records the
// latency of every successful request started in the measured window,
// counts the failures of those started in it, samples the resident
// memory of the server w names, and accounts for the CPU the machine spent
// in the measured window.
func drive(ctx context.Context, addr string, t target, conns int, warmup, dur time.Duration, w watched) (result, error) {
	began := time.Now()
	measureFrom := began.Add(warmup)
	end := measureFrom.Add(dur)
	var (
		mu       sync.Mutex
		all      []time.Duration
		server   []time.Duration
		errs     int
		firstErr string
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs++
		if firstErr == "" {
			firstErr = err.Error()
		}
	}
	seed := uint64(began.UnixNano())
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lats, srv := worker(ctx, addr, t, rand.New(rand.NewPCG(seed, uint64(w))), measureFrom, end, fail)
			mu.Lock()
			all = append(all, lats...)
			server = append(server, srv...)
			mu.Unlock()
		}()
	}
	peak, cpu, sampleErr := sampleRun(w, measureFrom, end)
	wg.Wait()
	if sampleErr != nil {
		return result{}, sampleErr
	}
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	slices.Sort(all)
	res := result{Path: t.name, Against: t.against, Requests: len(all), Errors: errs, FirstError: firstErr, AnonRSS: peak}
	res.ReqPerSec = float64(len(all)) / dur.Seconds()
	res.UsersPerSec = res.ReqPerSec * float64(t.items)
	res.P50, res.P99 = percentile(all, 0.50), percentile(all, 0.99)
	slices.Sort(server)
	res.ServerP50, res.ServerP99 = percentile(server, 0.50), percentile(server, 0.99)
	if len(all) > 0 {
		res.Max = all[len(all)-1]
	}
	res.CPU = cpu.start.use(cpu.end, len(all))
	return res, nil
}

// window is the CPU spent up to the start and up to the end of a measured
// run.
type window struct{ start, end cpuSample }

// sampleRun samples the server's memory until end, and the CPU time spent
// at measureFrom and at end.
func sampleRun(w watched, measureFrom, end time.Time) (peak int64, cpu window, err error) {
	if peak, err = sampleRSS(w.server, measureFrom); err != nil {
		return 0, cpu, err
	}
	if cpu.start, err = sampleCPU(w); err != nil {
		return 0, cpu, err
	}
	measured, err := sampleRSS(w.server, end)
	if err != nil {
		return 0, cpu, err
	}
	if cpu.end, err = sampleCPU(w); err != nil {
		return 0, cpu, err
	}
	return max(peak, measured), cpu, nil
}

// worker sends requests over one connection (reconnecting after an error)
// until end and returns the latencies of the successes that started at or
// after measureFrom, and the server times those answers reported.
func worker(ctx context.Context, addr string, t target, r *rand.Rand, measureFrom, end time.Time, fail func(error)) (lats, server []time.Duration) {
	var (
		conn net.Conn
		br   *bufio.Reader
		req  []byte
		body bytes.Buffer
	)
	lats = make([]time.Duration, 0, 4096)
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	for ctx.Err() == nil {
		now := time.Now()
		if !now.Before(end) {
			break
		}
		if conn == nil {
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				fail(err)
				time.Sleep(10 * time.Millisecond)
				continue
			}
			conn, br = c, bufio.NewReaderSize(c, 16<<10)
			now = time.Now()
		}
		req = t.request(r, req[:0])
		// A request still in flight when the run ends is abandoned, as wrk
		// does, rather than waited for.
		deadline := now.Add(30 * time.Second)
		if end.Before(deadline) {
			deadline = end
		}
		status, srv, closing, err := roundTrip(conn, br, req, &body, deadline)
		lat := time.Since(now)
		if err == nil {
			err = t.check(status, body.Bytes())
		} else if errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(end) {
			break
		} else {
			closing = true
		}
		measured := !now.Before(measureFrom)
		if err != nil {
			// Refusals during the warm-up are the previous path's: its
			// abandoned requests may still hold the server's bounds.
			if measured {
				fail(err)
			}
		} else if measured {
			lats = append(lats, lat)
			if srv > 0 {
				server = append(server, srv)
			}
		}
		if closing {
			conn.Close()
			conn = nil
		}
	}
	return lats, server
}

// roundTrip writes one request and reads its response into body. server
// is the time the answer's Server-Timing header reports, 0 without one.
func roundTrip(conn net.Conn, br *bufio.Reader, req []byte, body *bytes.Buffer, deadline time.Time) (status int, server time.Duration, closing bool, err error) {
	if err := conn.SetDeadline(deadline); err != nil {
		return 0, 0, true, err
	}
	if _, err := conn.Write(req); err != nil {
		return 0, 0, true, fmt.Errorf("write request: %w", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, 0, true, fmt.Errorf("read response: %w", err)
	}
	body.Reset()
	_, err = body.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, 0, true, fmt.Errorf("read response body: %w", err)
	}
	return resp.StatusCode, serverTime(resp.Header.Get("Server-Timing")), resp.Close, nil
}

// serverTime reads the dur of the first metric of a Server-Timing header
// ("app;dur=1.250" is 1.25 ms); 0 when there is none.
func serverTime(h string) time.Duration {
	metric, _, _ := strings.Cut(h, ",")
	for _, param := range strings.Split(metric, ";")[1:] {
		if v, ok := strings.CutPrefix(strings.TrimSpace(param), "dur="); ok {
			if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms < 1e9 {
				return time.Duration(ms * float64(time.Millisecond))
			}
		}
	}
	return 0
}

// sampleRSS returns the largest anonymous resident size of pid seen every 100 ms
// until end.
func sampleRSS(pid int, end time.Time) (int64, error) {
	var peak int64
	for {
		n, err := anonRSS(pid)
		if err != nil {
			return 0, err
		}
		peak = max(peak, n)
		if !time.Now().Before(end) {
			return peak, nil
		}
		time.Sleep(min(100*time.Millisecond, time.Until(end)+time.Millisecond))
	}
}

// percentile returns the q-quantile (nearest rank) of sorted latencies.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
