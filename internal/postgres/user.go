package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// userSelect reads users with their memberships in one query; the lateral
// subquery aggregates a user's memberships in the order they were listed.
const userSelect = userFieldsSelect + `, m.org_ids, m.primaries` + userOrgsFrom

// userOrgsFrom is the FROM clause of userSelect and of the narrower
// views' selects (see viewSelect): the lateral subquery aggregates a
// user's memberships in the order they were listed.
const userOrgsFrom = `
FROM users u
CROSS JOIN LATERAL (
	SELECT array_agg(o.org_id ORDER BY o.position) AS org_ids, array_agg(o.is_primary ORDER BY o.position) AS primaries
	FROM user_orgs o WHERE o.user_id = u.id
) m
`

// userFieldsSelect selects the columns of users that userSelect reads,
// in userColumns' order, up to the memberships.
const userFieldsSelect = `SELECT u.id, u.tenant_id, u.username, u.name, u.nick_name, COALESCE(u.email, ''),
	u.phone, u.phone_country_code, u.active, u.locked, u.must_change_password, u.password_changed_at,
	u.origin, u.client_ip, u.enterprise_id, u.grade, u.employee_number, COALESCE(u.manager_id, 0),
	u.address, u.city, u.province, u.country, u.comment, u.extension, u.created_at, u.updated_at,
	u.version, u.password_hash, ` + profileSelect

// userColumnCount is the number of columns userSelect reads.
const userColumnCount = 28 + profileCount + 2

// userColumns are the columns of userSelect (and withoutOrgsSelect) as
// userScanner decodes them.
var userColumns = slices.Concat([]column{int8Column, int8Column, textColumn, textColumn, textColumn,
	textColumn, textColumn, textColumn, boolColumn, boolColumn, boolColumn, timeColumn, textColumn,
	textColumn, textColumn, int4Column, textColumn, int8Column, textColumn, textColumn, textColumn,
	textColumn, textColumn, jsonbColumn, timeColumn, timeColumn, int8Column, textColumn},
	profileColumns[:], membershipColumns)

// membershipColumns are the two arrays of the lateral subquery of
// userOrgsFrom, the org ids and whether each is primary.
var membershipColumns = []column{int8ArrayColumn, boolArrayColumn}

// userScanner decodes the rows of viewSelect(view) from their raw values,
// once checkFields found the first row's columns as it decodes them: pgx's
// Scan planned and converted each of some sixty columns of each row, a
// quarter of the server's CPU in a PATCH.
type userScanner struct {
	view    directory.UserView
	checked bool
	r       rawRow
}

