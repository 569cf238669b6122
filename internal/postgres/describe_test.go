package postgres

import (
	"strings"
	"testing"
)

// TestDescribe checks that every way of giving a password yields the same
// description, engine, host, port and database only, without the password.
func TestDescribe(t *testing.T) {
	const pw = "Pw-s3cret-9"
	tests := []struct{ in, want string }{
		{"postgres://userd:" + pw + "@db.internal:5433/userd?sslmode=verify-full", "postgres://db.internal:5433/userd"},
		{"postgresql://userd@db.internal/userd?password=" + pw + "&pool_max_conns=20", "postgres://db.internal:5432/userd"},
		{"host=db.internal port=5433 user=userd password=" + pw + " dbname=userd sslmode=disable", "postgres://db.internal:5433/userd"},
		{"host=db.internal user=userd password='" + pw + " x' dbname=userd", "postgres://db.internal:5432/userd"},
		{"postgres://userd:" + pw + "@[::1]:5432/userd", "postgres://[::1]:5432/userd"},
		{"postgres://userd:" + pw + "@%2Fvar%2Frun%2Fpostgresql/userd", "postgres (socket /var/run/postgresql, port 5432)/userd"},
		{"postgres://userd:" + pw + "@db.internal:notaport/userd", "postgres (a connection string that does not parse)"},
	}
	for _, tt := range tests {
		got := Describe(tt.in)
		if got != tt.want {
			t.Errorf("Describe(%q): got %q, want %q", tt.in, got, tt.want)
		}
		if strings.Contains(got, pw) {
			t.Errorf("Describe(%q) = %q holds the password", tt.in, got)
		}
	}
}
