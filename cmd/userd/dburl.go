package main

import (
	"fmt"
	"net/url"
	"strings"
)

// dbFormsHelp lists the --db spellings userd accepts, for help and errors.
const dbFormsHelp = `sqlite:PATH (relative to the working directory, or absolute: sqlite:/var/lib/userd/userd.db),
sqlite:///ABSOLUTE/PATH, sqlite://./RELATIVE/PATH, file:PATH (the same as sqlite:PATH),
or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=...]`

// dbTarget is a parsed --db value: a SQLite file or a PostgreSQL URL.
type dbTarget struct {
	sqlitePath  string // set for SQLite
	postgresURL string // set for PostgreSQL
}

// parseDB reads a --db value. A SQLite file is sqlite:PATH or file:PATH,
// PATH taken as written; or, in URL form, sqlite:///ABS/PATH,
// sqlite://localhost/ABS/PATH or sqlite://./REL/PATH (percent-escapes
// decoded). sqlite://NAME is refused: NAME would be a host, and reading it
// as a path (or dropping it, as URL parsers do, which put the file at /)
// would both be guesses.
func parseDB(s string) (dbTarget, error) {
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return dbTarget{postgresURL: s}, nil
	case strings.HasPrefix(lower, "sqlite:"), strings.HasPrefix(lower, "file:"):
	default:
		return dbTarget{}, usageError(fmt.Sprintf("--db %q is not a database URL userd knows: use sqlite:PATH or postgres://USER@HOST:5432/DATABASE (userd migrate -h lists every form)", redactURL(s)))
	}
	scheme, rest, _ := strings.Cut(s, ":")
	path := rest
	if after, ok := strings.CutPrefix(rest, "//"); ok {
		switch {
		case strings.HasPrefix(after, "/"), strings.HasPrefix(after, "./"), strings.HasPrefix(after, "../"):
			path = after
		case strings.HasPrefix(after, "localhost/"):
			path = strings.TrimPrefix(after, "localhost")
		default:
			name, _, _ := strings.Cut(after, "/")
			return dbTarget{}, usageError(fmt.Sprintf("--db %s is ambiguous: in a URL %q is a host name, not a file. "+
				"Write %s:%s for a file in the working directory, %s://./%s to say so explicitly, or %s:///ABSOLUTE/PATH",
				s, name, scheme, after, scheme, after, scheme))
		}
		unescaped, err := url.PathUnescape(path)
		if err != nil {
			return dbTarget{}, usageError(fmt.Sprintf("--db %s: %v; write %s:PATH to give the path as it is", s, err, scheme))
		}
		path = unescaped
	}
	switch {
	case path == "" || path == "/":
		return dbTarget{}, usageError(fmt.Sprintf("--db %s needs a file path, e.g. sqlite:userd.db", s))
	case strings.ContainsAny(path, "?#"):
		return dbTarget{}, usageError(fmt.Sprintf("--db %s: give only the file's path; userd sets SQLite's options itself", s))
	}
	return dbTarget{sqlitePath: path}, nil
}
