package main

import (
	"os/exec"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionLine checks what userd version says for a build with and
// without a VCS stamp.
func TestVersionLine(t *testing.T) {
	stamp := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "739f2eae3069a681cb7111eacc2425abaff7926d"},
			{Key: "vcs.time", Value: "2026-11-23T21:45:29Z"}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "userd (devel) (built without a VCS stamp: build with go build in a git checkout for the commit)"},
		{"go run", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "userd (devel) (built without a VCS stamp: build with go build in a git checkout for the commit)"},
		{"clean checkout", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261123214529-739f2eae3069"}, Settings: stamp("false")},
			"userd v0.0.0-20261123214529-739f2eae3069 (commit 739f2eae3069a681cb7111eacc2425abaff7926d, committed 2026-11-23T21:45:29Z)"},
		{"changed checkout", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261123214529-739f2eae3069+dirty"}, Settings: stamp("true")},
			"userd v0.0.0-20261123214529-739f2eae3069+dirty (commit 739f2eae3069a681cb7111eacc2425abaff7926d with uncommitted changes, committed 2026-11-23T21:45:29Z)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionLine(tt.info); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestVersionBinary checks the built binary reports the VCS stamp the
// toolchain embedded in it, as go version -m reads it.
func TestVersionBinary(t *testing.T) {
	out, err := exec.Command("go", "version", "-m", userdBin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	res := mustRunBin(t, "", nil, "", "version")
	if m := regexp.MustCompile(`vcs\.revision=([0-9a-f]+)`).FindSubmatch(out); m != nil {
		if !strings.Contains(res.stdout, "commit "+string(m[1])) {
			t.Errorf("userd version: got %q, want it to name commit %s", res.stdout, m[1])
		}
		return
	}
	// This checkout gives go build no VCS stamp (a git worktree, or no git):
	// userd must say so rather than print an unknown commit.
	if !strings.Contains(res.stdout, "without a VCS stamp") {
		t.Errorf("userd version of an unstamped build: got %q, want it to say the build has no VCS stamp", res.stdout)
	}
}
