package sqlite

import "github.com/userd/userd/internal/directory"

// accountColumns are the columns of a directory.AccountView, in the order
// scanAccount takes them. The profile fields it keeps are one text, as in
// userColumns (see userProfileSelect): given_name to work_place in the
// order of accountProfileCount's values.
const accountColumns = `id, tenant_id, username, name, nick_name, email, phone, active, locked,
	must_change_password, password_changed_at, grade, employee_number, manager_id, city, extension,
	created_at, updated_at,
	concat_ws(char(0), given_name, middle_name, family_name, user_type, gender, birthday, identity_type,
		identity_number, area, hire_date, work_place), ` + userOrgsSelect

// accountColumnCount and accountProfileCount are the number of
// accountColumns and of the profile values in the one before last.
const (
	accountColumnCount  = 20
	accountProfileCount = 11
)

// resourceColumns are the columns of a directory.ResourceView, in the
// order scanResource takes them: the whole profile, as in userColumns.
const resourceColumns = `id, tenant_id, username, name, nick_name, email, phone, active, employee_number,
	manager_id, address, city, province, country, created_at, updated_at, version, ` + userProfileSelect + `, ` + userOrgsSelect

// resourceColumnCount is the number of resourceColumns.
const resourceColumnCount = 19

// withoutOrgsColumns are the columns of a directory.WithoutOrgsView:
// userColumns with NULL for the memberships, which scanUser reads as
// none.
const withoutOrgsColumns = userColumnsBeforeOrgs + `, NULL`

// viewColumns returns the columns a query on users reads for view.
func viewColumns(view directory.UserView) string {
	switch view {
	case directory.AccountView:
		return accountColumns
	case directory.ResourceView:
		return resourceColumns
	case directory.WithoutOrgsView:
		return withoutOrgsColumns
	}
	return userColumns
}

// viewScanner returns the number of viewColumns(view) and the function
// that converts a row of them.
func viewScanner(view directory.UserView) (int, func(columns) (directory.User, error)) {
	switch view {
	case directory.AccountView:
		return accountColumnCount, scanAccount
	case directory.ResourceView:
		return resourceColumnCount, scanResource
	}
	return userColumnCount, scanUser
}

// scanAccount converts a row of accountColumns.
func scanAccount(c columns) (directory.User, error) {
	u := directory.User{
		ID: c.int(0), TenantID: c.int(1), Username: c.text(2), Name: c.text(3), NickName: c.text(4),
		Email: c.text(5), Phone: c.text(6), Active: c.int(7) != 0, Locked: c.int(8) != 0,
		MustChangePassword: c.int(9) != 0, PasswordChangedAt: c.time(10), Grade: int(c.int(11)),
		EmployeeNumber: c.text(12), ManagerID: c.int(13), City: c.text(14),
		CreatedAt: c.time(16), UpdatedAt: c.time(17),
	}
	ext, profile, orgs := c.text(15), c.text(18), c.text(19)
	err := c.err
	if err == nil {
		err = scanAccountProfile(profile, &u.Profile)
	}
	return u, finishUser(&u, err, orgs, &ext)
}

// scanAccountProfile reads the profile text of accountColumns into p.
func scanAccountProfile(s string, p *directory.Profile) error {
	var v [accountProfileCount]string
	if err := cutValues(s, v[:]); err != nil {
		return err
	}
	p.GivenName, p.MiddleName, p.FamilyName, p.UserType, p.Gender, p.Birthday = v[0], v[1], v[2], v[3], v[4], v[5]
	p.IdentityType, p.IdentityNumber, p.Area, p.HireDate, p.WorkPlace = v[6], v[7], v[8], v[9], v[10]
	return nil
}

// scanResource converts a row of resourceColumns.
func scanResource(c columns) (directory.User, error) {
	u := directory.User{
		ID: c.int(0), TenantID: c.int(1), Username: c.text(2), Name: c.text(3), NickName: c.text(4),
		Email: c.text(5), Phone: c.text(6), Active: c.int(7) != 0, EmployeeNumber: c.text(8),
		ManagerID: c.int(9), Address: c.text(10), City: c.text(11), Province: c.text(12), Country: c.text(13),
		CreatedAt: c.time(14), UpdatedAt: c.time(15), Version: c.int(16),
	}
	profile, orgs := c.text(17), c.text(18)
	err := c.err
	if err == nil {
		err = scanProfile(profile, &u.Profile)
	}
	return u, finishUser(&u, err, orgs, nil)
}
