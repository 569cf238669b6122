package scim_test

import (
	"fmt"
	"net/url"
	"testing"
)

// BenchmarkFilterEmail is a lookup by email (emails eq), which reads the
// index of every email.
func BenchmarkFilterEmail(b *testing.B) {
	const n = 20000
	h := benchUsers(b, n)
	benchGet(b, h, func(i int) string {
		return "/scim/v2/Users?filter=" + url.QueryEscape(fmt.Sprintf(`emails eq "USER%08d@example.com"`, i*7919%n))
	})
}

// BenchmarkFilterEmailPage100 is a page of 100 of the 1,000 users an
// email prefix matches, with totalResults.
func BenchmarkFilterEmailPage100(b *testing.B) {
	const n = 20000
	h := benchUsers(b, n)
	benchGet(b, h, func(i int) string {
		return "/scim/v2/Users?count=100&filter=" + url.QueryEscape(fmt.Sprintf(`emails.value sw "user%05d"`, i*31%(n/1000)))
	})
}
