package dialecttest_test

import (
	"testing"

	"github.com/userd/userd/internal/dialecttest"
)

// TestOnPostgres runs the cross-dialect tests again on PostgreSQL.
func TestOnPostgres(t *testing.T) {
	dialecttest.OnPostgres(t, TestOpenAPIPutSeenByEveryDialect, TestNativeChangeSeenByEveryDialect)
}
