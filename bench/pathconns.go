package main

import (
	"fmt"
	"strconv"
	"strings"
)

// defaultPathConns runs the console's paths again at 4 connections and
// the SCIM and OneAccess pages of 100 at 8: a console is used by a handful
// of administrators at once, and an identity provider provisioning or an
// application paging through its users runs a few requests at a time, not
// -conns. At 64 connections on a small machine a page's time is mostly its
// wait for a core (p99 is about 64 ÷ the rate), so those rows say how fast
// pages come, and these how long a caller waits below saturation.
const defaultPathConns = "console-users=4,console-search=4,scim-filter-page100=8,tenantv2-list=8"

// parsePathConns parses -path-conns: comma-separated path=N pairs, each
// path one of targets, N at least 1. "" is none.
func parsePathConns(list string, targets []target) (map[string]int, error) {
	out := map[string]int{}
	if list == "" {
		return out, nil
	}
	known := map[string]bool{}
	for _, t := range targets {
		known[t.name] = true
	}
	for _, pair := range strings.Split(list, ",") {
		name, n, ok := strings.Cut(strings.TrimSpace(pair), "=")
		conns, err := strconv.Atoi(n)
		switch {
		case !ok || err != nil || conns < 1:
			return nil, fmt.Errorf("-path-conns: %q is not path=N with N at least 1", pair)
		case !known[name]:
			return nil, fmt.Errorf("-path-conns: unknown path %q", name)
		}
		out[name] = conns
	}
	return out, nil
}

// rowName is the table's name of path run at conns connections: the path
// itself at -conns, path@conns for a -path-conns run.
func rowName(path string, conns, defaultConns int) string {
	if conns == defaultConns {
		return path
	}
	return path + "@" + strconv.Itoa(conns)
}
