package main

import (
	"runtime/debug"
	"strconv"
)

// defaultGCPercent is the garbage collector's target for userd serve when
// the environment sets no GOGC: the heap may grow to five times what is
// live before a collection, rather than Go's default of twice. userd's live
// heap is small (tens of MB), so collections come often under load; at 400
// they cost a quarter as much CPU. Measured with go run ./bench at 1M users
// and 64 connections (docs/benchmarks.md): a GET on SQLite 5-11% more
// requests per second, a durable PATCH on PostgreSQL 7-16% more, for a
// resident size under full load of 55-117 MB rather than 25-50 MB.
const defaultGCPercent = 400

// setGCPercent applies defaultGCPercent unless GOGC is set, and returns the
// target in force, for the start-up log. GOGC (a number, or off) and
// GOMEMLIMIT keep their meaning; see docs/operations.md.
func setGCPercent(getenv env) string {
	if v := getenv("GOGC"); v != "" {
		return v
	}
	debug.SetGCPercent(defaultGCPercent)
	return strconv.Itoa(defaultGCPercent)
}
