//go:build unix

package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// withUmask runs the test under umask mask, the process-wide default that
// gives new files 0644 on most systems, and restores the previous one.
func withUmask(t *testing.T, mask int) {
	t.Helper()
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// mode returns the permission bits of the file at path.
func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestFilesArePrivate opens a new database under the usual umask 022, writes
// to it, and checks that the database, its WAL and its shared-memory file
// are readable by their owner only: they hold the key that signs access
// tokens.
func TestFilesArePrivate(t *testing.T) {
	withUmask(t, 0o022)
	path := filepath.Join(t.TempDir(), "userd.db")
	s := openTestAt(t, path, Options{})
	if _, err := s.CreateTenant(t.Context(), directory.Tenant{Name: "acme", CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Secret(t.Context(), "k", []byte("0123456789abcdef")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if got := mode(t, p); got != 0o600 {
			t.Errorf("%s: got mode %04o, want 0600", filepath.Base(p), got)
		}
	}
}

// TestOpenRefusesReadableFiles checks that Open refuses a database whose
// file (or WAL, or shared-memory file) other accounts may read, and says
// which chmod fixes it, and that it opens once that was done.
func TestOpenRefusesReadableFiles(t *testing.T) {
	withUmask(t, 0o022)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		t.Run("userd.db"+suffix, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "userd.db")
			s := openTestAt(t, path, Options{})
			if _, err := s.CreateTenant(t.Context(), directory.Tenant{Name: "acme", CreatedAt: time.Now().UTC()}); err != nil {
				t.Fatal(err)
			}
			// Keep the WAL and shared-memory files: close only after the checks.
			if err := os.Chmod(path+suffix, 0o644); err != nil {
				t.Fatal(err)
			}
			s2, err := Open(t.Context(), path, Options{})
			if err == nil {
				s2.Close()
				t.Fatalf("Open of a database with %s at mode 0644: got no error, want a refusal", filepath.Base(path+suffix))
			}
			want := "chmod 600 " + path + " " + path + "-wal " + path + "-shm"
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "0644") {
				t.Errorf("got error %q, want it to name mode 0644 and say %q", err, want)
			}
			if err := os.Chmod(path+suffix, 0o600); err != nil {
				t.Fatal(err)
			}
			s2, err = Open(t.Context(), path, Options{})
			if err != nil {
				t.Fatalf("Open after chmod 600: %v", err)
			}
			s2.Close()
		})
	}
}

// TestServerLock checks that a second store opened with ServerLock on the
// same file is refused with a message naming the lock and the holder's
// process id, even in the same process, that a store without ServerLock (a
// command-line tool) still opens, and that closing the first releases it.
func TestServerLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "userd.db")
	first, err := Open(t.Context(), path, Options{ServerLock: true})
	if err != nil {
		t.Fatal(err)
	}
	second, err := Open(t.Context(), path, Options{ServerLock: true})
	if err == nil {
		second.Close()
		first.Close()
		t.Fatal("second Open with ServerLock: got no error, want a refusal")
	}
	for _, want := range []string{path + ".lock", fmt.Sprintf("process %d", os.Getpid()), "userd serve"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got error %q, want it to contain %q", err, want)
		}
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("got error %v, want one that is ErrLocked", err)
	}
	cli, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatalf("Open without ServerLock while a server holds the lock: %v", err)
	}
	cli.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	third, err := Open(t.Context(), path, Options{ServerLock: true})
	if err != nil {
		t.Fatalf("Open with ServerLock after the holder closed: %v", err)
	}
	third.Close()
}

// TestServerLockReleasedOnKill starts a child process that opens a store
// with ServerLock, kills it with SIGKILL (no cleanup can run), and checks
// that the lock is free at once: the kernel drops it with the process.
func TestServerLockReleasedOnKill(t *testing.T) {
	if os.Getenv("USERD_TEST_HOLD_LOCK") != "" {
		holdLock(os.Getenv("USERD_TEST_HOLD_LOCK"))
		return
	}
	path := filepath.Join(t.TempDir(), "userd.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestServerLockReleasedOnKill$")
	cmd.Env = append(os.Environ(), "USERD_TEST_HOLD_LOCK="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked" {
		cmd.Process.Kill()
		t.Fatalf("child: got %q, %v; want it to report the lock held", buf, err)
	}
	s, err := Open(t.Context(), path, Options{ServerLock: true})
	if err == nil {
		s.Close()
		cmd.Process.Kill()
		t.Fatal("Open while the child holds the lock: got no error, want a refusal")
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("process %d", cmd.Process.Pid)) {
		t.Errorf("got error %q, want it to name the child's process %d", err, cmd.Process.Pid)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	s, err = Open(t.Context(), path, Options{ServerLock: true})
	if err != nil {
		t.Fatalf("Open after the holder was killed: %v", err)
	}
	s.Close()
}

// holdLock is the child of TestServerLockReleasedOnKill: it opens the store
// at path with ServerLock, says so, and waits to be killed.
func holdLock(path string) {
	s, err := Open(context.Background(), path, Options{ServerLock: true})
	if err != nil {
		fmt.Println("failed", err)
		os.Exit(1)
	}
	defer s.Close()
	fmt.Print("locked")
	time.Sleep(time.Minute)
	os.Exit(1)
}
