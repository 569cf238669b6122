package postgres

import "github.com/userd/userd/internal/directory"

// anyEmail compiles a QueryAnyEmail to a sub-query on user_emails e, the
// table the triggers of migration 00009 keep. An equality or prefix on
// the value reads the matching emails from user_emails_value_idx (the
// prefix as a byte-wise range, as on users_email_prefix_idx) once, and
// their users by id: written as = ANY (ARRAY(...)), since an IN that the
// planner may turn into a join was, on tables without statistics yet, a
// walk of every user of the tenant probing the index for each. Any other
// condition (a type, a substring) is tested on the emails of each user
// the statement reads, by the table's key, as a substring of username is
// tested on each user read.
func (c *userQueryCompiler) anyEmail(q directory.UserQuery) {
	if q.EmailIndexed() {
		c.b.WriteString(`u.id = ANY (ARRAY(SELECT e.user_id FROM user_emails e WHERE e.tenant_id = $1 AND `)
		c.compile(q.Args[0])
		c.b.WriteString(`))`)
		return
	}
	c.b.WriteString(`EXISTS (SELECT 1 FROM user_emails e WHERE e.user_id = u.id AND `)
	c.compile(q.Args[0])
	c.b.WriteString(`)`)
}
