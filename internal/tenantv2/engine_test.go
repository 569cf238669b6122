package tenantv2_test

import (
	"testing"

	"github.com/userd/userd/internal/dialecttest"
)

// TestOnPostgres runs the golden test again on PostgreSQL: the golden
// files hold what every engine must answer.
func TestOnPostgres(t *testing.T) {
	dialecttest.OnPostgres(t, TestGetUserGolden, TestFamilyReadGolden, TestFamilyWriteGolden, TestChangePasswordVerifyLimited, TestMobileOptional)
}
