package main

import (
	"strings"
)

// replicaFlag defines --db-replica (USERD_DB_REPLICA, comma-separated): a
// PostgreSQL read replica, repeatable. Reads that may see data a little old
// go there; docs/operations.md says which, and how read-your-writes holds
// across nodes.
func (c *commonFlags) replicaFlag() {
	c.flags.Func("db-replica", "`URL` of a PostgreSQL read replica (streaming standby) for reads; repeat for several (USERD_DB_REPLICA: comma-separated)", func(v string) error {
		for _, u := range strings.Split(v, ",") {
			if u = strings.TrimSpace(u); u != "" {
				if _, err := parseDB(u); err != nil || !strings.HasPrefix(strings.ToLower(u), "postgres") {
					return usageError("--db-replica " + redactURL(u) + " is not a postgres:// URL")
				}
				c.replicas = append(c.replicas, u)
			}
		}
		return nil
	})
}
