package client

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// User is a user as the admin API returns it. Email is "" and ManagerID 0
// when the user has none.
type User struct {
	ID                 int64      `json:"id"`
	TenantID           int64      `json:"tenant_id"`
	Username           string     `json:"username"`
	Name               string     `json:"name"`
	NickName           string     `json:"nick_name"`
	Email              string     `json:"email"`
	Phone              string     `json:"phone"`
	PhoneCountryCode   string     `json:"phone_country_code"`
	Active             bool       `json:"active"`
	Locked             bool       `json:"locked"`
	MustChangePassword bool       `json:"must_change_password"`
	PasswordChangedAt  *time.Time `json:"password_changed_at"`
	Origin             string     `json:"origin"`
	ClientIP           string     `json:"client_ip"`
	EnterpriseID       string     `json:"enterprise_id"`
	Grade              int        `json:"grade"`
	EmployeeNumber     string     `json:"employee_number"`
	ManagerID          int64      `json:"manager_id"`
	Address            string     `json:"address"`
	City               string     `json:"city"`
	Province           string     `json:"province"`
	Country            string     `json:"country"`
	Comment            string     `json:"comment"`
	Profile
	Extension map[string]any `json:"extension"`
	Orgs      []Membership   `json:"orgs"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
	// Version counts changes; pass it to UpdateUser or DeleteUser to change
	// only this version.
	Version int64 `json:"version"`
}

// Membership is one org of a user; at most one is the primary org.
type Membership struct {
	OrgID   int64
	Primary bool
}

// membershipJSON is Membership on the wire: relation_type 1 is primary.
type membershipJSON struct {
	OrgID        int64 `json:"org_id"`
	RelationType int   `json:"relation_type"`
}

// MarshalJSON writes the admin API's {"org_id", "relation_type"}.
func (m Membership) MarshalJSON() ([]byte, error) {
	rt := 0
	if m.Primary {
		rt = 1
	}
	return json.Marshal(membershipJSON{OrgID: m.OrgID, RelationType: rt})
}

// UnmarshalJSON reads the admin API's {"org_id", "relation_type"}.
func (m *Membership) UnmarshalJSON(b []byte) error {
	var w membershipJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = Membership{OrgID: w.OrgID, Primary: w.RelationType == 1}
	return nil
}

// UserInput is the body of CreateUser and UpdateUser. A nil field is left
// out: on create it takes its default, on update it keeps its value. Set
// fields with new, e.g. UserInput{Username: new("ada")}.
type UserInput struct {
	Username           *string `json:"username,omitempty"`
	Name               *string `json:"name,omitempty"`
	NickName           *string `json:"nick_name,omitempty"`
	Email              *string `json:"email,omitempty"`
	Phone              *string `json:"phone,omitempty"`
	PhoneCountryCode   *string `json:"phone_country_code,omitempty"`
	Active             *bool   `json:"active,omitempty"`
	Locked             *bool   `json:"locked,omitempty"`
	MustChangePassword *bool   `json:"must_change_password,omitempty"`
	EnterpriseID       *string `json:"enterprise_id,omitempty"`
	Grade              *int    `json:"grade,omitempty"`
	EmployeeNumber     *string `json:"employee_number,omitempty"`
	ManagerID          *int64  `json:"manager_id,omitempty"`
	Address            *string `json:"address,omitempty"`
	City               *string `json:"city,omitempty"`
	Province           *string `json:"province,omitempty"`
	Country            *string `json:"country,omitempty"`
	Comment            *string `json:"comment,omitempty"`
	ProfileInput
	Extension map[string]any `json:"extension,omitempty"`
	Orgs      *[]Membership  `json:"orgs,omitempty"`
	Password  *string        `json:"password,omitempty"`
}

// CreateUser creates a user; Username is required.
func (c *Client) CreateUser(ctx context.Context, in UserInput) (User, error) {
	return call[User](ctx, c, request{method: http.MethodPost, path: "/admin/v1/users", body: in, want: http.StatusCreated})
}

// User returns the user with id.
func (c *Client) User(ctx context.Context, id int64) (User, error) {
	return call[User](ctx, c, request{method: http.MethodGet, path: idPath("/admin/v1/users", id), want: http.StatusOK})
}

// UpdateUser changes the fields of in that are not nil, merging Extension
// key by key. With ifVersion > 0 it changes the user only if that is still
// its version, and otherwise fails with status 412; 0 changes any version.
func (c *Client) UpdateUser(ctx context.Context, id int64, in UserInput, ifVersion int64) (User, error) {
	return call[User](ctx, c, request{method: http.MethodPatch, path: idPath("/admin/v1/users", id), body: in, ifMatch: ifVersion, want: http.StatusOK})
}

// DeleteUser deletes the user with id; ifVersion is as for UpdateUser.
func (c *Client) DeleteUser(ctx context.Context, id, ifVersion int64) error {
	return c.do(ctx, request{method: http.MethodDelete, path: idPath("/admin/v1/users", id), ifMatch: ifVersion, want: http.StatusNoContent})
}

// UserQuery filters Users. Empty fields do not filter.
type UserQuery struct {
	// Username, Email and Q match prefixes, ignoring case; Q matches the
	// username, email or name.
	Username, Email, Q string
	// ExternalID matches exactly, case-sensitive.
	ExternalID string
	// PageSize is how many users each request fetches (1–1000; 0 means the
	// server's default, 100).
	PageSize int
}

// Users iterates over the users q selects in id order, fetching a page at
// a time as the loop goes on. A failure is yielded once, and ends it.
func (c *Client) Users(ctx context.Context, q UserQuery) iter.Seq2[User, error] {
	v := url.Values{}
	for k, s := range map[string]string{"username": q.Username, "email": q.Email, "q": q.Q, "external_id": q.ExternalID} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return pages(ctx, c, "/admin/v1/users", v, q.PageSize, func(p *userPage) ([]User, *string) { return p.Users, p.NextCursor })
}

type userPage struct {
	Users      []User  `json:"users"`
	NextCursor *string `json:"next_cursor"`
}

// pages iterates over a cursor-paged list at path, P being its page body
// and items picking the items and the next cursor out of it.
func pages[T, P any](ctx context.Context, c *Client, path string, query url.Values, size int, items func(*P) ([]T, *string)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if size > 0 {
			query.Set("limit", strconv.Itoa(size))
		}
		for {
			var p P
			if err := c.do(ctx, request{method: http.MethodGet, path: path, query: query, want: http.StatusOK, out: &p}); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			list, next := items(&p)
			for _, it := range list {
				if !yield(it, nil) {
					return
				}
			}
			if next == nil || *next == "" {
				return
			}
			query.Set("cursor", *next)
		}
	}
}
