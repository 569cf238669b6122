package main

import (
	"regexp"
	"testing"
)

// TestVersion checks userd version prints one line naming the version, the
// commit and the build time (unknown in a test binary, which has no VCS
// stamp).
func TestVersion(t *testing.T) {
	out, err := cli(t, noEnv, "", "version")
	if err != nil {
		t.Fatal(err)
	}
	if want := regexp.MustCompile(`^userd \S+ \(commit \S+, built \S+\)\n$`); !want.MatchString(out) {
		t.Errorf("got %q, want it to match %s", out, want)
	}
}
