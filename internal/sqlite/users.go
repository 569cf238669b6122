package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/userd/userd/internal/directory"
)

// userKeyedColumns are the written columns an index or foreign key uses
// (besides tenant_id, which a user never changes), in the order
// userValues gives their values.
const userKeyedColumns = `username_lower, name_lower, email_lower, manager_id, external_id`

// userPlainColumns are the other written columns, in the order userValues
// gives their values.
const userPlainColumns = `username, name, nick_name, email, phone, phone_country_code, active, locked,
	must_change_password, password_changed_at, origin, client_ip, enterprise_id, grade, employee_number,
	address, city, province, country, comment, extension, password_hash, created_at, updated_at, ` + userProfileColumns

// userWriteColumns are the columns written from a directory.User, in the
// order userArgs gives their values.
const userWriteColumns = `tenant_id, ` + userKeyedColumns + `, ` + userPlainColumns

const (
	userKeyedPlaceholders = `?, ?, ?, ?, ?`
	userPlainPlaceholders = `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ` + userProfilePlaceholders
	userWritePlaceholders = `?, ` + userKeyedPlaceholders + `, ` + userPlainPlaceholders
)

// userColumns are the columns scanUser reads, from a query on users. The
// last one folds the user's memberships into the same statement, a single
// SELECT and so one snapshot: "position:org_id:is_primary" triples,
// comma-separated, or NULL when there are none. parseOrgs puts them in
// order: an ORDER BY inside group_concat would open a sorter for every
// user read, memberships or not, which cost 40% of a read.
const userColumns = userColumnsBeforeOrgs + `, ` + userOrgsSelect

// userOrgsSelect is the memberships column of userColumns and of the
// narrower views' columns (see viewColumns).
const userOrgsSelect = `
	(SELECT group_concat(m.position || ':' || m.org_id || ':' || m.is_primary, ',')
		FROM memberships m WHERE m.user_id = users.id)`

// userColumnsBeforeOrgs are the columns of userColumns up to the
// memberships: the numbers, then every text of the user as one, as
// userProfileSelect reads the profile's (see userTextSelect).
const userColumnsBeforeOrgs = `id, tenant_id, active, locked, must_change_password, password_changed_at, grade,
	manager_id, created_at, updated_at, version, ` + userTextSelect

// userTextSelect reads the user's texts, userTextCount of them, and then
// external_id and userProfileColumns, as one text, NUL-separated as
// userProfileSelect's. Each column of a row costs modernc.org/sqlite a
// type, a copy into a Go string and an interface of it, under the
// connection's mutex: read as 48 columns rather than 1, the texts took a
// third of the CPU of a page of 100 users. email is the one text here
// that may be NULL, which concat_ws would skip: it reads as "", as an
// absent email does.
const userTextSelect = `
	concat_ws(char(0), username, name, nick_name, ifnull(email, ''), phone, phone_country_code, origin,
		client_ip, enterprise_id, employee_number, address, city, province, country, comment, extension,
		password_hash, ifnull(external_id, ''), ` + userProfileColumns + `)`

// userTextCount is the number of texts userTextSelect reads before the
// profile's.
const userTextCount = 17

const (
	insertUserSQL       = `INSERT INTO users (` + userWriteColumns + `, version) VALUES (` + userWritePlaceholders + `, 1) RETURNING id`
	insertMembershipSQL = `INSERT INTO memberships (tenant_id, user_id, org_id, position, is_primary) VALUES (?, ?, ?, ?, ?)`
)

// userArgs returns the values of userWriteColumns for u.
func userArgs(u *directory.User) ([]any, error) {
	keyed, plain, err := userValues(u)
	if err != nil {
		return nil, err
	}
	return slices.Concat([]any{u.TenantID}, keyed, plain), nil
}

