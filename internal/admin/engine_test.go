package admin_test

import (
	"testing"

	"github.com/userd/userd/internal/dialecttest"
)

// TestOnPostgres runs the golden tests again on PostgreSQL: the golden
// files hold what every engine must answer.
func TestOnPostgres(t *testing.T) {
	dialecttest.OnPostgres(t, TestGolden, TestUserRoundTrip, TestMergePatchSemantics, TestOtherTenantIsMissing,
		TestCursorPaging, TestCursorPagingByEmail, TestClientsAndTokens, TestSignInGolden, TestAuthenticateUniformFailure, TestAuthenticateLockout)
}
