// Package client is a typed Go client for userd's native admin API
// (/admin/v1: users, orgs, API clients, API tokens, the audit log and the
// change log) and its OAuth 2.0 token endpoint (/oauth/token).
//
// A Client authenticates either with client credentials, getting access
// tokens from the token endpoint, caching them and fetching a new one
// shortly before each expires, or with a fixed bearer credential such as an
// API token (udt_...). Every call takes a context. A failure the server
// answered is an *Error carrying the problem details (type, title, status,
// detail, field).
//
// It is safe for concurrent use.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Client talks to one userd server.
type Client struct {
	base  *url.URL
	http  *http.Client
	creds *credentials
	// bearer is a fixed credential (WithBearer); empty with client credentials.
	bearer string
}

// Option configures a Client.
type Option func(*Client)

// WithClientCredentials authenticates with an API client's id and secret
// through the token endpoint, asking for scopes (all of the client's when
// none are given).
func WithClientCredentials(clientID, clientSecret string, scopes ...string) Option {
	return func(c *Client) {
		c.creds = &credentials{clientID: clientID, clientSecret: clientSecret, scope: strings.Join(scopes, " "), sem: make(chan struct{}, 1)}
	}
}

// WithBearer authenticates every request with a fixed bearer credential: an
// API token (udt_...) or an access token obtained elsewhere.
func WithBearer(credential string) Option {
	return func(c *Client) { c.bearer = credential }
}

// WithHTTPClient sends requests with h instead of http.DefaultClient.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) { c.http = h }
}

// New returns a Client for the userd at baseURL (such as
// https://userd.example.com), authenticating as the options say.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q must be an absolute http:// or https:// URL", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	c := &Client{base: u, http: http.DefaultClient}
	for _, o := range opts {
		o(c)
	}
	if (c.creds == nil) == (c.bearer == "") {
		return nil, errors.New("client: give exactly one of WithClientCredentials and WithBearer")
	}
	return c, nil
}

// Error is a request the server refused or failed. For the admin API its
// fields are the RFC 9457 problem details; for the token endpoint Title is
// the OAuth 2.0 error (invalid_client, ...), Detail its message and Code
// userd's error code (TOKEN.1203, ...).
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Type is the problem type, a URL into docs/api/admin.md.
	Type string
	// Title is the short summary of the problem type.
	Title string
	// Detail says what was wrong with this request.
	Detail string
	// Field names the request field at fault (a body key such as "email",
	// a query parameter or a header), or is "".
	Field string
	// Code is the token endpoint's error_code, or "".
	Code string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("userd: %d %s", e.Status, e.Title)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Field != "" {
		msg += " (field " + e.Field + ")"
	}
	return msg
}

// IsNotFound reports whether err is the server saying there is no such
// object (404).
func IsNotFound(err error) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.Status == http.StatusNotFound
}

// problem is an error body of either API.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Detail    string `json:"detail"`
	Field     string `json:"field"`
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	OAuth     string `json:"error"`
}

// readError turns a failed response into an *Error.
func readError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &Error{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode)}
	var p problem
	if json.Unmarshal(body, &p) != nil {
		e.Detail = strings.TrimSpace(string(body))
		return e
	}
	switch {
	case p.ErrorCode != "":
		e.Title, e.Detail, e.Code = p.OAuth, p.ErrorMsg, p.ErrorCode
	case p.Title != "":
		e.Type, e.Title, e.Detail, e.Field = p.Type, p.Title, p.Detail, p.Field
	}
	return e
}

// request describes one admin API call.
type request struct {
	method, path string
	query        url.Values
	body         any
	// ifMatch is the version for If-Match; 0 sends none.
	ifMatch int64
	// want is the success status.
	want int
	// out receives the decoded answer; nil discards it.
	out any
}

// do sends r, authenticated, and decodes the answer. When an access token
// from the cache is refused (401), it fetches a new one and tries once more.
func (c *Client) do(ctx context.Context, r request) error {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("client: encode %s %s: %w", r.method, r.path, err)
		}
	}
	for attempt := 0; ; attempt++ {
		credential, err := c.credential(ctx, attempt > 0)
		if err != nil {
			return err
		}
		resp, err := c.send(ctx, r, body, credential)
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusUnauthorized && c.creds != nil && attempt == 0 {
			resp.Body.Close()
			continue
		}
		return decode(resp, r)
	}
}

func (c *Client) send(ctx context.Context, r request, body []byte, credential string) (*http.Response, error) {
	u := *c.base
	u.Path += r.path
	u.RawQuery = r.query.Encode()
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: %w", r.method, r.path, err)
	}
	req.Header.Set("Authorization", "Bearer "+credential)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.ifMatch != 0 {
		req.Header.Set("If-Match", strconv.Quote(strconv.FormatInt(r.ifMatch, 10)))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: %w", r.method, r.path, err)
	}
	return resp, nil
}

func decode(resp *http.Response, r request) error {
	defer resp.Body.Close()
	if resp.StatusCode != r.want {
		return readError(resp)
	}
	if r.out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(r.out); err != nil {
		return fmt.Errorf("client: decode the answer to %s %s: %w", r.method, r.path, err)
	}
	return nil
}

// credential returns the bearer credential to send; renew discards a
// cached access token first.
func (c *Client) credential(ctx context.Context, renew bool) (string, error) {
	if c.creds == nil {
		return c.bearer, nil
	}
	t, err := c.creds.token(ctx, c, renew)
	return t.AccessToken, err
}

// call does r and returns the answer decoded as a T.
func call[T any](ctx context.Context, c *Client, r request) (T, error) {
	var out T
	r.out = &out
	err := c.do(ctx, r)
	return out, err
}

// idPath is prefix followed by a decimal id.
func idPath(prefix string, id int64) string { return prefix + "/" + strconv.FormatInt(id, 10) }
