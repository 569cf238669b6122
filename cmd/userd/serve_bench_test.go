//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/userd/userd/internal/postgres/pgtest"
)

// BenchmarkServeGet measures a GET of one user through userd serve as
// production runs it: in this process, but over a loopback socket and one
// keep-alive connection, through every middleware, with an access log
// line per request at info (JSON, to a discarded stderr) and an access
// token of the client-credentials grant, on a real store (SQLite, and
// PostgreSQL when USERD_TEST_POSTGRES_URL is set), one path per dialect
// the bench's *-get paths load. ns/op is the round trip and allocs/op
// counts the client's side too (a fixed 8 or so per request: the request
// bytes are written once, the answer read with http.ReadResponse); the
// ceiling sub-benchmark is the same client against a bare net/http server.
func BenchmarkServeGet(b *testing.B) {
	b.Run("ceiling", func(b *testing.B) {
		// A bare net/http server answering a fixed user-sized body, as the
		// bench's ceiling does: what the socket, net/http and this client
		// cost alone.
		body := []byte(`{"id":123456,"tenant_id":1,"username":"user00123455","name":"User 123455","email":"user00123455@bench.example"}` + "\n")
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		})}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		benchmarkGets(b, ln.Addr().String(), "/users/", "", []int64{1})
	})
	for engine, newDB := range pgtest.Engines() {
		b.Run(engine, func(b *testing.B) {
			srv := startBenchServer(b, newDB(b))
			for _, path := range []struct{ name, prefix string }{
				{"openapi", "/openapi/v1/users/"},
				{"admin", "/admin/v1/users/"},
				{"tenantv2", "/api/v2/tenant/users/"},
			} {
				b.Run(path.name, func(b *testing.B) { benchmarkGets(b, srv.addr, path.prefix, srv.token, srv.ids) })
			}
		})
	}
}

// benchmarkGets sends GET prefix+id for the ids in turn to addr, from
// benchConns keep-alive connections at once, and reports besides ns/op
// the CPU time of this process (server and client) per request, which
// waiting for a busy machine's cores does not inflate.
func benchmarkGets(b *testing.B, addr, prefix, token string, ids []int64) {
	requests := make([][]byte, len(ids))
	for i, id := range ids {
		requests[i] = []byte("GET " + prefix + strconv.FormatInt(id, 10) + " HTTP/1.1\r\nHost: " + addr +
			"\r\nAuthorization: Bearer " + token + "\r\n\r\n")
	}
	benchmarkRequests(b, addr, "GET "+prefix, func(i int) []byte { return requests[i%len(requests)] })
}

// benchmarkRequests sends request(i) for i = 0, 1, ... on each of
// benchConns keep-alive connections to addr, wants 200 for each (what
// names them in an error), and reports besides ns/op the CPU time of this
// process (server and client) per request.
func benchmarkRequests(b *testing.B, addr, what string, request func(i int) []byte) {
	b.ReportAllocs()
	b.SetParallelism(benchConns / runtime.GOMAXPROCS(0))
	began := cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer conn.Close()
		rd := bufio.NewReaderSize(conn, 16<<10)
		for i := 0; pb.Next(); i++ {
			if _, err := conn.Write(request(i)); err != nil {
				b.Error(err)
				return
			}
			resp, err := http.ReadResponse(rd, nil)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("%s: status %d", what, resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64((cpuTime(b)-began).Microseconds())/float64(b.N), "cpu-µs/op")
}

// benchConns is how many connections benchmarkGets keeps busy: enough to
// keep both sides' goroutines runnable, as a loaded server's are.
const benchConns = 8

// cpuTime returns the user and system CPU time this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchServer is a userd serve running for a benchmark, with users to read
// and an access token that may read them.
type benchServer struct {
	addr, token string
	ids         []int64
}

// benchUsers is how many users startBenchServer creates: enough that the
// requests are not all for one row, few enough to create in a second.
const benchUsers = 200

// startBenchServer runs userd serve on db at --log-level info, stopped when
// b ends, and creates benchUsers users in its bootstrap tenant.
func startBenchServer(b *testing.B, db string) benchServer {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--db", db, "--log-format", "json", "--log-level", "info"},
			noEnv, strings.NewReader(""), stdout, io.Discard)
	}()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("userd serve: %v", err)
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			b.Fatal("userd serve not ready after 20 s")
		}
	}
	creds := map[string]string{}
	for _, m := range credentialLine.FindAllStringSubmatch(stdout.String(), -1) {
		creds[m[1]] = m[2]
	}
	var grant struct {
		AccessToken string `json:"access_token"`
	}
	benchCall(b, "POST", base+"/oauth/token", "", "application/x-www-form-urlencoded", url.Values{"grant_type": {"client_credentials"},
		"client_id": {creds["client_id"]}, "client_secret": {creds["client_secret"]}}.Encode(), &grant)
	s := benchServer{addr: addr, token: grant.AccessToken}
	for i := range benchUsers {
		var u struct{ ID int64 }
		benchCall(b, "POST", base+"/admin/v1/users", s.token, "application/json", fmt.Sprintf(
			`{"username":"user%05d","name":"User %d","nick_name":"u%d","email":"user%05d@bench.example","phone":"555%07d","enterprise_id":"ent-%d","city":"Springfield","extension":{"level_id":%d}}`,
			i, i, i, i, i, i%10, i%7), &u)
		s.ids = append(s.ids, u.ID)
	}
	return s
}

// benchCall sends a request with an optional bearer token and decodes its
// 2xx JSON answer into out.
func benchCall(b *testing.B, method, url, token, contentType, body string, out any) {
	b.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		b.Fatalf("%s %s: status %d: %s", method, url, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		b.Fatalf("%s %s: %v", method, url, err)
	}
}
