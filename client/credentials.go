package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// APIClient is a client of the client-credentials grant. Its secret is
// shown only by CreateClient.
type APIClient struct {
	ClientID  string    `json:"client_id"`
	Name      string    `json:"name"`
	Scope     string    `json:"scope"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateClient creates an API client allowed scope (scopes separated by
// spaces) and returns it with its secret, which the server never shows
// again.
func (c *Client) CreateClient(ctx context.Context, name, scope string) (APIClient, string, error) {
	var out struct {
		APIClient
		ClientSecret string `json:"client_secret"`
	}
	err := c.do(ctx, request{method: http.MethodPost, path: "/admin/v1/clients", body: map[string]string{"name": name, "scope": scope}, want: http.StatusCreated, out: &out})
	return out.APIClient, out.ClientSecret, err
}

// Clients returns every API client of the tenant, reading every page.
func (c *Client) Clients(ctx context.Context) ([]APIClient, error) {
	return collect(pages(ctx, c, "/admin/v1/clients", url.Values{}, credentialPageSize, func(p *clientPage) ([]APIClient, *string) { return p.Clients, p.NextCursor }))
}

type clientPage struct {
	Clients    []APIClient `json:"clients"`
	NextCursor *string     `json:"next_cursor"`
}

// credentialPageSize is how many clients or tokens Clients and Tokens ask
// for per request: the most the admin API serves. Tests lower it.
var credentialPageSize = 1000

// collect gathers every item of seq, or its first error.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var all []T
	for it, err := range seq {
		if err != nil {
			return nil, err
		}
		all = append(all, it)
	}
	return all, nil
}

// SetClientDisabled disables or enables an API client. A disabled client
// gets no new access tokens, and the ones it holds stop working within the
// server's cache lifetime (10 s by default).
func (c *Client) SetClientDisabled(ctx context.Context, clientID string, disabled bool) (APIClient, error) {
	return call[APIClient](ctx, c, request{method: http.MethodPatch, path: "/admin/v1/clients/" + url.PathEscape(clientID), body: map[string]bool{"disabled": disabled}, want: http.StatusOK})
}

// APIToken is a static bearer token. Its secret is shown only by
// CreateToken.
type APIToken struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Scope     string     `json:"scope"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	CreatedAt time.Time  `json:"created_at"`
}

// CreateToken creates an API token allowed scope, valid for expiresIn (0:
// forever), and returns it with its secret (udt_...), which the server
// never shows again.
func (c *Client) CreateToken(ctx context.Context, name, scope string, expiresIn time.Duration) (APIToken, string, error) {
	in := struct {
		Name      string `json:"name"`
		Scope     string `json:"scope"`
		ExpiresIn int64  `json:"expires_in,omitempty"`
	}{name, scope, int64(expiresIn / time.Second)}
	var out struct {
		APIToken
		Token string `json:"token"`
	}
	err := c.do(ctx, request{method: http.MethodPost, path: "/admin/v1/tokens", body: in, want: http.StatusCreated, out: &out})
	return out.APIToken, out.Token, err
}

// Tokens returns every API token of the tenant, revoked ones included,
// reading every page.
func (c *Client) Tokens(ctx context.Context) ([]APIToken, error) {
	return collect(pages(ctx, c, "/admin/v1/tokens", url.Values{}, credentialPageSize, func(p *tokenPage) ([]APIToken, *string) { return p.Tokens, p.NextCursor }))
}

type tokenPage struct {
	Tokens     []APIToken `json:"tokens"`
	NextCursor *string    `json:"next_cursor"`
}

// RevokeToken revokes the API token with id. Every node refuses it within
// the server's cache lifetime (10 s by default).
func (c *Client) RevokeToken(ctx context.Context, id int64) error {
	return c.do(ctx, request{method: http.MethodDelete, path: idPath("/admin/v1/tokens", id), want: http.StatusNoContent})
}
