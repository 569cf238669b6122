package directorytest

import (
	"fmt"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// testOrgByCode checks the exact lookup of an org by code: the whole code
// as stored, never a prefix, a longer code or another tenant's org.
func testOrgByCode(t *testing.T, f *fixture) {
	eng := f.createOrg(t, f.a, "Engineering", "ENG", 0)
	sub := f.createOrg(t, f.a, "Engineering one", "ENG-1", eng.ID)
	f.createOrg(t, f.a, "ENG", "", 0) // a name is not a code
	f.createOrg(t, f.b, "Operations", "OPS", 0)
	for code, want := range map[string]int64{"ENG": eng.ID, "ENG-1": sub.ID} {
		got, err := f.s.OrgByCode(f.ctx, f.a, code)
		if err != nil || got.ID != want || got.Code != code {
			t.Errorf("OrgByCode(%q) = org %d %q, %v; want org %d", code, got.ID, got.Code, err, want)
		}
	}
	for _, code := range []string{"EN", "ENG-", "ENG-12", "OPS", ""} {
		_, err := f.s.OrgByCode(f.ctx, f.a, code)
		checkError(t, fmt.Sprintf("OrgByCode(%q)", code), err, directory.NotFound, "")
	}
}
