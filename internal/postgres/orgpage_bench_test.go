package postgres

import (
	"testing"

	"github.com/userd/userd/internal/directory/directorytest"
)

// BenchmarkOrgPages measures ListOrganizations' pages on a tenant of
// 20,000 orgs in a fresh schema; it is skipped unless
// USERD_TEST_POSTGRES_URL is set.
func BenchmarkOrgPages(b *testing.B) {
	directorytest.BenchOrgPages(b, openFresh(b))
}
