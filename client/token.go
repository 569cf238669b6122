package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Token is an access token from the token endpoint.
type Token struct {
	// AccessToken is the bearer credential.
	AccessToken string
	// Scope lists the scopes granted, separated by spaces.
	Scope string
	// Expiry is when the server stops accepting it.
	Expiry time.Time
}

// renewAt is when a Client stops using t and fetches a new token: a minute
// before it expires, or when a tenth of its life remains if that is later.
func (t Token) renewAt(obtained time.Time) time.Time {
	life := t.Expiry.Sub(obtained)
	return t.Expiry.Add(-min(maxRefreshMargin, life/10))
}

// credentials are client credentials and the access token they last got.
type credentials struct {
	clientID, clientSecret, scope string
	// sem guards cached and serializes fetches; a channel so waiting
	// callers can give up when their context ends.
	sem     chan struct{}
	cached  Token
	renewAt time.Time
}

// maxRefreshMargin is the longest a token is renewed before it expires.
const maxRefreshMargin = time.Minute

// Token returns an access token for the Client's client credentials: the
// cached one while it has more than a minute (or a tenth of its life) left,
// else a new one from the token endpoint. It is an error for a Client made
// WithBearer.
func (c *Client) Token(ctx context.Context) (Token, error) {
	if c.creds == nil {
		return Token{}, errors.New("client: Token needs a Client made WithClientCredentials")
	}
	return c.creds.token(ctx, c, false)
}

func (cr *credentials) token(ctx context.Context, c *Client, renew bool) (Token, error) {
	select {
	case cr.sem <- struct{}{}:
	case <-ctx.Done():
		return Token{}, fmt.Errorf("client: wait for an access token: %w", ctx.Err())
	}
	defer func() { <-cr.sem }()
	if !renew && cr.cached.AccessToken != "" && time.Now().Before(cr.renewAt) {
		return cr.cached, nil
	}
	obtained := time.Now()
	t, err := c.fetchToken(ctx, cr)
	if err != nil {
		return Token{}, err
	}
	cr.cached, cr.renewAt = t, t.renewAt(obtained)
	return t, nil
}

// tokenAnswer is the token endpoint's success body.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// fetchToken asks the token endpoint for a new access token.
func (c *Client) fetchToken(ctx context.Context, cr *credentials) (Token, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if cr.scope != "" {
		form.Set("scope", cr.scope)
	}
	u := *c.base
	u.Path += "/oauth/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, fmt.Errorf("client: token request: %w", err)
	}
	req.SetBasicAuth(url.QueryEscape(cr.clientID), url.QueryEscape(cr.clientSecret))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return Token{}, fmt.Errorf("client: token request: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Token{}, readError(resp)
	}
	var a tokenAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || a.AccessToken == "" || a.ExpiresIn <= 0 {
		return Token{}, fmt.Errorf("client: the token endpoint answered 200 without a usable access token (%v)", err)
	}
	return Token{AccessToken: a.AccessToken, Scope: a.Scope, Expiry: start.Add(time.Duration(a.ExpiresIn) * time.Second)}, nil
}