// userValues returns the values of userKeyedColumns and of userPlainColumns
// for u.
func userValues(u *directory.User) (keyed, plain []any, err error) {
	ext := u.Extension
	if ext == nil {
		ext = map[string]any{}
	}
	extJSON, err := json.Marshal(ext)
	if err != nil {
		return nil, nil, directory.Errorf(directory.Invalid, "extension", "must be a JSON object")
	}
	var emailLower any
	if u.Email != "" {
		emailLower = strings.ToLower(u.Email)
	}
	keyed = []any{strings.ToLower(u.Username), strings.ToLower(u.Name), emailLower, nullID(u.ManagerID), nullString(u.ExternalID)}
	plain = []any{
		u.Username, u.Name, u.NickName, nullString(u.Email), u.Phone, u.PhoneCountryCode, u.Active, u.Locked,
		u.MustChangePassword, micros(u.PasswordChangedAt), u.Origin, u.ClientIP, u.EnterpriseID, u.Grade, u.EmployeeNumber,
		u.Address, u.City, u.Province, u.Country, u.Comment, string(extJSON), u.PasswordHash, micros(u.CreatedAt), micros(u.UpdatedAt),
	}
	return keyed, append(plain, profileValues(&u.Profile)...), nil
}

// userColumnCount is the number of columns in userColumns.
const userColumnCount = 13

// rowValues holds a row as the driver returns it (see columns) and the
// destinations Scan fills it through. It is made once per query and reused
// for each of its rows: a fresh pair of arrays cost two allocations a row.
type rowValues struct{ v, dest []any }

func newRowValues(n int) *rowValues {
	r := &rowValues{v: make([]any, n), dest: make([]any, n)}
	for i := range r.v {
		r.dest[i] = &r.v[i]
	}
	return r
}

// scan reads the current row of rows. The strings it holds stay valid
// after the next scan; the values do not.
func (r *rowValues) scan(rows *sql.Rows) (columns, error) {
	err := rows.Scan(r.dest...)
	return columns{v: r.v}, err
}

// scanUser converts a row of userColumns. It takes each column as the
// driver returns it (int64, string or nil) and converts it here:
// database/sql's conversions into *int64, *int and the sql.Null types go
// through reflection and allocate, a large share of a read of
// userColumnCount columns.
func scanUser(c columns) (directory.User, error) {
	u := directory.User{
		ID: c.int(0), TenantID: c.int(1), Active: c.int(2) != 0, Locked: c.int(3) != 0, MustChangePassword: c.int(4) != 0,
		PasswordChangedAt: c.time(5), Grade: int(c.int(6)), ManagerID: c.int(7), CreatedAt: c.time(8), UpdatedAt: c.time(9),
		Version: c.int(10),
	}
	orgs := c.text(12)
	var v [userTextCount + 1 + userProfileCount]string
	err := c.joined(11, v[:])
	if err == nil {
		u.Username, u.Name, u.NickName, u.Email, u.Phone, u.PhoneCountryCode = v[0], v[1], v[2], v[3], v[4], v[5]
		u.Origin, u.ClientIP, u.EnterpriseID, u.EmployeeNumber, u.Address, u.City = v[6], v[7], v[8], v[9], v[10], v[11]
		u.Province, u.Country, u.Comment, u.PasswordHash = v[12], v[13], v[14], v[16]
		err = setProfile(v[userTextCount:], &u.Profile)
	}
	return u, finishUser(&u, err, orgs, &v[15])
}

// finishUser completes u from the texts of its row: the memberships and
// the extension, unless ext is nil (a view without it). err is what
// reading the other columns returned; the user is then left as it is.
func finishUser(u *directory.User, err error, orgs string, ext *string) error {
	if err != nil {
		return fmt.Errorf("sqlite: user %d: %w", u.ID, err)
	}
	if u.Orgs, err = parseOrgs(orgs); err != nil {
		return fmt.Errorf("sqlite: user %d: %w", u.ID, err)
	}
	if ext == nil {
		return nil
	}
	if u.Extension, err = directory.DecodeExtension(*ext); err != nil {
		return fmt.Errorf("sqlite: user %d: decode extension: %w", u.ID, err)
	}
	return nil
}

// columns holds a row as the driver returns it: int64 for INTEGER, string
// for TEXT, nil for NULL. NULL reads as the zero value; a value of another
// type reads as the zero value and sets err.
type columns struct {
	v   []any
	err error
}

func (c *columns) int(i int) int64 {
	n, ok := c.v[i].(int64)
	if !ok {
		c.check(i)
	}
	return n
}