// scan decodes row, which must be a pgx.CollectableRow (the rows of Query,
// or of pgx.AppendRows). NULLs come only where the select may have them:
// password_changed_at, the two contact lists and the memberships.
func (sc *userScanner) scan(row pgx.Row) (directory.User, error) {
	columns := viewColumns(sc.view)
	v, err := checkedValues(row, columns, &sc.checked)
	if err != nil {
		return directory.User{}, err
	}
	r := &sc.r
	r.join(v)
	var u directory.User
	var extension string
	var lists [2]string
	orgs := len(columns) - 2
	switch sc.view {
	case directory.AccountView:
		u = directory.User{ID: r.int8(0), TenantID: r.int8(1), Username: r.text(2), Name: r.text(3),
			NickName: r.text(4), Email: r.text(5), Phone: r.text(6), Active: r.bool(7), Locked: r.bool(8),
			MustChangePassword: r.bool(9), PasswordChangedAt: r.nullTime(10), Grade: int(r.int4(11)),
			EmployeeNumber: r.text(12), ManagerID: r.int8(13), City: r.text(14),
			CreatedAt: r.time(16), UpdatedAt: r.time(17)}
		extension = r.text(15)
		p := &u.Profile
		p.GivenName, p.MiddleName, p.FamilyName, p.UserType = r.text(18), r.text(19), r.text(20), r.text(21)
		p.Gender, p.Birthday, p.IdentityType, p.IdentityNumber = r.text(22), r.text(23), r.text(24), r.text(25)
		p.Area, p.HireDate, p.WorkPlace = r.text(26), r.text(27), r.text(28)
	case directory.ResourceView:
		u = directory.User{ID: r.int8(0), TenantID: r.int8(1), Username: r.text(2), Name: r.text(3),
			NickName: r.text(4), Email: r.text(5), Phone: r.text(6), Active: r.bool(7),
			EmployeeNumber: r.text(8), ManagerID: r.int8(9), Address: r.text(10), City: r.text(11),
			Province: r.text(12), Country: r.text(13), CreatedAt: r.time(14), UpdatedAt: r.time(15),
			Version: r.int8(16)}
		lists = r.profile(&u.Profile, 17)
	default:
		u = directory.User{ID: r.int8(0), TenantID: r.int8(1), Username: r.text(2), Name: r.text(3),
			NickName: r.text(4), Email: r.text(5), Phone: r.text(6), PhoneCountryCode: r.text(7),
			Active: r.bool(8), Locked: r.bool(9), MustChangePassword: r.bool(10),
			PasswordChangedAt: r.nullTime(11), Origin: r.text(12), ClientIP: r.text(13),
			EnterpriseID: r.text(14), Grade: int(r.int4(15)), EmployeeNumber: r.text(16),
			ManagerID: r.int8(17), Address: r.text(18), City: r.text(19), Province: r.text(20),
			Country: r.text(21), Comment: r.text(22), CreatedAt: r.time(24), UpdatedAt: r.time(25),
			Version: r.int8(26), PasswordHash: r.text(27)}
		extension = r.text(23)
		lists = r.profile(&u.Profile, 28)
	}
	orgIDs, primaries := r.int8s(orgs), r.bools(orgs+1)
	if r.err == nil && len(primaries) != len(orgIDs) {
		r.fail(orgs+1, fmt.Sprintf("%d flags for %d memberships", len(primaries), len(orgIDs)))
	}
	if r.err != nil {
		return directory.User{}, fmt.Errorf("user %d: %w", u.ID, r.err)
	}
	if err := decodeProfileLists(&u.Profile, lists); err != nil {
		return directory.User{}, fmt.Errorf("user %d: %w", u.ID, err)
	}
	if sc.view != directory.ResourceView {
		if u.Extension, err = directory.DecodeExtension(extension); err != nil {
			return directory.User{}, fmt.Errorf("user %d: decode extension: %w", u.ID, err)
		}
	}
	// u.Orgs is the zero value's nil: each membership is appended afresh.
	for i, id := range orgIDs {
		u.Orgs = append(u.Orgs, directory.Membership{OrgID: id, Primary: primaries[i]})
	}
	return u, nil
}

// queryUser reads the first row of sql as sc decodes it; NotFound when
// there is none.
func (sc *userScanner) queryUser(ctx context.Context, q querier, sql string, args ...any) (directory.User, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return directory.User{}, err
	}
	defer rows.Close()
	u, err := sc.firstUser(rows)
	if err != nil {
		return directory.User{}, err
	}
	rows.Close()
	return u, rows.Err()
}

// firstUser decodes the first of rows; NotFound when there is none.
func (sc *userScanner) firstUser(rows pgx.Rows) (directory.User, error) {
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return directory.User{}, err
		}
		return directory.User{}, notFound(pgx.ErrNoRows, "user")
	}
	return sc.scan(rows)
}

// readUser reads the user that sql selects by a unique key, as sc decodes
// it, on a server the request of ctx may read from, in one round trip
// with the other point reads waiting for that server (see pointReads).
func (s *Store) readUser(ctx context.Context, sc *userScanner, sql string, args ...any) (directory.User, error) {
	var u directory.User
	err := s.readPoint(ctx, sql, args, func(rows pgx.Rows) (err error) {
		u, err = sc.firstUser(rows)
		return err
	})
	if err != nil {
		return directory.User{}, err
	}
	return u, nil
}

func encodeExtension(ext map[string]any) (string, error) {
	if ext == nil {
		return "{}", nil
	}
	b, err := json.Marshal(ext)
	if err != nil {
		return "", directory.Errorf(directory.Invalid, "extension", "must be a JSON object")
	}
	return string(b), nil
}

// utc returns *t in UTC, or the zero time for NULL.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullTime returns nil (NULL) for the zero time and &t otherwise.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// userRows holds users column by column, the shape insertUsers sends as
// arrays so that a whole batch is one INSERT ... SELECT FROM unnest(...).
type userRows struct {
	tenantID           []int64
	username           []string
	name               []string
	nickName           []string
	email              []string
	phone              []string
	phoneCountryCode   []string
	active             []bool
	locked             []bool
	mustChangePassword []bool
	passwordChangedAt  []*time.Time
	origin             []string
	clientIP           []string
	enterpriseID       []string
	grade              []int64
	employeeNumber     []string
	managerID          []int64
	address            []string
	city               []string
	province           []string
	country            []string
	comment            []string
	extension          []string
	createdAt          []time.Time
	updatedAt          []time.Time
	passwordHash       []string
	profile            [profileCount][]string
}

