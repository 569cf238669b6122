package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// runVersion prints the module version and the VCS revision and time the
// binary was built from, as recorded by the Go toolchain.
func runVersion(args []string, getenv env, std streams) error {
	c := newFlags("version", getenv, std)
	if err := c.parse(args); err != nil {
		return err
	}
	if err := c.args(0); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	_, err := fmt.Fprintln(std.stdout, versionLine(info))
	return err
}

// versionLine describes the build info: the module version and, from the
// VCS stamp go build embeds in a binary built in a git checkout, the commit,
// its time and whether the tree had uncommitted changes. A binary without a
// stamp (go run, -buildvcs=false) says so and how to get one.
func versionLine(info *debug.BuildInfo) string {
	version, revision, built, modified := buildInfoOf(info)
	if revision == "" {
		return "userd " + version + " (built without a VCS stamp: build with go build in a git checkout for the commit)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "userd %s (commit %s", version, revision)
	if modified {
		b.WriteString(" with uncommitted changes")
	}
	if built != "" {
		b.WriteString(", committed " + built)
	}
	b.WriteString(")")
	return b.String()
}

// buildInfo returns the module version and the VCS revision and time the
// binary was built from, "(devel)" and "unknown" where they are not known.
func buildInfo() (version, revision, built string) {
	info, _ := debug.ReadBuildInfo()
	version, revision, built, _ = buildInfoOf(info)
	if revision == "" {
		revision = "unknown"
	}
	if built == "" {
		built = "unknown"
	}
	return version, revision, built
}

// buildInfoOf reads info (nil when the binary has none): the main module's
// version, "(devel)" when unknown, and the vcs.revision, vcs.time and
// vcs.modified settings, empty where not stamped.
func buildInfoOf(info *debug.BuildInfo) (version, revision, built string, modified bool) {
	version = "(devel)"
	if info == nil {
		return version, "", "", false
	}
	if info.Main.Version != "" {
		version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			built = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	return version, revision, built, modified
}
