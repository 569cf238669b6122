package console

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/directory"
)

// usersView is the users page: one page of a search, and where the next
// one starts (keyset paging; the tenant is never counted).
type usersView struct {
	Query string
	Rows  template.HTML // the page's users as table rows (userRows)
	None  bool          // the page holds no user
	Next  string        // query string of the next page, "" on the last
}

// usersPage lists users matching q (a prefix of username, email or name),
// one page at a time, in the order the Service's search gives. With
// fragment=1 it answers only the rows, for the search box that updates as
// the admin types.
func (c *Console) usersPage(w http.ResponseWriter, r *http.Request, rq *request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	search := directory.UserSearch{Prefix: q, AfterKey: r.URL.Query().Get("after_key"), AfterID: formID(r.URL.Query().Get("after")), Limit: pageSize}
	users, next, err := c.svc.SearchUsers(r.Context(), rq.p, search)
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	v := usersView{Query: q, Rows: userRows(users, rq.rowLabels()), None: len(users) == 0}
	if next != nil {
		v.Next = "/console/users?q=" + url.QueryEscape(q) + "&after=" + strconv.FormatInt(next.AfterID, 10)
		if next.AfterKey != "" {
			v.Next += "&after_key=" + url.QueryEscape(next.AfterKey)
		}
	}
	if r.URL.Query().Get("fragment") == "1" {
		c.renderFragment(w, r, rq, "users", "rows", v)
		return
	}
	c.render(w, r, rq, http.StatusOK, "users", "users", v, "")
}

// pick is one choice of a searching picker.
type pick struct {
	ID    int64  `json:"id"`
	Label string `json:"label"`
}

// maxPicks is how many choices a picker offers at once; the admin types more
// to narrow them.
const maxPicks = 10

// pickUser answers a manager picker: up to maxPicks users matching q, as JSON.
func (c *Console) pickUser(w http.ResponseWriter, r *http.Request, rq *request) {
	users, _, err := c.svc.SearchUsers(r.Context(), rq.p, directory.UserSearch{Prefix: strings.TrimSpace(r.URL.Query().Get("q")), Limit: maxPicks})
	out := make([]pick, len(users))
	for i, u := range users {
		out[i] = pick{ID: u.ID, Label: userLabel(u)}
	}
	c.answerPicks(w, r, rq, out, err)
}

