package readafter

import "testing"

func TestLSN(t *testing.T) {
	for _, lsn := range []uint64{0, 1, 0x16B374D848, 1<<64 - 1} {
		got, err := ParseLSN(FormatLSN(lsn))
		if err != nil || got != lsn {
			t.Errorf("ParseLSN(FormatLSN(%d)) = %d, %v", lsn, got, err)
		}
	}
	for _, bad := range []string{"", "/", "1/", "/1", "G/1", "1/1/1", "123456789/1", "-1/1", "+1/1"} {
		if _, err := ParseLSN(bad); err == nil {
			t.Errorf("ParseLSN(%q) succeeded, want an error", bad)
		}
	}
}

// FuzzParseLSN: every position ParseLSN accepts prints back to one it
// reads as the same position.
func FuzzParseLSN(f *testing.F) {
	for _, s := range []string{"0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lsn, err := ParseLSN(s)
		if err != nil {
			return
		}
		again, err := ParseLSN(FormatLSN(lsn))
		if err != nil || again != lsn {
			t.Fatalf("%q: %d, then %d, %v", s, lsn, again, err)
		}
	})
}
