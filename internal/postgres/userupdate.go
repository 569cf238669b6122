package postgres

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/directory"
)

// userColumn is a column of users that an update writes: its name, the
// SQL of its value given the parameter ($n), and the value, from a user.
type userColumn struct {
	name  string
	expr  string // fmt pattern with one %s for the parameter
	value func(u *directory.User) (any, error)
}

func plain[T any](get func(u *directory.User) T) func(u *directory.User) (any, error) {
	return func(u *directory.User) (any, error) { return get(u), nil }
}

// userFields lists each user field an update may name (the directory's
// spelling) with the columns that store it, in the order an update sets
// them, so one set of fields is always one statement text. UpdateUser
// writes only the columns of the fields that changed; a new field of
// directory.User needs its row here. "orgs" is stored in user_orgs.
var userFields = append([]userField{
	{"username", []userColumn{{"username", "%s", plain(func(u *directory.User) string { return u.Username })}}},
	{"name", []userColumn{{"name", "%s", plain(func(u *directory.User) string { return u.Name })}}},
	{"nick_name", []userColumn{{"nick_name", "%s", plain(func(u *directory.User) string { return u.NickName })}}},
	{"email", []userColumn{{"email", "NULLIF(%s, '')", plain(func(u *directory.User) string { return u.Email })}}},
	{"phone", []userColumn{{"phone", "%s", plain(func(u *directory.User) string { return u.Phone })}}},
	{"phone_country_code", []userColumn{{"phone_country_code", "%s", plain(func(u *directory.User) string { return u.PhoneCountryCode })}}},
	{"active", []userColumn{{"active", "%s", plain(func(u *directory.User) bool { return u.Active })}}},
	{"locked", []userColumn{{"locked", "%s", plain(func(u *directory.User) bool { return u.Locked })}}},
	{"must_change_password", []userColumn{{"must_change_password", "%s", plain(func(u *directory.User) bool { return u.MustChangePassword })}}},
	{"enterprise_id", []userColumn{{"enterprise_id", "%s", plain(func(u *directory.User) string { return u.EnterpriseID })}}},
	{"grade", []userColumn{{"grade", "%s", plain(func(u *directory.User) int { return u.Grade })}}},
	{"employee_number", []userColumn{{"employee_number", "%s", plain(func(u *directory.User) string { return u.EmployeeNumber })}}},
	{"manager_id", []userColumn{{"manager_id", "NULLIF(%s::bigint, 0)", plain(func(u *directory.User) int64 { return u.ManagerID })}}},
	{"address", []userColumn{{"address", "%s", plain(func(u *directory.User) string { return u.Address })}}},
	{"city", []userColumn{{"city", "%s", plain(func(u *directory.User) string { return u.City })}}},
	{"province", []userColumn{{"province", "%s", plain(func(u *directory.User) string { return u.Province })}}},
	{"country", []userColumn{{"country", "%s", plain(func(u *directory.User) string { return u.Country })}}},
	{"comment", []userColumn{{"comment", "%s", plain(func(u *directory.User) string { return u.Comment })}}},
	{"extension", []userColumn{{"extension", "%s::jsonb", func(u *directory.User) (any, error) {
		return encodeExtension(u.Extension)
	}}}},
	{"password", []userColumn{
		{"password_hash", "%s", plain(func(u *directory.User) string { return u.PasswordHash })},
		{"password_changed_at", "%s", plain(func(u *directory.User) any { return nullTime(u.PasswordChangedAt) })},
	}},
	{"orgs", nil},
	// A sign-in's upgrade of an imported hash names the hash alone.
	{"password_hash", []userColumn{{"password_hash", "%s", plain(func(u *directory.User) string { return u.PasswordHash })}}},
}, profileFields()...)

// userField is a field of a user and the columns that store it.
type userField struct {
	field   string
	columns []userColumn
}

// profileFields returns the entries of userFields for the profile: each
// column of profileInsertColumns stores the field of its name, from
// profileValues.
func profileFields() []userField {
	var out []userField
	for i, name := range strings.Split(profileInsertColumns, ",") {
		name = strings.TrimSpace(name)
		expr := "%s"
		switch name {
		case "external_id":
			expr = "NULLIF(%s, '')"
		case "other_emails", "other_phones":
			expr = "%s::jsonb"
		}
		out = append(out, userField{name, []userColumn{{name, expr, func(u *directory.User) (any, error) {
			return profileValues(&u.Profile)[i], nil
		}}}})
	}
	return out
}

// updateUserQuery returns the UPDATE of u's columns that hold fields, its
// updated_at and its version, guarded by u.Version and returning the new
// version, and its arguments.
func updateUserQuery(u *directory.User, fields []string) (string, []any, error) {
	named := make(map[string]bool, len(fields))
	for _, f := range fields {
		named[f] = true
	}
	args := []any{u.TenantID, u.ID, u.Version, u.UpdatedAt}
	var b strings.Builder
	b.WriteString(`UPDATE users SET `)
	for _, uf := range userFields {
		if !named[uf.field] {
			continue
		}
		delete(named, uf.field)
		for _, c := range uf.columns {
			v, err := c.value(u)
			if err != nil {
				return "", nil, err
			}
			args = append(args, v)
			b.WriteString(c.name + ` = ` + fmt.Sprintf(c.expr, "$"+strconv.Itoa(len(args))) + `, `)
		}
	}
	if len(named) > 0 {
		return "", nil, fmt.Errorf("postgres: update user: no column stores the fields %v", slices.Sorted(maps.Keys(named)))
	}
	b.WriteString(`updated_at = $4, version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3 RETURNING version`)
	return b.String(), args, nil
}
