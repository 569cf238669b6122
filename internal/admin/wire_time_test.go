package admin

import (
	"testing"
	"time"
)

// checkFormatTime checks formatTime against time.Format, which wrote the
// admin API's times before.
func checkFormatTime(t *testing.T, tm time.Time) {
	t.Helper()
	if got, want := formatTime(tm), tm.UTC().Format(timeFormat); got != want {
		t.Errorf("formatTime(%v): got %q, want %q", tm, got, want)
	}
}

func TestFormatTime(t *testing.T) {
	east := time.FixedZone("east", 5*3600+30*60)
	for _, tm := range []time.Time{
		{},
		time.Unix(0, 0),
		time.Date(2026, 12, 6, 17, 46, 51, 123456789, time.UTC),
		time.Date(2026, 1, 1, 0, 30, 0, 999, east), // the day before in UTC
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 1, 0, 0, 0, 0, time.UTC),
		time.UnixMicro(1<<53 - 1),
	} {
		checkFormatTime(t, tm)
	}
}

func FuzzFormatTime(f *testing.F) {
	f.Add(int64(0), int64(0))
	f.Add(int64(1765043211), int64(123456789))
	f.Add(int64(-62135596800), int64(1))
	f.Add(int64(253402300800), int64(0))
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		checkFormatTime(t, time.Unix(sec, nsec))
	})
}
