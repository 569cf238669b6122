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
	"sync"
	"time"
)

// result is one path's row of the table.
type result struct {
	Path        string
	Requests    int     // successful requests in the measured window
	ReqPerSec   float64 // Requests per second of the measured window
	UsersPerSec float64 `json:",omitempty"` // for batch paths: users delivered per second
	P50, P99    time.Duration
	Max         time.Duration
	Errors      int    // failed requests, warm-up included
	FirstError  string `json:",omitempty"`
	Ratio       float64
	// Against names the row Ratio compares with: "" for the ceiling's
	// req/s; a path of argon2id work is compared with the bare hash.
	Against string `json:",omitempty"`
	RSS     int64  // the server's peak VmRSS sampled during the run, bytes
}

// drive loads addr with conns keep-alive connections, each sending t's
// requests one after another, for warmup and then dur. It records the
// latency of every successful request started in the measured window and
// samples the resident memory of process pid.
func drive(ctx context.Context, addr string, t target, conns int, warmup, dur time.Duration, pid int) (result, error) {
	began := time.Now()
	measureFrom := began.Add(warmup)
	end := measureFrom.Add(dur)
	var (
		mu       sync.Mutex
		all      []time.Duration
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
			lats := worker(ctx, addr, t, rand.New(rand.NewPCG(seed, uint64(w))), measureFrom, end, fail)
			mu.Lock()
			all = append(all, lats...)
			mu.Unlock()
		}()
	}
	peak, rssErr := sampleRSS(pid, end)
	wg.Wait()
	if rssErr != nil {
		return result{}, rssErr
	}
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	slices.Sort(all)
	res := result{Path: t.name, Against: t.against, Requests: len(all), Errors: errs, FirstError: firstErr, RSS: peak}
	res.ReqPerSec = float64(len(all)) / dur.Seconds()
	res.UsersPerSec = res.ReqPerSec * float64(t.items)
	res.P50, res.P99 = percentile(all, 0.50), percentile(all, 0.99)
	if len(all) > 0 {
		res.Max = all[len(all)-1]
	}
	return res, nil
}

// worker sends requests over one connection (reconnecting after an error)
// until end and returns the latencies of the successes that started at or
// after measureFrom.
func worker(ctx context.Context, addr string, t target, r *rand.Rand, measureFrom, end time.Time, fail func(error)) []time.Duration {
	var (
		conn net.Conn
		br   *bufio.Reader
		req  []byte
		body bytes.Buffer
		lats = make([]time.Duration, 0, 4096)
	)
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
		status, closing, err := roundTrip(conn, br, req, &body, deadline)
		lat := time.Since(now)
		if err == nil {
			err = t.check(status, body.Bytes())
		} else if errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(end) {
			break
		} else {
			closing = true
		}
		if err != nil {
			fail(err)
		} else if !now.Before(measureFrom) {
			lats = append(lats, lat)
		}
		if closing {
			conn.Close()
			conn = nil
		}
	}
	return lats
}

// roundTrip writes one request and reads its response into body.
func roundTrip(conn net.Conn, br *bufio.Reader, req []byte, body *bytes.Buffer, deadline time.Time) (status int, closing bool, err error) {
	if err := conn.SetDeadline(deadline); err != nil {
		return 0, true, err
	}
	if _, err := conn.Write(req); err != nil {
		return 0, true, fmt.Errorf("write request: %w", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, true, fmt.Errorf("read response: %w", err)
	}
	body.Reset()
	_, err = body.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, true, fmt.Errorf("read response body: %w", err)
	}
	return resp.StatusCode, resp.Close, nil
}

// sampleRSS returns the largest resident set size of pid seen every 100 ms
// until end.
func sampleRSS(pid int, end time.Time) (int64, error) {
	var peak int64
	for {
		n, err := rss(pid)
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
