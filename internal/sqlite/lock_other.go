//go:build !unix

package sqlite

import "os"

// tryLock is a no-op where flock does not exist: the lock is not enforced.
func tryLock(*os.File) (bool, error) { return true, nil }
