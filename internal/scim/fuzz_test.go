package scim

import (
	"testing"

	"github.com/userd/userd/internal/scim/filter"
)

// FuzzUserQuery checks that any filter the parser accepts either compiles
// to a directory query or fails with a *filter.Error, never panicking.
func FuzzUserQuery(f *testing.F) {
	for _, s := range []string{
		`userName eq "a"`, `emails[type eq "work" and value co "@x"]`, `not (active eq false) or id eq "7"`,
		`meta.created gt "2011-05-13T04:42:34Z"`, `groups eq "2"`, `externalId eq null`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "1"`,
		`emails.value sw "a" or not (emails[not (primary eq true) and type pr])`, `emails.type eq null`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := filter.Parse(s)
		if err != nil {
			return
		}
		if _, err := userQuery(e); err != nil {
			_, isFilter := err.(*filter.Error)
			_, isSCIM := err.(*scimError)
			if !isFilter && !isSCIM {
				t.Fatalf("userQuery(%q) failed with %T: %v", s, err, err)
			}
		}
	})
}
