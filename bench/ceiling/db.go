package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/directory"
)

// The database yardsticks: each does the least database work any
// directory must do for one of userd's paths, on the same database, with
// the driver alone: the store's own statement, prepared, its rows written
// as JSON by hand, and no authentication, logging or metrics around it.
// What they cannot reach, userd cannot either.

// pageSize is the users of a page of the admin list.
const pageSize = 100

// listLimit is the rows a page of the admin list reads: the page and one
// more, which tells userd whether a next page exists.
const listLimit = pageSize + 1

// yard is the database work of the yardsticks on one engine. Each method
// appends its answer's JSON to b; found is false when a read of one user
// finds none.
type yard interface {
	brief(ctx context.Context, b []byte, id int64) (_ []byte, found bool, err error)
	cards(ctx context.Context, b []byte, ids []int64) ([]byte, error)
	list(ctx context.Context, b []byte, f directory.UserFilter) ([]byte, error)
	// update writes the fields of the bench's openapi-put to one user,
	// durably or with synchronous_commit off; found as in brief.
	update(ctx context.Context, b []byte, id int64, in userUpdate, durable bool) (_ []byte, found bool, err error)
	// patch writes the fields of the bench's admin-patch to one user,
	// as update does.
	patch(ctx context.Context, b []byte, id int64, in userPatch, durable bool) (_ []byte, found bool, err error)
}

// errNoWrites answers the writes on an engine whose yardstick has none.
var errNoWrites = errors.New("this database has no write yardstick; the write yardsticks need PostgreSQL")

// userUpdate is the body of the bench's openapi-put.
type userUpdate struct {
	phone, enterpriseID string
	active              bool
}

// userPatch is the body of the bench's admin-patch: two columns no index
// holds, so PostgreSQL can update the row on its page (a HOT update).
type userPatch struct {
	city  string
	grade int
}

// openYard opens the yardsticks of the database at dbURL, as the bench
// passes it to userd serve: "sqlite:PATH" or a postgres:// URL.
func openYard(ctx context.Context, dbURL string, tenantID int64) (yard, error) {
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		return openSQLiteYard(ctx, path, tenantID)
	}
	return openPostgresYard(ctx, dbURL, tenantID)
}

// dbRoutes mounts the yardsticks of y on mux. The reads by key run as
// userd's stores run their bounded reads: not interrupted when the request
// ends, for the driver would otherwise watch each query's context (on
// SQLite, a goroutine per query) at a cost userd does not pay.
func dbRoutes(mux *http.ServeMux, y yard) {
	mux.HandleFunc("GET /db/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, "the user id must be a number", http.StatusBadRequest)
			return
		}
		b, found, err := y.brief(context.WithoutCancel(r.Context()), make([]byte, 0, 512), id)
		answer(w, b, found, err)
	})
	mux.HandleFunc("GET /db/users", func(w http.ResponseWriter, r *http.Request) {
		ids, err := parseIDs(r.URL.Query().Get("ids"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b, err := y.cards(context.WithoutCancel(r.Context()), make([]byte, 0, 64<<10), ids)
		answer(w, b, true, err)
	})
	mux.HandleFunc("GET /db/list", func(w http.ResponseWriter, r *http.Request) {
		// The filter userd's admin API gives its store for
		// ?limit=100&email=PREFIX (directory.Service.ListUsers).
		f := directory.UserFilter{Email: directory.NormalizeEmail(r.URL.Query().Get("email")), Limit: listLimit}
		b, err := y.list(r.Context(), make([]byte, 0, 256<<10), f)
		answer(w, b, true, err)
	})
	mux.HandleFunc("PUT /db/users/{id}", write(readUpdate, y.update, true))
	mux.HandleFunc("PUT /db/async/users/{id}", write(readUpdate, y.update, false))
	mux.HandleFunc("PATCH /db/users/{id}", write(readPatch, y.patch, true))
	mux.HandleFunc("PATCH /db/async/users/{id}", write(readPatch, y.patch, false))
}

// write is the handler of a write yardstick: it reads the user id from the
// path and the body with read, and writes them with do, durably or not.
func write[T any](read func(*http.Request) (T, error),
	do func(ctx context.Context, b []byte, id int64, in T, durable bool) ([]byte, bool, error), durable bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, "the user id must be a number", http.StatusBadRequest)
			return
		}
		in, err := read(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b, found, err := do(r.Context(), make([]byte, 0, 64), id, in, durable)
		answer(w, b, found, err)
	}
}

