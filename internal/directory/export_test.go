package directory

import "time"

// SetClock makes s read the time from now, so tests can move it.
func SetClock(s *Service, now func() time.Time) { s.now = now }
