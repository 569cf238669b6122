package tenantv2

import (
	"strconv"
	"testing"

	"github.com/userd/userd/internal/directory"
)

func FuzzParseUserID(f *testing.F) {
	for _, s := range []string{"1", "42", "007", "0", "-1", "+1", "1e3", "0x10", "9007199254740991", "9007199254740992", "18446744073709551616", "", " 1", "20220413165737132-3BA0-91FCA2CB7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parseUserID(s)
		if err != nil {
			if k := directory.KindOf(err); k != directory.Invalid {
				t.Fatalf("parseUserID(%q) error kind %v, want invalid", s, k)
			}
			return
		}
		if id < 1 || id > directory.MaxSafeID {
			t.Fatalf("parseUserID(%q) = %d, outside 1..MaxSafeID", s, id)
		}
		if s != strconv.FormatInt(id, 10) {
			t.Fatalf("parseUserID(%q) = %d, which is not the input's canonical form", s, id)
		}
	})
}
