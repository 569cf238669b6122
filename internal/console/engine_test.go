package console_test

import (
	"testing"

	"github.com/userd/userd/internal/dialecttest"
)

// TestOnPostgres runs the console's tests that depend on what the store
// keeps (sessions, lockout, versions, the audit log) on PostgreSQL too.
func TestOnPostgres(t *testing.T) {
	dialecttest.OnPostgres(t, TestSignInAndOut, TestSignOutEverywhere, TestLockout, TestForcedPasswordChange,
		TestSetupLink, TestDisabledUserSessionEnds, TestSessionFixation, TestUserEditConflict, TestImportPart, TestAuditFilter, TestOrgMembers)
}