func (r *userRows) add(u *directory.User) error {
	ext, err := encodeExtension(u.Extension)
	if err != nil {
		return err
	}
	r.tenantID = append(r.tenantID, u.TenantID)
	r.username = append(r.username, u.Username)
	r.name = append(r.name, u.Name)
	r.nickName = append(r.nickName, u.NickName)
	r.email = append(r.email, u.Email)
	r.phone = append(r.phone, u.Phone)
	r.phoneCountryCode = append(r.phoneCountryCode, u.PhoneCountryCode)
	r.active = append(r.active, u.Active)
	r.locked = append(r.locked, u.Locked)
	r.mustChangePassword = append(r.mustChangePassword, u.MustChangePassword)
	r.passwordChangedAt = append(r.passwordChangedAt, nullTime(u.PasswordChangedAt))
	r.origin = append(r.origin, u.Origin)
	r.clientIP = append(r.clientIP, u.ClientIP)
	r.enterpriseID = append(r.enterpriseID, u.EnterpriseID)
	r.grade = append(r.grade, int64(u.Grade))
	r.employeeNumber = append(r.employeeNumber, u.EmployeeNumber)
	r.managerID = append(r.managerID, u.ManagerID)
	r.address = append(r.address, u.Address)
	r.city = append(r.city, u.City)
	r.province = append(r.province, u.Province)
	r.country = append(r.country, u.Country)
	r.comment = append(r.comment, u.Comment)
	r.extension = append(r.extension, ext)
	r.createdAt = append(r.createdAt, u.CreatedAt)
	r.updatedAt = append(r.updatedAt, u.UpdatedAt)
	r.passwordHash = append(r.passwordHash, u.PasswordHash)
	for i, v := range profileValues(&u.Profile) {
		r.profile[i] = append(r.profile[i], v)
	}
	return nil
}

const insertUsersSQL = `INSERT INTO users (tenant_id, username, name, nick_name, email, phone,
	phone_country_code, active, locked, must_change_password, password_changed_at, origin, client_ip,
	enterprise_id, grade, employee_number, manager_id, address, city, province, country, comment,
	extension, created_at, updated_at, version, password_hash, ` + profileInsertColumns + `)
SELECT tenant_id, username, name, nick_name, NULLIF(email, ''), phone,
	phone_country_code, active, locked, must_change_password, password_changed_at, origin, client_ip,
	enterprise_id, grade, employee_number, NULLIF(manager_id, 0), address, city, province, country, comment,
	extension::jsonb, created_at, updated_at, 1, password_hash, ` + profileInsertValues + `
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
	$7::text[], $8::boolean[], $9::boolean[], $10::boolean[], $11::timestamptz[], $12::text[], $13::text[],
	$14::text[], $15::bigint[], $16::text[], $17::bigint[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[],
	$23::text[], $24::timestamptz[], $25::timestamptz[], $26::text[], ` + profileUnnest + `)
	WITH ORDINALITY AS t(tenant_id, username, name, nick_name, email, phone,
	phone_country_code, active, locked, must_change_password, password_changed_at, origin, client_ip,
	enterprise_id, grade, employee_number, manager_id, address, city, province, country, comment,
	extension, created_at, updated_at, password_hash, ` + profileInsertColumns + `, ord)
ORDER BY ord
RETURNING id, username`