// answerPicks writes a picker's choices as JSON, or err as plain text.
func (c *Console) answerPicks(w http.ResponseWriter, r *http.Request, rq *request, picks []pick, err error) {
	if err != nil {
		status, msg := c.errorText(r, rq, err)
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(picks)
}

func userLabel(u directory.User) string {
	label := u.Username
	if u.Name != "" {
		label += " (" + u.Name + ")"
	}
	if u.Email != "" {
		label += " <" + u.Email + ">"
	}
	return label
}

// userField is one editable text field of the user page.
type userField struct {
	Name     string // the form field and the native name
	Type     string // input type, or "textarea"
	Autocomp string
	set      func(p *directory.UserPatch, v string)
	get      func(u *directory.User) string
}

func strField(name, typ, autocomplete string, dst func(p *directory.UserPatch) **string, get func(u *directory.User) string) userField {
	return userField{Name: name, Type: typ, Autocomp: autocomplete, get: get,
		set: func(p *directory.UserPatch, v string) { s := v; *dst(p) = &s }}
}

// userFields are the user's text fields in the order the page shows them.
var userFields = []userField{
	strField("username", "text", "off", func(p *directory.UserPatch) **string { return &p.Username }, func(u *directory.User) string { return u.Username }),
	strField("name", "text", "off", func(p *directory.UserPatch) **string { return &p.Name }, func(u *directory.User) string { return u.Name }),
	strField("nick_name", "text", "off", func(p *directory.UserPatch) **string { return &p.NickName }, func(u *directory.User) string { return u.NickName }),
	strField("email", "email", "off", func(p *directory.UserPatch) **string { return &p.Email }, func(u *directory.User) string { return u.Email }),
	strField("phone", "tel", "off", func(p *directory.UserPatch) **string { return &p.Phone }, func(u *directory.User) string { return u.Phone }),
	strField("phone_country_code", "text", "off", func(p *directory.UserPatch) **string { return &p.PhoneCountryCode }, func(u *directory.User) string { return u.PhoneCountryCode }),
	strField("enterprise_id", "text", "off", func(p *directory.UserPatch) **string { return &p.EnterpriseID }, func(u *directory.User) string { return u.EnterpriseID }),
	strField("employee_number", "text", "off", func(p *directory.UserPatch) **string { return &p.EmployeeNumber }, func(u *directory.User) string { return u.EmployeeNumber }),
	{Name: "grade", Type: "number", Autocomp: "off", get: func(u *directory.User) string { return strconv.Itoa(u.Grade) }},
	strField("address", "text", "off", func(p *directory.UserPatch) **string { return &p.Address }, func(u *directory.User) string { return u.Address }),
	strField("city", "text", "off", func(p *directory.UserPatch) **string { return &p.City }, func(u *directory.User) string { return u.City }),
	strField("province", "text", "off", func(p *directory.UserPatch) **string { return &p.Province }, func(u *directory.User) string { return u.Province }),
	strField("country", "text", "off", func(p *directory.UserPatch) **string { return &p.Country }, func(u *directory.User) string { return u.Country }),
	strField("comment", "textarea", "off", func(p *directory.UserPatch) **string { return &p.Comment }, func(u *directory.User) string { return u.Comment }),
}

// formField is a field as the page shows it.
type formField struct {
	Name, Type, Autocomp, Value string
	Yours                       string // on a conflict: the value this admin sent, when it differs
	Differs                     bool
}

// membershipView is one org of the user.
type membershipView struct {
	ID      int64
	Name    string
	Primary bool
}

// userView is the user page.
type userView struct {
	U           directory.User
	Fields      []formField
	Extension   string
	Manager     string
	Memberships []membershipView
	Conflict    bool
	Error       string
}

// userPage shows one user with an ETag of its version.
func (c *Console) userPage(w http.ResponseWriter, r *http.Request, rq *request) {
	u, err := c.svc.User(r.Context(), rq.p, pathID(r))
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	v := c.userView(r, rq, u)
	w.Header().Set("ETag", etag(u.Version))
	c.render(w, r, rq, http.StatusOK, "user", "users", v, notice(r, rq))
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// notice is the message a redirect after a change asks the page to show.
func notice(r *http.Request, rq *request) string {
	switch r.URL.Query().Get("done") {
	case "saved":
		return rq.t("notice.saved")
	case "created":
		return rq.t("notice.created")
	case "deleted":
		return rq.t("notice.deleted")
	}
	return ""
}

func (c *Console) userView(r *http.Request, rq *request, u directory.User) *userView {
	v := &userView{U: u}
	for _, f := range userFields {
		v.Fields = append(v.Fields, formField{Name: f.Name, Type: f.Type, Autocomp: f.Autocomp, Value: f.get(&u)})
	}
	ext, _ := json.MarshalIndent(u.Extension, "", "  ")
	v.Extension = string(ext)
	if u.ManagerID != 0 {
		v.Manager = strconv.FormatInt(u.ManagerID, 10)
		if m, err := c.svc.User(r.Context(), rq.p, u.ManagerID); err == nil {
			v.Manager = userLabel(m)
		}
	}
	for _, m := range u.Orgs {
		mv := membershipView{ID: m.OrgID, Name: strconv.FormatInt(m.OrgID, 10), Primary: m.Primary}
		if o, err := c.svc.Org(r.Context(), rq.p, m.OrgID); err == nil {
			mv.Name = o.Name
		}
		v.Memberships = append(v.Memberships, mv)
	}
	return v
}

// userPatch turns the user form into a patch of every field it holds.
func userPatch(r *http.Request, rq *request) (directory.UserPatch, error) {
	var p directory.UserPatch
	for _, f := range userFields {
		if f.set != nil {
			f.set(&p, r.PostFormValue(f.Name))
		}
	}
	if g := strings.TrimSpace(r.PostFormValue("grade")); g != "" {
		n, err := strconv.Atoi(g)
		if err != nil {
			return p, directory.Errorf(directory.Invalid, "grade", "%s", rq.t("error.number"))
		}
		p.Grade = &n
	}
	mgr := int64(0)
	if s := strings.TrimSpace(r.PostFormValue("manager_id")); s != "" {
		if mgr = formID(s); mgr == 0 {
			return p, directory.Errorf(directory.Invalid, "manager_id", "%s", rq.t("error.number"))
		}
	}
	p.ManagerID = &mgr
	for _, b := range []struct {
		name string
		dst  **bool
	}{{"active", &p.Active}, {"locked", &p.Locked}, {"must_change_password", &p.MustChangePassword}} {
		on := r.PostFormValue(b.name) == "on"
		*b.dst = &on
	}
	ext, err := parseExtension(r.PostFormValue("extension"), rq)
	if err != nil {
		return p, err
	}
	p.ReplaceExtension = ext
	orgs, err := memberships(r, rq)
	if err != nil {
		return p, err
	}
	p.Orgs = &orgs
	return p, nil
}

// parseExtension reads the extension attributes box: a JSON object, or
// nothing for none. The Service checks its size and depth.
func parseExtension(s string, rq *request) (map[string]any, error) {
	if strings.TrimSpace(s) == "" {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var ext map[string]any
	if err := dec.Decode(&ext); err != nil || ext == nil || dec.More() {
		return nil, directory.Errorf(directory.Invalid, "extension", "%s", rq.t("error.extension"))
	}
	return ext, nil
}

// memberships reads the org list: the orgs kept (checkboxes "org"), the
// one marked primary, and one to add.
func memberships(r *http.Request, rq *request) ([]directory.Membership, error) {
	primary := formID(r.PostFormValue("primary"))
	var out []directory.Membership
	seen := map[int64]bool{}
	add := func(id int64) {
		if id != 0 && !seen[id] && len(out) < directory.MaxOrgsPerUser+1 {
			seen[id] = true
			out = append(out, directory.Membership{OrgID: id, Primary: id == primary})
		}
	}
	for _, s := range r.PostForm["org"] {
		add(formID(s))
	}
	if s := strings.TrimSpace(r.PostFormValue("add_org")); s != "" {
		id := formID(s)
		if id == 0 {
			return nil, directory.Errorf(directory.Invalid, "orgs", "%s", rq.t("error.number"))
		}
		add(id)
	}
	return out, nil
}

// updateUser saves the user form if the user is still at the version the
// form was read at; otherwise it shows the other admin's values beside
// this admin's, and saving again applies this admin's over them.
func (c *Console) updateUser(w http.ResponseWriter, r *http.Request, rq *request) {
	id := pathID(r)
	version := formID(r.PostFormValue("version"))
	patch, err := userPatch(r, rq)
	if err == nil {
		_, err = c.svc.UpdateUser(r.Context(), rq.p, id, version, patch)
	}
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/console/users/%d?done=saved", id), http.StatusSeeOther)
		return
	}
	if k := directory.KindOf(err); k != directory.Invalid && k != directory.Conflict && k != directory.PreconditionFailed {
		c.fail(w, r, rq, err)
		return
	}
	u, uerr := c.svc.User(r.Context(), rq.p, id)
	if uerr != nil {
		c.fail(w, r, rq, uerr)
		return
	}
	status, msg := c.errorText(r, rq, err)
	v := c.userView(r, rq, u)
	v.Error = msg
	if directory.KindOf(err) == directory.PreconditionFailed {
		// Theirs in the form, yours beside each field you changed.
		v.Conflict = true
		for i := range v.Fields {
			if yours := r.PostFormValue(v.Fields[i].Name); yours != v.Fields[i].Value {
				v.Fields[i].Yours, v.Fields[i].Differs = yours, true
			}
		}
	} else {
		// The admin's own values, to correct.
		u.Version = version
		for i := range v.Fields {
			v.Fields[i].Value = r.PostFormValue(v.Fields[i].Name)
		}
		v.Extension = r.PostFormValue("extension")
		v.U.Version = version
	}
	w.Header().Set("ETag", etag(u.Version))
	c.render(w, r, rq, status, "user", "users", v, "")
}

// setPassword sets a user's password, optionally to be changed at the next
// sign-in.
func (c *Console) setPassword(w http.ResponseWriter, r *http.Request, rq *request) {
	id := pathID(r)
	pw := r.PostFormValue("password")
	must := r.PostFormValue("must_change_password") == "on"
	_, err := c.svc.UpdateUser(r.Context(), rq.p, id, 0, directory.UserPatch{Password: &pw, MustChangePassword: &must})
	c.afterUserAction(w, r, rq, id, err)
}

// setFlag turns active or locked on or off, at the version the page showed.
func (c *Console) setFlag(w http.ResponseWriter, r *http.Request, rq *request) {
	id := pathID(r)
	on := r.PostFormValue("value") == "on"
	var p directory.UserPatch
	switch r.PostFormValue("flag") {
	case "active":
		p.Active = &on
	case "locked":
		p.Locked = &on
	case "must_change_password":
		p.MustChangePassword = &on
	default:
		c.renderError(w, r, rq, http.StatusBadRequest, rq.t("error.form"))
		return
	}
	_, err := c.svc.UpdateUser(r.Context(), rq.p, id, formID(r.PostFormValue("version")), p)
	c.afterUserAction(w, r, rq, id, err)
}

func (c *Console) afterUserAction(w http.ResponseWriter, r *http.Request, rq *request, id int64, err error) {
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/console/users/%d?done=saved", id), http.StatusSeeOther)
}

// deleteUserPage asks to confirm a deletion.
func (c *Console) deleteUserPage(w http.ResponseWriter, r *http.Request, rq *request) {
	u, err := c.svc.User(r.Context(), rq.p, pathID(r))
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	c.render(w, r, rq, http.StatusOK, "delete", "users", u, "")
}

// deleteUser deletes the user at the version that was confirmed.
func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request, rq *request) {
	err := c.svc.DeleteUser(r.Context(), rq.p, pathID(r), formID(r.PostFormValue("version")))
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, "/console/users?done=deleted", http.StatusSeeOther)
}

