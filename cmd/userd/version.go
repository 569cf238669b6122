package main

import (
	"fmt"
	"runtime/debug"
)

// runVersion prints the module version and the VCS revision and time the
// binary was built from, as recorded by the Go toolchain.
func runVersion(std streams) error {
	version, revision, built := buildInfo()
	_, err := fmt.Fprintf(std.stdout, "userd %s (commit %s, built %s)\n", version, revision, built)
	return err
}

// buildInfo returns the module version and the VCS revision and time the
// binary was built from, "(devel)" and "unknown" where they are not known.
func buildInfo() (version, revision, built string) {
	version, revision, built = "(devel)", "unknown", "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				built = s.Value
			}
		}
	}
	return version, revision, built
}
