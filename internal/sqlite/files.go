package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// privateMode is the mode of the files Open creates. The database holds the
// keys that sign access tokens and cursors, and password hashes: any account
// that can read it can forge an admin token.
const privateMode = 0o600

// ErrLocked is the error Open returns, wrapped, when Options.ServerLock is
// set and another Store already holds the database's lock.
var ErrLocked = errors.New("sqlite: the database is locked by another userd serve")

// prepareFiles refuses a database whose files other accounts may read or
// write, and creates a new database file with privateMode before SQLite
// opens it. SQLite gives the WAL and shared-memory files it creates the
// mode of the database file, so they are private too.
//
// An existing file with a wider mode is refused rather than changed or only
// warned about: a warning scrolls by in a log while the signing key stays
// readable, and changing the mode silently could break an operator's
// deliberate setup (a backup account in the group). The error says the one
// command that fixes it.
func prepareFiles(path string) error {
	if runtime.GOOS == "windows" {
		return nil // no Unix permission bits; access is by ACL
	}
	files := []string{path, path + "-wal", path + "-shm"}
	for _, p := range files {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		if m := fi.Mode().Perm(); m&0o077 != 0 {
			return fmt.Errorf("sqlite: %s has mode %04o: other accounts may read it, and it holds the key that signs access tokens; run chmod 600 %s, and keep its directory closed to them too", p, m, strings.Join(files, " "))
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateMode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w; check that the directory exists and is writable", path, err)
	}
	return f.Close()
}

// lockPath is the lock file beside the database at path.
func lockPath(path string) string { return path + ".lock" }

// serverLock is the lock Options.ServerLock takes: an open lock file with an
// exclusive OS lock on it, which the kernel releases when the file is closed
// or the process ends, however it ends.
type serverLock struct{ f *os.File }

// lockServer takes the exclusive lock beside the database at path, or
// reports who holds it. The holder writes its process id into the file so
// the refusal can name it.
func lockServer(path string) (*serverLock, error) {
	lp := lockPath(path)
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, privateMode)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open the lock file %s: %w", lp, err)
	}
	locked, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sqlite: lock %s: %w", lp, err)
	}
	if !locked {
		holder := "another process"
		if b, err := os.ReadFile(lp); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				holder = "process " + strconv.Itoa(pid)
			}
		}
		f.Close()
		return nil, fmt.Errorf("%w: %s holds %s; one userd serve per SQLite file: stop the other one, or give this one its own --db (several nodes need PostgreSQL)", ErrLocked, holder, lp)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &serverLock{f: f}, nil
}

// release drops the lock; nil is a lock never taken.
func (l *serverLock) release() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}
