package postgres

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Describe names the database a connection string (a postgres:// URL or a
// keyword/value DSN) points at, for logs and messages: its engine, host,
// port and database name, as in "postgres://db.internal:5432/userd". It
// never includes the user, the password or any other parameter, so a
// password given in the userinfo, as ?password= or as password=... cannot
// reach a log through it.
func Describe(connString string) string {
	cfg, err := pgconn.ParseConfig(connString)
	if err != nil {
		return "postgres (a connection string that does not parse)"
	}
	if strings.HasPrefix(cfg.Host, "/") {
		return fmt.Sprintf("postgres (socket %s, port %d)/%s", cfg.Host, cfg.Port, cfg.Database)
	}
	return "postgres://" + net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))) + "/" + cfg.Database
}