func (c *columns) text(i int) string {
	s, ok := c.v[i].(string)
	if !ok {
		c.check(i)
	}
	return s
}

// joined cuts column i, texts joined by NULs as userTextSelect joins them,
// into v, which must have room for exactly as many. It returns the first
// error of the row's columns read so far, or of the cut.
func (c *columns) joined(i int, v []string) error {
	s := c.text(i)
	if c.err != nil {
		return c.err
	}
	return cutValues(s, v)
}

// time decodes Unix microseconds, as micros stored them.
func (c *columns) time(i int) time.Time {
	if c.v[i] == nil {
		return time.Time{}
	}
	return time.UnixMicro(c.int(i)).UTC()
}

// check records column i, which did not hold the type read, unless it is
// NULL.
func (c *columns) check(i int) {
	if c.v[i] != nil && c.err == nil {
		c.err = fmt.Errorf("column %d holds a %T, which the schema does not allow: was the file changed outside userd?", i, c.v[i])
	}
}

// parseOrgs decodes the memberships column of userColumns, by position.
func parseOrgs(s string) ([]directory.Membership, error) {
	if s == "" {
		return nil, nil
	}
	type ranked struct {
		pos int64
		m   directory.Membership
	}
	rs := make([]ranked, 0, strings.Count(s, ",")+1)
	for triple := range strings.SplitSeq(s, ",") {
		pos, rest, _ := strings.Cut(triple, ":")
		org, primary, _ := strings.Cut(rest, ":")
		p, perr := strconv.ParseInt(pos, 10, 64)
		id, ierr := strconv.ParseInt(org, 10, 64)
		if err := errors.Join(perr, ierr); err != nil {
			return nil, fmt.Errorf("decode memberships %q: %w", s, err)
		}
		rs = append(rs, ranked{p, directory.Membership{OrgID: id, Primary: primary == "1"}})
	}
	slices.SortFunc(rs, func(a, b ranked) int { return cmp.Compare(a.pos, b.pos) })
	orgs := make([]directory.Membership, len(rs))
	for i, r := range rs {
		orgs[i] = r.m
	}
	return orgs, nil
}

// queryUsers runs a query selecting viewColumns(view) on the readers; it
// expects up to n users (it makes room for at most a page's worth in
// advance).
func (s *Store) queryUsers(ctx context.Context, n int, view directory.UserView, extent readExtent, query string, args ...any) ([]directory.User, error) {
	users := make([]directory.User, 0, min(n, directory.MaxPageSize+1))
	count, scan := viewScanner(view)
	row := newRowValues(count)
	err := s.readUsers(ctx, extent, query, args, func(rows *sql.Rows) error {
		c, err := row.scan(rows)
		if err != nil {
			return err
		}
		u, err := scan(c)
		users = append(users, u)
		return err
	})
	return users, err
}

// readExtent is how many rows a read may visit, which decides whether
// its statement stops when its request ends; see readUsers.
type readExtent bool

const (
	// mayScan is a list or a search: any number of rows.
	mayScan readExtent = false
	// bounded is a read of rows found by the primary key or a unique
	// index, at most directory.MaxBatch of them.
	bounded readExtent = true
)

// readUsers runs a query on users on the readers, once the read gate lets
// it in, and calls each for every row. One statement reads a consistent
// snapshot, so it needs no transaction.
//
// The wait for a place at the gate ends with ctx whatever the extent. A
// bounded read then runs its statement to the end even if ctx ends: on a
// context that can end, database/sql starts a goroutine per query to
// watch it and the driver another, with a progress handler to interrupt
// the statement, and these cost a GET of one user more than its own work.
// Not stopping is safe because a bounded read finishes in microseconds
// (a thousand ids in milliseconds), and the one wait inside it,
// busy_timeout on a lock another process holds, has its own bound. A read
// that may scan keeps ctx, so a list nobody waits for any more stops.
func (s *Store) readUsers(ctx context.Context, extent readExtent, query string, args []any, each func(*sql.Rows) error) error {
	if err := s.rg.Enter(ctx); err != nil {
		return storeError(err)
	}
	defer s.rg.Leave()
	if extent == bounded {
		ctx = context.WithoutCancel(ctx)
	}
	rows, err := s.rq.QueryContext(ctx, query, args...)
	if err != nil {
		return storeError(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return storeError(err)
		}
	}
	return storeError(rows.Err())
}