// insertUsers inserts users, their memberships included, with one statement
// for the users and one for the memberships, and sets their ids and
// versions.
func insertUsers(ctx context.Context, tx pgx.Tx, users []directory.User) error {
	var r userRows
	for i := range users {
		if err := r.add(&users[i]); err != nil {
			return err
		}
	}
	args := []any{r.tenantID, r.username, r.name, r.nickName, r.email, r.phone,
		r.phoneCountryCode, r.active, r.locked, r.mustChangePassword, r.passwordChangedAt, r.origin, r.clientIP,
		r.enterpriseID, r.grade, r.employeeNumber, r.managerID, r.address, r.city, r.province, r.country, r.comment,
		r.extension, r.createdAt, r.updatedAt, r.passwordHash}
	for _, column := range r.profile {
		args = append(args, column)
	}
	rows, err := tx.Query(ctx, insertUsersSQL, args...)
	if err != nil {
		return err
	}
	// Match the returned rows by username (unique in the batch, or the insert
	// failed): RETURNING promises no order.
	ids := make(map[string]int64, len(users))
	var (
		id       int64
		username string
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &username}, func() error {
		ids[username] = id
		return nil
	}); err != nil {
		return err
	}
	var m memberships
	for i := range users {
		u := &users[i]
		u.ID, u.Version = ids[u.Username], 1
		if u.Extension == nil {
			u.Extension = map[string]any{}
		}
		m.add(u)
	}
	return m.insert(ctx, tx)
}

// memberships holds org memberships column by column for one INSERT.
type memberships struct {
	tenantID  []int64
	userID    []int64
	orgID     []int64
	position  []int32
	isPrimary []bool
}

func (m *memberships) add(u *directory.User) {
	for i, o := range u.Orgs {
		m.tenantID = append(m.tenantID, u.TenantID)
		m.userID = append(m.userID, u.ID)
		m.orgID = append(m.orgID, o.OrgID)
		m.position = append(m.position, int32(i))
		m.isPrimary = append(m.isPrimary, o.Primary)
	}
}

const insertMembershipsSQL = `INSERT INTO user_orgs (tenant_id, user_id, org_id, position, is_primary)
	SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::integer[], $5::boolean[])`

func (m *memberships) insert(ctx context.Context, tx pgx.Tx) error {
	if len(m.userID) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, insertMembershipsSQL, m.tenantID, m.userID, m.orgID, m.position, m.isPrimary)
	return err
}

// queue adds the insert to b, if there is anything to insert.
func (m *memberships) queue(b *pgx.Batch) {
	if len(m.userID) > 0 {
		b.Queue(insertMembershipsSQL, m.tenantID, m.userID, m.orgID, m.position, m.isPrimary)
	}
}

// CreateUser inserts u and returns it with its id and version 1, once
// checks pass on the manager tree.
func (s *Store) CreateUser(ctx context.Context, u directory.User, ev directory.Event, checks ...directory.TreeCheck) (directory.User, error) {
	users, err := s.createUsers(ctx, []directory.User{u}, ev, true, checks)
	if err != nil {
		return directory.User{}, storeError("create user", err)
	}
	return users[0], nil
}

// CreateUsers inserts users in one transaction, all or none, once checks
// pass on the manager tree. A constraint error is a *directory.BatchError naming the index of the user at fault.
func (s *Store) CreateUsers(ctx context.Context, users []directory.User, ev directory.Event, checks ...directory.TreeCheck) ([]directory.User, error) {
	if len(users) == 0 {
		return []directory.User{}, nil
	}
	out, err := s.createUsers(ctx, users, ev, false, checks)
	if isCode(err, uniqueViolation) || isCode(err, foreignKeyViolation) {
		return nil, s.batchError(ctx, users, err)
	}
	return out, storeError("create users", err)
}

// errFound rolls back the transaction of batchError once it has found
// the user at fault.
var errFound = errors.New("postgres: found the user at fault")

// batchError finds the user at fault in users, whose insert as one
// statement failed with cause: the first that cannot be inserted after the
// ones before it, as inserting them one by one finds it. It inserts them so
// in a transaction it rolls back; a failed import costs that second pass,
// a good one nothing. It returns cause when every user can be inserted now
// (what collided went away in the meantime).
func (s *Store) batchError(ctx context.Context, users []directory.User, cause error) error {
	var found error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for i := range users {
			if err := insertUsers(ctx, tx, []directory.User{users[i]}); err != nil {
				found = &directory.BatchError{Index: i, Err: storeError("create users", err)}
				return errFound
			}
		}
		return errFound
	})
	if found != nil {
		return found
	}
	if errors.Is(err, errFound) {
		err = cause
	}
	return storeError("create users", err)
}

