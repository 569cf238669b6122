//go:build unix

package main

import (
	"strconv"
	"testing"

	"github.com/userd/userd/internal/postgres/pgtest"
)

// BenchmarkServePatch measures the bench's admin-patch request, a JSON
// merge patch of one user's city and grade through the admin API, as
// BenchmarkServeGet measures a GET: over loopback keep-alive connections,
// through every middleware, on SQLite and, when USERD_TEST_POSTGRES_URL
// is set, PostgreSQL. Every request is a durable write, so ns/op is
// bounded by the store's commits; cpu-µs/op (this process: server and
// client) is the figure to compare.
func BenchmarkServePatch(b *testing.B) {
	for engine, newDB := range pgtest.Engines() {
		b.Run(engine, func(b *testing.B) {
			srv := startBenchServer(b, newDB(b))
			benchmarkPatches(b, srv)
		})
	}
}

// benchmarkPatches sends PATCH /admin/v1/users/{id} for srv's users in
// turn from benchConns keep-alive connections and reports the CPU time of
// this process per request.
func benchmarkPatches(b *testing.B, srv benchServer) {
	benchmarkRequests(b, srv.addr, "PATCH", func(n int) []byte {
		body := `{"city":"City ` + strconv.Itoa(n) + `","grade":` + strconv.Itoa(n%10) + `}`
		return []byte("PATCH /admin/v1/users/" + strconv.FormatInt(srv.ids[n%len(srv.ids)], 10) + " HTTP/1.1\r\nHost: " + srv.addr +
			"\r\nAuthorization: Bearer " + srv.token + "\r\nContent-Type: application/merge-patch+json\r\nContent-Length: " +
			strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	})
}
