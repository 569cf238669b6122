package userinfov1_test

import (
	"testing"

	"github.com/userd/userd/internal/dialecttest"
)

// TestOnPostgres runs the golden test again on PostgreSQL, whose answers
// must be the same bytes.
func TestOnPostgres(t *testing.T) { dialecttest.OnPostgres(t, TestUserInfoGolden) }
