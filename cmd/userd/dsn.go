package main

import (
	"regexp"
	"strings"

	"github.com/userd/userd/internal/postgres"
)

// redactURL names the database a --db value points at, for logs and
// messages, without any secret: a sqlite: URL as given, a PostgreSQL one
// (URL or keyword/value DSN) by engine, host, port and database name only.
// Any other value, which userd refuses, is shown with whatever looks like a
// password masked, so a mistyped scheme still shows the typo.
func redactURL(db string) string {
	switch {
	case strings.HasPrefix(db, "sqlite:"):
		return db
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"), keywordDSN.MatchString(db):
		return postgres.Describe(db)
	}
	db = userinfoPassword.ReplaceAllString(db, "${1}:xxxxx@")
	return passwordParam.ReplaceAllString(db, "${1}xxxxx")
}

var (
	// keywordDSN matches a keyword/value connection string: host=... dbname=...
	keywordDSN = regexp.MustCompile(`^\s*[a-z_]+\s*=`)
	// userinfoPassword matches the user:password@ of a URL.
	userinfoPassword = regexp.MustCompile(`(://[^/?#@:]*):[^/?#@]*@`)
	// passwordParam matches a password=... parameter, quoted or not.
	passwordParam = regexp.MustCompile(`(?i)(pass(?:word)?\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&;]*)`)
)
