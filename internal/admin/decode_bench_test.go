package admin

import "testing"

// BenchmarkDecodeUserPatch decodes the bench's admin-patch body, a merge
// patch of a user's city and grade, as PATCH /admin/v1/users/{id} does.
func BenchmarkDecodeUserPatch(b *testing.B) {
	data := []byte(`{"city":"City 123456","grade":42}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeUserPatch(data); err != nil {
			b.Fatal(err)
		}
	}
}
