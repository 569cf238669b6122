package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// userdBin is the userd binary TestMain builds, so the command-line tests
// run exactly what a user runs.
var userdBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "userd-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "userd tests:", err)
		os.Exit(1)
	}
	userdBin = filepath.Join(dir, "userd")
	// -buildvcs=auto overrides a GOFLAGS=-buildvcs=false, so a build from a
	// git checkout carries its VCS stamp, as a user's go build does.
	build := exec.Command("go", "build", "-buildvcs=auto", "-o", userdBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "userd tests: build userd:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binResult is what one run of the built binary did.
type binResult struct {
	stdout, stderr string
	code           int
}

// runBin runs the built userd with args in dir (the test's working
// directory when ""), with only the USERD_* variables in env and stdin as
// its standard input (a pipe, never a terminal).
func runBin(t *testing.T, dir string, env map[string]string, stdin string, args ...string) binResult {
	t.Helper()
	cmd := exec.Command(userdBin, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := binResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run userd %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// mustRunBin is runBin that fails the test unless userd exits 0.
func mustRunBin(t *testing.T, dir string, env map[string]string, stdin string, args ...string) binResult {
	t.Helper()
	res := runBin(t, dir, env, stdin, args...)
	if res.code != 0 {
		t.Fatalf("userd %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res
}