// User returns one user of the tenant with the fields view keeps.
func (s *Store) User(ctx context.Context, tenantID, id int64, view directory.UserView) (directory.User, error) {
	users, err := s.queryUsers(ctx, 1, view, bounded, `SELECT `+viewColumns(view)+` FROM users WHERE tenant_id = ? AND id = ?`, tenantID, id)
	if err != nil {
		return directory.User{}, err
	}
	if len(users) == 0 {
		return directory.User{}, notFound("user")
	}
	return users[0], nil
}

// UserByUsername returns the user of the tenant whose username is
// username ignoring case, from the unique index on username_lower, with
// the fields view keeps.
func (s *Store) UserByUsername(ctx context.Context, tenantID int64, username string, view directory.UserView) (directory.User, error) {
	users, err := s.queryUsers(ctx, 1, view, bounded, `SELECT `+viewColumns(view)+` FROM users WHERE tenant_id = ? AND username_lower = ?`,
		tenantID, strings.ToLower(username))
	if err != nil {
		return directory.User{}, err
	}
	if len(users) == 0 {
		return directory.User{}, notFound("user")
	}
	return users[0], nil
}

// ListUsers returns up to f.Limit users matching f after its position, in
// the order f.Order() names, with the fields f.View keeps.
func (s *Store) ListUsers(ctx context.Context, tenantID int64, f directory.UserFilter) ([]directory.User, error) {
	f, ok, err := s.seekOffset(ctx, tenantID, f)
	if err != nil || !ok {
		return []directory.User{}, err
	}
	query, args := listUsersQuery(viewColumns(f.View), tenantID, f)
	return s.queryUsers(ctx, f.Limit, f.View, mayScan, query, args...)
}

// seekOffset turns f's Offset into the position of the user before it;
// ok is false when the selection has no user at the offset.
func (s *Store) seekOffset(ctx context.Context, tenantID int64, f directory.UserFilter) (directory.UserFilter, bool, error) {
	if f.Offset > 0 {
		after, ok, err := s.userBefore(ctx, tenantID, f.OrgID, f.Offset)
		if err != nil || !ok {
			return f, false, err
		}
		f.AfterID, f.Offset = after, 0
	}
	return f, true, nil
}

// listUsersQuery builds the query of ListUsers, reading columns. Each prefix filter is a
// range on a _lower column. Ordered by email, username or name, the page
// is read from that column's index on (tenant_id, column), whose entries end
// with the rowid (id): the range starts at the page's position, so a page
// costs its own rows whatever the number of users matching the prefix.
// Ordered by id, the (tenant_id, id) index does the same; a q filter is
// then checked on each user in id order until the page is full.
func listUsersQuery(columns string, tenantID int64, f directory.UserFilter) (string, []any) {
	query := `SELECT ` + columns + ` FROM users WHERE tenant_id = ?`
	args := []any{tenantID}
	order := `id`
	switch f.Order() {
	case directory.ByEmail:
		order = `email_lower, id`
		query, args = keyset(query, args, "email_lower", f.Email, f)
	case directory.ByUsername:
		order = `username_lower, id`
		query, args = keyset(query, args, "username_lower", f.Username, f)
	case directory.ByName:
		order = `name_lower, id`
		query, args = keyset(query, args, "name_lower", f.Name, f)
	case directory.ByID:
		if !f.MembersOnly() { // the members' ids start after the position
			query += ` AND id > ?`
			args = append(args, f.AfterID)
		}
	}
	if f.Username != "" && f.Order() != directory.ByUsername {
		lo, hi := prefixRange(f.Username)
		query += ` AND username_lower >= ? AND username_lower < ?`
		args = append(args, lo, hi)
	}
	if f.Name != "" && f.Order() != directory.ByName {
		lo, hi := prefixRange(f.Name)
		query += ` AND name_lower >= ? AND name_lower < ?`
		args = append(args, lo, hi)
	}
	if f.Phone != "" {
		query += ` AND phone = ? AND phone <> ''`
		args = append(args, f.Phone)
	}
	if f.ExternalID != "" {
		// users_external_id holds the pair: its entries end with the id,
		// so the page comes out in id order without a sort.
		query += ` AND external_id = ?`
		args = append(args, f.ExternalID)
	}
	if f.Query != "" {
		lo, hi := prefixRange(f.Query)
		query += ` AND (username_lower >= ? AND username_lower < ?
			OR email_lower >= ? AND email_lower < ?
			OR name_lower >= ? AND name_lower < ?)`
		args = append(args, lo, hi, lo, hi, lo, hi)
	}
	switch {
	case f.MembersOnly():
		// memberships_org's entries end with the primary key, user_id
		// first: the page's members come in id order from the position.
		query += ` AND id IN (SELECT user_id FROM memberships WHERE tenant_id = ? AND org_id = ? AND user_id > ?
			ORDER BY user_id LIMIT ?)`
		args = append(args, tenantID, f.OrgID, f.AfterID, f.Limit)
	case f.OrgID != 0:
		query += ` AND id IN (SELECT user_id FROM memberships WHERE tenant_id = ? AND org_id = ?)`
		args = append(args, tenantID, f.OrgID)
	}
	query += ` ORDER BY ` + order + ` LIMIT ?`
	return query, append(args, f.Limit)
}

