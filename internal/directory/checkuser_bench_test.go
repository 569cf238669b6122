package directory

import (
	"context"
	"encoding/json"
	"testing"
)

// BenchmarkCheckUser checks a user of the bench's seed after the bench's
// admin-patch has changed its city and grade: the rules a patch that
// changes no reference costs.
func BenchmarkCheckUser(b *testing.B) {
	s := &Service{}
	stored := User{ID: 7, TenantID: 1, Username: "user00000007", Name: "User 7", Email: "user00000007@bench.example",
		City: "City 12", Grade: 3, Origin: "admin", Extension: map[string]any{"role_id": json.Number("2"), "level_id": json.Number("3")}}
	changed := []string{"city", "grade"}
	b.ReportAllocs()
	for b.Loop() {
		u := stored
		if err := s.checkUser(context.Background(), &u, changed); err != nil {
			b.Fatal(err)
		}
	}
}