// newUserPage shows the form for a new user.
func (c *Console) newUserPage(w http.ResponseWriter, r *http.Request, rq *request) {
	c.render(w, r, rq, http.StatusOK, "newuser", "users", map[string]string{}, "")
}

// createUser creates a user from the short form: the rest is edited on the
// user's page.
func (c *Console) createUser(w http.ResponseWriter, r *http.Request, rq *request) {
	var p directory.UserPatch
	vals := map[string]string{}
	for _, f := range userFields {
		if f.Name == "username" || f.Name == "name" || f.Name == "email" {
			vals[f.Name] = r.PostFormValue(f.Name)
			f.set(&p, vals[f.Name])
		}
	}
	if pw := r.PostFormValue("password"); pw != "" {
		p.Password = &pw
		must := r.PostFormValue("must_change_password") == "on"
		p.MustChangePassword = &must
	}
	u, err := c.svc.CreateUser(r.Context(), rq.p, directory.OriginAdmin, p)
	if err != nil {
		status, msg := c.errorText(r, rq, err)
		if status == http.StatusInternalServerError || status == http.StatusServiceUnavailable {
			c.renderError(w, r, rq, status, msg)
			return
		}
		vals["error"] = msg
		c.render(w, r, rq, status, "newuser", "users", vals, "")
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/console/users/%d?done=created", u.ID), http.StatusSeeOther)
}
