package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Org is an organization. Code is "" when it has none and ParentID 0 for
// a root org.
type Org struct {
	ID        int64     `json:"id"`
	TenantID  int64     `json:"tenant_id"`
	Name      string    `json:"name"`
	Code      string    `json:"code"`
	ParentID  int64     `json:"parent_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

// OrgInput is the body of CreateOrg and UpdateOrg; nil fields are left out
// as in UserInput. Name is required on create.
type OrgInput struct {
	Name     *string `json:"name,omitempty"`
	Code     *string `json:"code,omitempty"`
	ParentID *int64  `json:"parent_id,omitempty"`
}

// CreateOrg creates an org.
func (c *Client) CreateOrg(ctx context.Context, in OrgInput) (Org, error) {
	return call[Org](ctx, c, request{method: http.MethodPost, path: "/admin/v1/orgs", body: in, want: http.StatusCreated})
}

// Org returns the org with id.
func (c *Client) Org(ctx context.Context, id int64) (Org, error) {
	return call[Org](ctx, c, request{method: http.MethodGet, path: idPath("/admin/v1/orgs", id), want: http.StatusOK})
}

// UpdateOrg changes the fields of in that are not nil; ifVersion is as for
// UpdateUser.
func (c *Client) UpdateOrg(ctx context.Context, id int64, in OrgInput, ifVersion int64) (Org, error) {
	return call[Org](ctx, c, request{method: http.MethodPatch, path: idPath("/admin/v1/orgs", id), body: in, ifMatch: ifVersion, want: http.StatusOK})
}

// DeleteOrg deletes the org with id, which must have no members or child
// orgs (else status 409); ifVersion is as for UpdateUser.
func (c *Client) DeleteOrg(ctx context.Context, id, ifVersion int64) error {
	return c.do(ctx, request{method: http.MethodDelete, path: idPath("/admin/v1/orgs", id), ifMatch: ifVersion, want: http.StatusNoContent})
}

// OrgQuery filters Orgs. Zero fields do not filter.
type OrgQuery struct {
	// ParentID keeps the direct children of that org.
	ParentID int64
	// Q matches a prefix of the name or code, ignoring case.
	Q string
	// PageSize is as for UserQuery.
	PageSize int
}

// Orgs iterates over the orgs q selects in id order, like Users.
func (c *Client) Orgs(ctx context.Context, q OrgQuery) iter.Seq2[Org, error] {
	v := url.Values{}
	if q.ParentID != 0 {
		v.Set("parent_id", strconv.FormatInt(q.ParentID, 10))
	}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	return pages(ctx, c, "/admin/v1/orgs", v, q.PageSize, func(p *orgPage) ([]Org, *string) { return p.Orgs, p.NextCursor })
}

type orgPage struct {
	Orgs       []Org   `json:"orgs"`
	NextCursor *string `json:"next_cursor"`
}
