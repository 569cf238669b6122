package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
)

// servePprof serves Go's runtime profiles (net/http/pprof: CPU, heap,
// allocations, goroutines, mutex and block) on addr, a listener of its own,
// until stop is called. It is off unless --pprof-addr is set, and addr must
// be a loopback address (checkPprofAddr): a profile shows what the process
// is doing and a heap profile can hold user data, so it is for someone on
// the machine itself (docs/benchmarks.md, "Where a GET's CPU goes",
// profiles a node with it). Collecting a CPU profile costs the process a
// few percent while it runs and nothing otherwise.
func servePprof(addr string, logger *slog.Logger) (stop func(context.Context) error, err error) {
	ln, err := listenTCP(addr, "--pprof-addr", "USERD_PPROF_ADDR")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	// A CPU profile or trace runs for the ?seconds= it is asked for.
	return serveSide(ln, mux, logger, "runtime profiles", "/debug/pprof/"), nil
}

// checkPprofAddr accepts an empty --pprof-addr (off) or a HOST:PORT whose
// host is a loopback IP address or "localhost".
func checkPprofAddr(addr string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err == nil {
		if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	return usageError(fmt.Sprintf("--pprof-addr %q must be a loopback HOST:PORT such as 127.0.0.1:6060: profiles are for someone on this machine", addr))
}