// createUsers inserts copies of users and writes ev, naming the new user in
// it when named is set.
func (s *Store) createUsers(ctx context.Context, users []directory.User, ev directory.Event, named bool, checks []directory.TreeCheck) ([]directory.User, error) {
	var out []directory.User
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := managerTree(tx, users[0].TenantID).newNodes().check(ctx, checks); err != nil {
			return err
		}
		out = append([]directory.User(nil), users...)
		if err := insertUsers(ctx, tx, out); err != nil {
			return err
		}
		if named {
			ev.ObjectID = strconv.FormatInt(out[0].ID, 10)
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		ids := make([]int64, len(out))
		for i, u := range out {
			ids[i] = u.ID
		}
		return recordChanges(ctx, tx, directory.Created(ev.Changes, ids...))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// User returns one user of tenantID with the fields view keeps.
func (s *Store) User(ctx context.Context, tenantID, id int64, view directory.UserView) (directory.User, error) {
	u, err := s.readUser(ctx, &userScanner{view: view}, viewSelect(view)+`WHERE u.tenant_id = $1 AND u.id = $2`, tenantID, id)
	return u, storeError("read user", err)
}

// UserByUsername returns the user of tenantID whose username is username
// ignoring case, from the unique index on lower(username); the statement
// is prepared once per connection and planned on that index. The user
// holds the fields view keeps.
func (s *Store) UserByUsername(ctx context.Context, tenantID int64, username string, view directory.UserView) (directory.User, error) {
	u, err := s.readUser(ctx, &userScanner{view: view}, viewSelect(view)+`WHERE u.tenant_id = $1 AND lower(u.username) = lower($2)`, tenantID, username)
	return u, storeError("read user by username", err)
}

// ListUsers returns up to f.Limit users of tenantID matching f after its
// position, in the order f.Order() names. Ordered by email or username, the
// page is read from that column's text_pattern_ops index, which holds the
// lowercased values in byte order (the order of the ~<~ operator): the scan
// starts at the page's position, so a page costs its own rows whatever the
// number of users matching the prefix. Both values are unique per tenant
// ignoring case (users_email_key, users_username_key), so the id never
// breaks a tie and ORDER BY names the value alone: the index then gives the
// whole order, and the planner needs no sort node even when, with no
// statistics yet, it expects a handful of matches. The prefix is a
// byte-wise range (prefixEnd), and the scan starts at the later of its
// start and the position (the index scan keeps the tighter bound), so a
// cached generic plan reads the same rows. The zero position ("", 0)
// comes before every user. Ordered by id, the (tenant_id, id) index does the
// same; a q filter is then checked on each user in id order until the page
// is full. Each user holds the fields f.View keeps.
func (s *Store) ListUsers(ctx context.Context, tenantID int64, f directory.UserFilter) ([]directory.User, error) {
	f, ok, err := s.seekOffset(ctx, tenantID, f)
	if err != nil || !ok {
		return []directory.User{}, err
	}
	sc := userScanner{view: f.View}
	return listUsers(ctx, s, sc.scan, make([]directory.User, 0, min(f.Limit, directory.MaxPageSize+1)), viewSelect(f.View), tenantID, f)
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

// listUsersArgs is listUsersQuery with the mode it runs in among the
// arguments. generic reports a read of one prefix range and nothing else
// (a page of a search, or of a list by username, email or name prefix),
// whose generic plan is the index range whatever the prefix, to be run
// on it (queryGenericInto).
func listUsersArgs(sel string, tenantID int64, f directory.UserFilter) (q string, args []any, generic bool) {
	q, args, like := listUsersQuery(sel, tenantID, f)
	if like {
		// Planned afresh with the pattern in hand, never as a cached
		// generic plan: a generic plan cannot turn LIKE 'prefix%' into an
		// index range, and read to the end of the tenant's index (seconds
		// at 10M users) for the last page of a prefix. The unnamed
		// statement is planned with its values at each run; with the
		// result's description cached it runs in one round trip, where
		// describing it at every run took two.
		return q, append([]any{pgx.QueryExecModeCacheDescribe}, args...), false
	}
	return q, args, oneRange(f)
}

// oneRange reports whether f selects by exactly one prefix (username,
// email or name) and nothing else, so that its read is that prefix's
// range of one index from the page's position.
func oneRange(f directory.UserFilter) bool {
	prefixes := 0
	for _, p := range []string{f.Username, f.Email, f.Name} {
		if p != "" {
			prefixes++
		}
	}
	return prefixes == 1 && f.Query == "" && f.ExternalID == "" && f.Phone == "" && f.OrgID == 0
}

// listUsersQuery builds the query of ListUsers, reading the columns of
// sel: a SELECT on "users u" (userSelect or one as narrow). like reports
// a LIKE pattern among the conditions: a prefix prefixEnd cannot bound,
// or f.Query.
func listUsersQuery(sel string, tenantID int64, f directory.UserFilter) (q string, args []any, like bool) {
	where := []string{`u.tenant_id = $1`}
	args = []any{tenantID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	// startsWith keeps the users whose lowercased column starts with p:
	// a byte-wise range on the column's text_pattern_ops index, which a
	// cached generic plan reads as well, else LIKE from p on.
	startsWith := func(column, p string) {
		lo := strings.ToLower(p)
		if hi, ok := prefixEnd(lo); ok {
			where = append(where, column+` ~>=~ `+arg(lo), column+` ~<~ `+arg(hi))
			return
		}
		like = true
		where = append(where, column+` LIKE `+arg(likePrefix(p)), column+` ~>=~ `+arg(lo))
	}
	order := `u.id`
	keyset := func(column, prefix, tiebreak string) {
		order = column + ` USING ~<~` + tiebreak
		startsWith(column, prefix)
		after := arg(f.AfterKey)
		where = append(where, column+` ~>=~ lower(`+after+`)`,
			`(`+column+` ~>~ lower(`+after+`) OR u.id > `+arg(f.AfterID)+`)`)
	}
	switch f.Order() {
	case directory.ByEmail:
		keyset(`lower(u.email)`, f.Email, ``)
	case directory.ByUsername:
		keyset(`lower(u.username)`, f.Username, ``)
	case directory.ByName:
		// Names repeat: users of one name come in id order, which an
		// incremental sort gives over the index's range.
		keyset(`lower(u.name)`, f.Name, `, u.id`)
	case directory.ByID:
		if !f.MembersOnly() { // the members' ids start after the position
			where = append(where, `u.id > `+arg(f.AfterID))
		}
	}
	if f.Username != "" && f.Order() != directory.ByUsername {
		startsWith(`lower(u.username)`, f.Username)
	}
	if f.Name != "" && f.Order() != directory.ByName {
		startsWith(`lower(u.name)`, f.Name)
	}
	if f.ExternalID != "" {
		where = append(where, `u.external_id = `+arg(f.ExternalID))
	}
	if f.Phone != "" {
		where = append(where, `u.phone = `+arg(f.Phone), `u.phone <> ''`)
	}
	if f.Query != "" {
		like = true
		p := arg(likePrefix(f.Query))
		where = append(where, `(lower(u.username) LIKE `+p+` OR lower(u.email) LIKE `+p+` OR lower(u.name) LIKE `+p+`)`)
	}
	switch {
	case f.MembersOnly():
		// The page's members first, from user_orgs_org_user_idx in id
		// order from the position, then only those users, joined by
		// their key. As a filter (IN or = ANY) on users, without
		// statistics yet, the planner scanned the tenant's users and
		// tested each against the members, or reran the members' scan
		// for each user.
		sel = strings.Replace(sel, "FROM users u\n", `FROM (SELECT p.user_id FROM user_orgs p
			WHERE p.tenant_id = $1 AND p.org_id = `+arg(f.OrgID)+` AND p.user_id > `+arg(f.AfterID)+`
			ORDER BY p.user_id LIMIT `+arg(f.Limit)+`) page
		JOIN users u ON u.id = page.user_id`+"\n", 1)
	case f.OrgID != 0:
		where = append(where, `u.id IN (SELECT m.user_id FROM user_orgs m WHERE m.tenant_id = $1 AND m.org_id = `+arg(f.OrgID)+`)`)
	}
	return sel + `WHERE ` + strings.Join(where, ` AND `) + ` ORDER BY ` + order + ` LIMIT ` + arg(f.Limit), args, like
}

// likePrefix returns the LIKE pattern matching strings that start with p,
// ignoring case: p lowered, its wildcards escaped, and '%' appended.
func likePrefix(p string) string {
	p = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(p))
	return p + "%"
}

// UpdateUser writes the fields of u that ev.Fields names, and rewrites its
// memberships only when it names "orgs", if the stored version is still
// u.Version, and returns it with the version incremented. Without checks or
// memberships, the update, the event and the change-log entries are one
// statement (updateUserStatement) that the committer sends in one round
// trip with those of the writes queued around it (pipeline.run). Else
// see updateUserTx.
func (s *Store) UpdateUser(ctx context.Context, u directory.User, ev directory.Event, checks ...directory.TreeCheck) (directory.User, error) {
	query, args, err := updateUserQuery(&u, ev.Fields)
	if err != nil {
		return directory.User{}, err
	}
	changes := directory.Versioned(ev.Changes, u.Version+1)
	if !slices.Contains(ev.Fields, "orgs") && !slices.ContainsFunc(checks, func(c directory.TreeCheck) bool { return c != nil }) {
		// The common update is one statement, pipelined with the writes
		// around it.
		err = s.execStatement(ctx, updateUserStatement(query, args, ev, changes, &u.Version))
	} else {
		err = s.updateUserTx(ctx, &u, query, args, ev, changes, checks)
	}
	if err != nil {
		return directory.User{}, storeError("update user", err)
	}
	if u.Extension == nil {
		u.Extension = map[string]any{}
	}
	return u, nil
}

// updateUserTx is UpdateUser's write when it has checks to run or
// memberships to rewrite. checks run first, on the manager tree; then the
// update, the memberships, the event and the change-log entries go to the
// server as one batch, one round trip: when the update matches no row the
// rest ran for nothing and is rolled back with it.
func (s *Store) updateUserTx(ctx context.Context, u *directory.User, query string, args []any, ev directory.Event, changes []directory.Change, checks []directory.TreeCheck) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := managerTree(tx, u.TenantID).check(ctx, checks); err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(query, args...)
		if slices.Contains(ev.Fields, "orgs") {
			b.Queue(`DELETE FROM user_orgs WHERE user_id = $1`, u.ID)
			var m memberships
			m.add(u)
			m.queue(b)
		}
		b.Queue(insertEventSQL, eventArgs(ev)...)
		queueChanges(b, changes)
		results := tx.SendBatch(ctx, b)
		var version int64
		updateErr := results.QueryRow().Scan(&version)
		// Close reads the answers to the rest of the batch, and the first
		// error among them.
		if err := results.Close(); err != nil && updateErr == nil {
			return err
		}
		if updateErr != nil {
			return versionError(ctx, tx, updateErr, "users", "user", u.TenantID, u.ID)
		}
		u.Version = version
		return nil
	})
}

