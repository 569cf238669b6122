package main

import (
	"os"
	"os/exec"
	"path/filepath"
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

// TestVersionStamp builds userd with go build in a fresh git repository
// holding this source tree, as a user's checkout would (the tree the tests
// run in may be a git worktree, which go build does not stamp), and checks
// userd version names the commit, and then the uncommitted change.
func TestVersionStamp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds userd twice")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := exec.Command("git", "-C", root, "ls-files", "-co", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("the source tree is not a git checkout: %v", err)
	}
	repo := t.TempDir()
	for _, f := range strings.Fields(string(files)) {
		data, err := os.ReadFile(filepath.Join(root, f))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(repo, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "test")
	head := git("rev-parse", "HEAD")
	version := func() string {
		t.Helper()
		bin := filepath.Join(t.TempDir(), "userd")
		build := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, "./cmd/userd")
		build.Dir = repo
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		out, err := exec.Command(bin, "version").Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	if got := version(); !strings.Contains(got, "(commit "+head+", committed ") {
		t.Errorf("a build of commit %s: userd version says %q", head, got)
	}
	if err := os.WriteFile(filepath.Join(repo, "README.md"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := version(); !strings.Contains(got, "(commit "+head+" with uncommitted changes, committed ") {
		t.Errorf("a build with uncommitted changes: userd version says %q", got)
	}
}
