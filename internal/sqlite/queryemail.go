package sqlite

import (
	"strings"

	"github.com/userd/userd/internal/directory"
)

// compileAnyEmail compiles a QueryAnyEmail to a sub-query on user_emails
// e, the table the triggers of migration 00008 keep. An equality or
// prefix on the value reads the matching emails from user_emails_value
// and their users by id; any other condition (a type, a substring) is
// tested on the emails of each user the statement reads, by the table's
// key, as a substring of username is tested on each user read.
func compileAnyEmail(b *strings.Builder, q directory.UserQuery, args []any) []any {
	if q.EmailIndexed() {
		// The first parameter is always the tenant's id.
		b.WriteString(`id IN (SELECT e.user_id FROM user_emails e WHERE e.tenant_id = ? AND `)
		args = append(args, args[0])
	} else {
		b.WriteString(`EXISTS (SELECT 1 FROM user_emails e WHERE e.user_id = users.id AND `)
	}
	args = compileUserQuery(b, q.Args[0], args)
	b.WriteString(`)`)
	return args
}
