package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// walkthroughPlaceholders is the README walk-through's first line, which
// the reader fills in with the credentials serve printed.
var walkthroughPlaceholders = regexp.MustCompile(`(?m)^CLIENT_ID=udc_\.\.\.\s+CLIENT_SECRET=uds_\.\.\.\s+USERD=http://127\.0\.0\.1:8080$`)

// readmeWalkthrough returns the shell block of the README's "A first
// walk-through" section, and the block after it that shows what a wrong
// secret prints.
func readmeWalkthrough(t *testing.T) (script, wrongSecret string) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## A first walk-through\n")
	if !ok {
		t.Fatal(`README.md has no "## A first walk-through" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, script, ok = strings.Cut(section, "\n```sh\n")
	if !ok {
		t.Fatal("the README walk-through has no ```sh block")
	}
	script, rest, _ := strings.Cut(script, "\n```\n")
	if !walkthroughPlaceholders.MatchString(script) {
		t.Fatalf("the README walk-through does not start with the line %s for the reader to fill in; update this test with the README", walkthroughPlaceholders)
	}
	_, wrongSecret, ok = strings.Cut(rest, "\n```\n")
	if !ok {
		t.Fatal("the README walk-through does not show what a wrong secret prints")
	}
	wrongSecret, _, _ = strings.Cut(wrongSecret, "```")
	return script, wrongSecret
}

// pasteIntoShell runs script as if pasted into a new interactive bash
// with an empty profile, then one more line that proves the shell is
// still there. It returns what the shell printed.
func pasteIntoShell(t *testing.T, script string) (stdout, stderr string) {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the README walk-through needs %s, which is not installed (apt-get install %s)", tool, tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--norc", "--noprofile", "--noediting", "-i")
	cmd.Stdin = strings.NewReader(script + "\necho the shell is still open\n")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C.UTF-8", "PS1=", "PS2="}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("bash: %v\nstdout:\n%s\nstderr:\n%s", err, &out, &errOut)
	}
	if !strings.HasSuffix(out.String(), "the shell is still open\n") {
		t.Fatalf("the walk-through closed the shell it was pasted into; stdout:\n%s\nstderr:\n%s", &out, &errOut)
	}
	return strings.TrimSuffix(out.String(), "the shell is still open\n"), errOut.String()
}

// TestReadmeWalkthrough pastes the README's walk-through into bash against
// a real server on a random port: with the printed credentials every step
// succeeds and prints what the README says; with a wrong secret it stops
// at step 1 and prints exactly what the README shows.
func TestReadmeWalkthrough(t *testing.T) {
	script, wrongSecret := readmeWalkthrough(t)
	s := startServer(t, "sqlite:"+filepath.Join(t.TempDir(), "userd.db"))
	creds := printedCredentials(t, s)
	fill := func(secret string) string {
		return walkthroughPlaceholders.ReplaceAllLiteralString(script,
			"CLIENT_ID="+creds["client_id"]+"   CLIENT_SECRET="+secret+"   USERD="+s.base)
	}

	t.Run("wrong secret", func(t *testing.T) {
		stdout, stderr := pasteIntoShell(t, fill("uds_wrong"))
		if got := stdout + shellMessages(stderr); !sameOutput(got, wrongSecret) {
			t.Errorf("got output\n%s\nwant, as the README shows,\n%s", got, wrongSecret)
		}
	})

	t.Run("printed credentials", func(t *testing.T) {
		stdout, stderr := pasteIntoShell(t, fill(creds["client_secret"]))
		if msg := shellMessages(stderr); msg != "" {
			t.Errorf("a step failed:\n%s", msg)
		}
		isUser := func(line string) bool { return strings.HasPrefix(line, "{") && strings.Contains(line, `"ada`) }
		want := []struct {
			what string
			ok   func(string) bool
		}{
			{"step 1's heading", func(l string) bool { return strings.HasPrefix(l, "1. ") }},
			{"step 2's heading", func(l string) bool { return strings.HasPrefix(l, "2. ") }},
			{"the created user", isUser},
			{"step 3's heading", func(l string) bool { return strings.HasPrefix(l, "3. ") }},
			{"the admin API's user", isUser},
			{"openapi v1's user", isUser},
			{"tenant v2's user", isUser},
			{"user-info v1's user", isUser},
			{"step 4's heading", func(l string) bool { return strings.HasPrefix(l, "4. ") }},
			{"the changed user", func(l string) bool { return strings.Contains(l, `"phone":"5550100"`) }},
			{`"5550100"`, func(l string) bool { return l == `"5550100"` }},
		}
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		if len(lines) != len(want) {
			t.Fatalf("got %d lines of output, want %d; stdout:\n%s", len(lines), len(want), stdout)
		}
		for i, w := range want {
			if !w.ok(lines[i]) {
				t.Errorf("line %d: got %q, want %s", i+1, lines[i], w.what)
			}
		}
	})
}

// shellMessages returns the lines of an interactive bash's stderr other
// than bash's own notices about job control and its "exit" at the end of
// input.
func shellMessages(stderr string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(stderr, "\n") {
		if line == "" || strings.HasPrefix(line, "bash: ") || line == "exit\n" {
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

// sameOutput reports whether got is the output the README shows, want:
// the same lines, except that a JSON object ending a line may have fields
// beyond those shown.
func sameOutput(got, want string) bool {
	gotLines, wantLines := strings.Split(got, "\n"), strings.Split(want, "\n")
	if len(gotLines) != len(wantLines) {
		return false
	}
	for i, w := range wantLines {
		g := gotLines[i]
		wi, gi := strings.Index(w, "{"), strings.Index(g, "{")
		if wi < 0 || gi < 0 {
			if g != w {
				return false
			}
			continue
		}
		var gotObj, wantObj map[string]any
		if g[:gi] != w[:wi] || json.Unmarshal([]byte(g[gi:]), &gotObj) != nil || json.Unmarshal([]byte(w[wi:]), &wantObj) != nil {
			return false
		}
		for k, v := range wantObj {
			if !reflect.DeepEqual(gotObj[k], v) {
				return false
			}
		}
	}
	return true
}
