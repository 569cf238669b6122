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
// resident size under full load of 53-117 MB rather than 25-51 MB, and of
// some 290 MB rather than 130 MB while passwords are checked without pause
// (each argon2id hash allocates 19 MiB afresh).
const defaultGCPercent = 400

// defaultMemoryLimit is the soft limit on the Go heap for userd serve when
// the environment sets no GOMEMLIMIT. It keeps the larger target from
// multiplying the worst case: list and batch answers in flight may hold
// some 500 MB (--max-heavy-read-items), which at a target of 400 alone
// could let the heap reach 2.5 GB before a collection. Near the limit the
// collector runs as often as it must to stay under it.
const defaultMemoryLimit = 1 << 30

// setGCDefaults applies defaultGCPercent and defaultMemoryLimit where GOGC
// and GOMEMLIMIT are unset, and returns the target and the limit in force,
// for the start-up log. An operator's GOGC (a number, or off) and
// GOMEMLIMIT keep their meaning; see docs/operations.md.
func setGCDefaults(getenv env) (gogc, memLimit string) {
	gogc, memLimit = getenv("GOGC"), getenv("GOMEMLIMIT")
	if gogc == "" {
		debug.SetGCPercent(defaultGCPercent)
		gogc = strconv.Itoa(defaultGCPercent)
	}
	if memLimit == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
		memLimit = strconv.Itoa(defaultMemoryLimit>>20) + "MiB"
	}
	return gogc, memLimit
}
