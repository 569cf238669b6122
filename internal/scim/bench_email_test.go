package scim_test

import (
	"fmt"
	"testing"
)

// BenchmarkFilterEmail is a lookup by email (emails eq), which reads the
// index of every email.
func BenchmarkFilterEmail(b *testing.B) {
	benchFilter(b, "", func(i int) string { return fmt.Sprintf(`emails eq "USER%08d@example.com"`, i*7919%benchFilterUsers) })
}

// BenchmarkFilterEmailPage100 is a page of 100 of the 1,000 users an
// email prefix matches, with totalResults.
func BenchmarkFilterEmailPage100(b *testing.B) {
	benchFilter(b, "count=100&", func(i int) string {
		return fmt.Sprintf(`emails.value sw "user%05d"`, i*31%(benchFilterUsers/1000))
	})
}