// keyset adds to query the users whose column starts with prefix and whose
// (column, id) comes after f's position. The range starts at the later of
// the prefix and the position, so the index seeks straight to the page.
// The zero position ("", 0) comes before every user.
func keyset(query string, args []any, column, prefix string, f directory.UserFilter) (string, []any) {
	lo, hi := prefixRange(prefix)
	after := strings.ToLower(f.AfterKey)
	query += ` AND ` + column + ` >= ? AND ` + column + ` < ? AND (` + column + ` > ? OR id > ?)`
	return query, append(args, max(lo, after), hi, after, f.AfterID)
}

// CreateUser inserts u with version 1, once checks pass on the manager tree.
func (s *Store) CreateUser(ctx context.Context, u directory.User, ev directory.Event, checks ...directory.TreeCheck) (directory.User, error) {
	var created []directory.User
	err := s.write(ctx, func(tx querier) error {
		if err := managerTree(tx, u.TenantID).check(ctx, checks); err != nil {
			return err
		}
		var i int
		var err error
		created, i, err = insertUsers(ctx, tx, []directory.User{u})
		if err != nil {
			return userConflict(ctx, tx, created[i], err)
		}
		ev.ObjectID = strconv.FormatInt(created[0].ID, 10)
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return recordChanges(ctx, tx, directory.Created(ev.Changes, created[0].ID))
	})
	if err != nil {
		return directory.User{}, err
	}
	return created[0], nil
}

