package sqlite

import (
	"database/sql/driver"
	"strings"

	"modernc.org/sqlite"
)

// init registers userd_lower(text) with the driver, for every connection
// opened after it: the lowercasing of Go's strings.ToLower, which userd
// uses for every _lower column (SQLite's lower() folds ASCII only). The
// triggers of user_emails call it, so a user's other emails are
// lowercased as the primary one (email_lower) is.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("userd_lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		}
		return args[0], nil
	})
}