// versionError explains why a write conditional on a row's version matched
// no row: err is pgx.ErrNoRows, and the row is either missing (NotFound) or
// at another version (ErrVersionMismatch). Other errors pass through.
func versionError(ctx context.Context, tx pgx.Tx, err error, table, what string, tenantID, id int64) error {
	if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	var exists bool
	// table is one of the schema's table names, never input.
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE tenant_id = $1 AND id = $2)`, tenantID, id).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return directory.Errorf(directory.NotFound, "", "no such %s", what)
	}
	return directory.ErrVersionMismatch
}

// DeleteUser removes the user and its memberships and clears the manager of
// the users it managed. A version other than 0 must match the stored one.
func (s *Store) DeleteUser(ctx context.Context, tenantID, id, version int64, ev directory.Event) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		stored, err := lockVersion(ctx, tx, "users", "user", tenantID, id, version)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE users SET manager_id = NULL, version = version + 1, updated_at = $3
			WHERE tenant_id = $1 AND manager_id = $2 RETURNING id, version`, tenantID, id, ev.Time)
		if err != nil {
			return err
		}
		var changes []directory.Change
		var managed, managedVersion int64
		if _, err := pgx.ForEachRow(rows, []any{&managed, &managedVersion}, func() error {
			changes = append(changes, directory.ManagerCleared(ev, managed, managedVersion))
			return nil
		}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM user_orgs WHERE user_id = $2 AND tenant_id = $1`, tenantID, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM users WHERE tenant_id = $1 AND id = $2`, tenantID, id); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return recordChanges(ctx, tx, append(directory.ManagersCleared(changes), directory.Versioned(ev.Changes, stored+1)...))
	})
	return storeError("delete user", err)
}

// lockVersion locks a row of table for the rest of the transaction, checks
// that it exists and, if version is not 0, is at that version, and returns
// its version.
func lockVersion(ctx context.Context, tx pgx.Tx, table, what string, tenantID, id, version int64) (int64, error) {
	var stored int64
	// table is one of the schema's table names, never input.
	err := tx.QueryRow(ctx, `SELECT version FROM `+table+` WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, tenantID, id).Scan(&stored)
	if err != nil {
		return 0, notFound(err, what)
	}
	if version != 0 && stored != version {
		return 0, directory.ErrVersionMismatch
	}
	return stored, nil
}