// CreateUsers inserts users in one transaction with prepared statements:
// all of them or, on the first error, none. The error is a
// *directory.BatchError naming the index of the user at fault. checks run
// first, on the manager tree.
func (s *Store) CreateUsers(ctx context.Context, users []directory.User, ev directory.Event, checks ...directory.TreeCheck) ([]directory.User, error) {
	if len(users) == 0 {
		return nil, nil
	}
	var created []directory.User
	err := s.write(ctx, func(tx querier) error {
		if err := managerTree(tx, users[0].TenantID).check(ctx, checks); err != nil {
			return err
		}
		var i int
		var err error
		created, i, err = insertUsers(ctx, tx, users)
		if err != nil {
			return &directory.BatchError{Index: i, Err: storeError(userConflict(ctx, tx, created[i], err))}
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		ids := make([]int64, len(created))
		for i, u := range created {
			ids[i] = u.ID
		}
		return recordChanges(ctx, tx, directory.Created(ev.Changes, ids...))
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

// insertUsers inserts users and their memberships. It returns them with ids
// and version set; on error it also returns the index of the user at fault.
func insertUsers(ctx context.Context, tx querier, users []directory.User) ([]directory.User, int, error) {
	out := make([]directory.User, len(users))

	for i, u := range users {
		if u.Extension == nil {
			u.Extension = map[string]any{}
		}
		u.Orgs = append([]directory.Membership(nil), u.Orgs...)
		u.Version = 1
		out[i] = u
		args, err := userArgs(&u)
		if err != nil {
			return out, i, err
		}
		if err := tx.QueryRowContext(ctx, insertUserSQL, args...).Scan(&out[i].ID); err != nil {
			return out, i, err
		}
		for pos, m := range u.Orgs {
			if _, err := tx.ExecContext(ctx, insertMembershipSQL, u.TenantID, out[i].ID, m.OrgID, pos, m.Primary); err != nil {
				return out, i, err
			}
		}
	}
	return out, 0, nil
}

// userConflict names the field behind a constraint error on writing u: it
// asks the database which unique value or reference u collides with rather
// than reading the driver's message. Other errors pass through.
func userConflict(ctx context.Context, q querier, u directory.User, err error) error {
	switch {
	case isUniqueViolation(err):
		taken, qerr := exists(ctx, q, `SELECT 1 FROM users WHERE tenant_id = ? AND username_lower = ? AND id != ?`,
			u.TenantID, strings.ToLower(u.Username), u.ID)
		if qerr != nil {
			return errors.Join(err, qerr)
		}
		if taken {
			return directory.Violation(directory.Taken, "username", err)
		}
		if u.Email != "" {
			taken, qerr = exists(ctx, q, `SELECT 1 FROM users WHERE tenant_id = ? AND email_lower = ? AND id != ?`,
				u.TenantID, strings.ToLower(u.Email), u.ID)
			if qerr != nil {
				return errors.Join(err, qerr)
			}
			if taken {
				return directory.Violation(directory.Taken, "email", err)
			}
		}
	case isForeignKeyViolation(err):
		if u.ManagerID != 0 {
			found, qerr := exists(ctx, q, `SELECT 1 FROM users WHERE tenant_id = ? AND id = ?`, u.TenantID, u.ManagerID)
			if qerr != nil {
				return errors.Join(err, qerr)
			}
			if !found {
				return directory.Violation(directory.Missing, "manager_id", err)
			}
		}
		return directory.Violation(directory.Missing, "orgs", err)
	}
	return err
}

// UpdateUser writes the fields of u that ev.Fields names, and its
// memberships only when it names "orgs", if the stored version is still
// u.Version and checks pass on the manager tree. SQLite rewrites the entry
// of every index on a column an UPDATE sets, changed or not, so writing
// only the changed columns also spares the indexes of the others.
func (s *Store) UpdateUser(ctx context.Context, u directory.User, ev directory.Event, checks ...directory.TreeCheck) (directory.User, error) {
	query, args, err := updateUserQuery(&u, ev.Fields)
	if err != nil {
		return directory.User{}, err
	}
	err = s.write(ctx, func(tx querier) error {
		if err := managerTree(tx, u.TenantID).check(ctx, checks); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return userConflict(ctx, tx, u, err)
		}
		if err := checkUpdated(ctx, tx, res, "user", `SELECT 1 FROM users WHERE tenant_id = ? AND id = ?`, u.TenantID, u.ID); err != nil {
			return err
		}
		if slices.Contains(ev.Fields, "orgs") {
			if err := setMemberships(ctx, tx, u); err != nil {
				return err
			}
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return recordChanges(ctx, tx, directory.Versioned(ev.Changes, u.Version+1))
	})
	if err != nil {
		return directory.User{}, err
	}
	u.Version++
	if u.Extension == nil {
		u.Extension = map[string]any{}
	}
	return u, nil
}

// userFieldColumns names the columns of the user fields (in the
// directory's spelling, as an update names them) that are not stored in
// the one column named like the field. Every other field is: a new field
// needs only its column in userPlainColumns (or userKeyedColumns) and
// userValues. "orgs" is stored in memberships.
var userFieldColumns = map[string][]string{
	"username": {"username", "username_lower"},
	"name":     {"name", "name_lower"},
	"email":    {"email", "email_lower"},
	"password": {"password_hash", "password_changed_at"},
	"orgs":     nil,
	// A sign-in's upgrade of an imported hash names the hash alone.
	"password_hash": {"password_hash"},
}

// userWriteNames returns the names of userKeyedColumns then
// userPlainColumns, in the order of userValues' values.
var userWriteNames = sync.OnceValue(func() []string {
	var names []string
	for _, c := range strings.Split(userKeyedColumns+`, `+userPlainColumns, ",") {
		names = append(names, strings.TrimSpace(c))
	}
	return names
})

// updateUserQuery returns the UPDATE of u's columns that hold fields, its
// updated_at and its version, guarded by u.Version, and its arguments.
// The columns are set in the table's order, so the statements are one per
// set of fields.
func updateUserQuery(u *directory.User, fields []string) (string, []any, error) {
	keyed, plain, err := userValues(u)
	if err != nil {
		return "", nil, err
	}
	values := slices.Concat(keyed, plain)
	set := map[string]bool{"updated_at": true}
	for _, f := range fields {
		cols, ok := userFieldColumns[f]
		if !ok {
			if !slices.Contains(userWriteNames(), f) {
				return "", nil, fmt.Errorf("sqlite: update user: no column stores field %q", f)
			}
			cols = []string{f}
		}
		for _, c := range cols {
			set[c] = true
		}
	}
	var b strings.Builder
	b.WriteString(`UPDATE users SET `)
	args := make([]any, 0, len(set)+3)
	for i, c := range userWriteNames() {
		if set[c] {
			b.WriteString(c + ` = ?, `)
			args = append(args, values[i])
		}
	}
	b.WriteString(`version = version + 1 WHERE tenant_id = ? AND id = ? AND version = ?`)
	return b.String(), append(args, u.TenantID, u.ID, u.Version), nil
}

// setMemberships makes u.Orgs the memberships of u.
func setMemberships(ctx context.Context, tx querier, u directory.User) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE user_id = ?`, u.ID); err != nil {
		return err
	}
	for pos, m := range u.Orgs {
		if _, err := tx.ExecContext(ctx, insertMembershipSQL, u.TenantID, u.ID, m.OrgID, pos, m.Primary); err != nil {
			return userConflict(ctx, tx, u, err)
		}
	}
	return nil
}

// checkUpdated turns an UPDATE guarded by a version that changed no row into
// NotFound for an object of kind what (when existsQuery finds nothing) or
// ErrVersionMismatch.
func checkUpdated(ctx context.Context, q querier, res sql.Result, what, existsQuery string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil || n > 0 {
		return err
	}
	found, err := exists(ctx, q, existsQuery, args...)
	if err != nil {
		return err
	}
	if !found {
		return notFound(what)
	}
	return directory.ErrVersionMismatch
}

// DeleteUser removes the user and its memberships, and clears manager_id of
// the users it managed, bumping their version and stamping them ev.Time.
func (s *Store) DeleteUser(ctx context.Context, tenantID, id, version int64, ev directory.Event) error {
	return s.write(ctx, func(tx querier) error {
		stored, err := checkVersion(ctx, tx, "user", `SELECT version FROM users WHERE tenant_id = ? AND id = ?`, tenantID, id, version)
		if err != nil {
			return err
		}
		cleared, err := queryAll(ctx, tx, func(sc scanner) (directory.Change, error) {
			var id, version int64
			err := sc.Scan(&id, &version)
			return directory.ManagerCleared(ev, id, version), err
		}, `UPDATE users SET manager_id = NULL, version = version + 1, updated_at = ?
			WHERE tenant_id = ? AND manager_id = ? RETURNING id, version`, micros(ev.Time), tenantID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE tenant_id = ? AND user_id = ?`, tenantID, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE tenant_id = ? AND id = ?`, tenantID, id); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return recordChanges(ctx, tx, append(directory.ManagersCleared(cleared), directory.Versioned(ev.Changes, stored+1)...))
	})
}

// checkVersion reads the version of the object of kind what with
// versionQuery and returns it: NotFound when there is none,
// ErrVersionMismatch when want is not 0 and differs.
func checkVersion(ctx context.Context, q querier, what, versionQuery string, tenantID, id, want int64) (int64, error) {
	var got int64
	err := q.QueryRowContext(ctx, versionQuery, tenantID, id).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound(what)
	}
	if err != nil {
		return 0, err
	}
	if want != 0 && got != want {
		return 0, directory.ErrVersionMismatch
	}
	return got, nil
}
