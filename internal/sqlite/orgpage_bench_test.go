package sqlite

import (
	"testing"

	"github.com/userd/userd/internal/directory/directorytest"
)

// BenchmarkOrgPages measures ListOrganizations' pages on a tenant of
// 20,000 orgs in a file in a temporary directory.
func BenchmarkOrgPages(b *testing.B) {
	directorytest.BenchOrgPages(b, openTest(b, Options{}), nil)
}