// answer writes b, or 404 when not found, or the error.
func answer(w http.ResponseWriter, b []byte, found bool, err error) {
	switch {
	case errors.Is(err, errNoWrites):
		http.Error(w, err.Error(), http.StatusNotImplemented)
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	case !found:
		http.Error(w, "no such user", http.StatusNotFound)
	default:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(append(b, '\n'))
	}
}

// parseIDs reads a comma-separated list of 1 to directory.MaxBatch ids.
func parseIDs(list string) ([]int64, error) {
	ids := make([]int64, 0, 100)
	for s := range strings.SplitSeq(list, ",") {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, errors.New("ids must be a comma-separated list of user ids")
		}
		ids = append(ids, id)
	}
	if len(ids) > directory.MaxBatch {
		return nil, errors.New("too many ids")
	}
	return ids, nil
}

// readUpdate reads the bench's openapi-put body,
// {"phone":"...","enterprise_id":"...","is_active":true}, by hand: its
// strings hold no escapes.
func readUpdate(r *http.Request) (userUpdate, error) {
	var buf [512]byte
	n, err := readAll(r, buf[:])
	if err != nil {
		return userUpdate{}, err
	}
	body := string(buf[:n])
	var in userUpdate
	var ok1, ok2 bool
	in.phone, ok1 = stringField(body, "phone")
	in.enterpriseID, ok2 = stringField(body, "enterprise_id")
	in.active = strings.Contains(body, `"is_active":true`)
	if !ok1 || !ok2 || !in.active && !strings.Contains(body, `"is_active":false`) {
		return userUpdate{}, errors.New(`want a body of {"phone":"...","enterprise_id":"...","is_active":true or false}`)
	}
	return in, nil
}

// readPatch reads the bench's admin-patch body, {"city":"...","grade":N},
// by hand: its string holds no escapes.
func readPatch(r *http.Request) (userPatch, error) {
	var buf [512]byte
	n, err := readAll(r, buf[:])
	if err != nil {
		return userPatch{}, err
	}
	body := string(buf[:n])
	var in userPatch
	city, ok1 := stringField(body, "city")
	_, grade, ok2 := strings.Cut(body, `"grade":`)
	grade, _, _ = strings.Cut(grade, "}")
	in.city = city
	if in.grade, err = strconv.Atoi(grade); !ok1 || !ok2 || err != nil {
		return userPatch{}, errors.New(`want a body of {"city":"...","grade":N}`)
	}
	return in, nil
}

// readAll reads the request's body into buf, which it must fit.
func readAll(r *http.Request, buf []byte) (int, error) {
	n := 0
	for {
		m, err := r.Body.Read(buf[n:])
		n += m
		switch {
		case err == io.EOF:
			return n, nil
		case err != nil:
			return 0, fmt.Errorf("read the body: %w", err)
		case n == len(buf):
			return 0, errors.New("the body is too long")
		}
	}
}

// stringField returns the value of the string member name of a flat JSON
// object whose strings hold no escapes.
func stringField(body, name string) (string, bool) {
	_, v, ok := strings.Cut(body, `"`+name+`":"`)
	if !ok {
		return "", false
	}
	v, _, ok = strings.Cut(v, `"`)
	return v, ok
}

// appendString appends s, a column's value as text, as a JSON string. It
// escapes quotes, backslashes and control characters and copies every
// other byte: the database holds UTF-8.
func appendString[T ~string | ~[]byte](b []byte, s T) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// memberNames returns the `"name":` prefix of each column's member.
func memberNames(names []string) [][]byte {
	out := make([][]byte, len(names))
	for i, n := range names {
		out[i] = append(appendString(nil, n), ':')
	}
	return out
}
