package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// maxTokenBody bounds the token request body; a real one is under 300 bytes.
const maxTokenBody = 8 << 10

// Routes registers the token endpoint at POST /api/v2/tenant/token (the
// OneAccess path) and POST /oauth/token.
func Routes(mux server.Router, a *Authenticator) {
	h := TokenHandler(a)
	mux.Handle("POST /api/v2/tenant/token", h)
	mux.Handle("POST /oauth/token", h)
}

// TokenHandler serves the OAuth 2.0 client-credentials grant (RFC 6749
// §4.4): a form-encoded body with grant_type=client_credentials, the client
// authenticated by client_id and client_secret in the body or by HTTP Basic
// (§2.3.1), and an optional scope that must be a subset of the client's.
// docs/api/token.md describes the requests, answers and error codes.
//
// An unknown client_id, a wrong secret and a disabled client get the same
// answer after the same work: one store lookup and one constant-time
// comparison, against a dummy hash when there is no client.
func TokenHandler(a *Authenticator) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := a.grant(w, r)
		if err != nil {
			if ge, ok := errors.AsType[*grantError](err); ok {
				a.observer.AuthFailed("token_endpoint", ge.oauth)
			}
			writeTokenError(w, r, a.logger, err)
			return
		}
		a.observer.TokenGranted()
		writeTokenJSON(w, http.StatusOK, tokenResponse{
			AccessToken: tok.value.Reveal(),
			TokenType:   "Bearer",
			ExpiresIn:   int64(tok.expiresIn.Seconds()),
			Scope:       tok.scopes.String(),
		})
	})
}

// tokenRequest is a parsed token request.
type tokenRequest struct {
	clientID     string
	clientSecret directory.Secret
	// scopes is what the client asked for; nil means all of its scopes.
	scopes directory.Scopes
	// basic reports that the client authenticated with HTTP Basic.
	basic bool
}

// grant answers a token request with a new access token or a *grantError.
func (a *Authenticator) grant(w http.ResponseWriter, r *http.Request) (accessToken, error) {
	req, err := parseTokenRequest(w, r)
	if err != nil {
		return accessToken{}, err
	}
	c, err := a.authenticateClient(r, req)
	if err != nil {
		return accessToken{}, err
	}
	scopes := c.Scopes
	if req.scopes != nil {
		if !c.Scopes.Contains(req.scopes) {
			return accessToken{}, errScope.withMsg("the client may request only the scopes it holds: " + c.Scopes.String())
		}
		scopes = req.scopes
	}
	return a.issue(c, scopes)
}

// dummySecretHash stands in for the hash of an unknown client, so the
// answer to an unknown client_id costs the same as to a wrong secret.
var dummySecretHash = directory.HashSecret(directory.NewSecret(directory.ClientSecretPrefix).Reveal())

// authenticateClient returns the client whose credentials req carries. It
// is the one place where client authentication fails. Each attempt is
// counted against the client_id and the source address first, and refused
// with 429 when either has used up its allowance of failures; right
// credentials use none of it. Every failure is audited (at a bounded rate,
// off the request's path) whether or not the client_id exists.
func (a *Authenticator) authenticateClient(r *http.Request, req tokenRequest) (directory.Client, error) {
	at, retryAfter, err := a.limits.begin(r.Context(), req.clientID, r.RemoteAddr)
	if err != nil {
		return directory.Client{}, err
	}
	if retryAfter > 0 {
		a.logger.InfoContext(r.Context(), "auth: client authentication refused: too many failures", "client_id", loggableClientID(req.clientID))
		return directory.Client{}, errRateLimited.after(retryAfter)
	}
	c, err := a.client(r.Context(), req.clientID)
	found := err == nil
	if err != nil && directory.KindOf(err) != directory.NotFound {
		at.end(false)
		return directory.Client{}, err
	}
	hash := dummySecretHash
	if found {
		hash = c.SecretHash
	}
	matches := directory.SecretMatches(req.clientSecret.Reveal(), hash)
	if !found || !matches || c.Disabled {
		at.end(true)
		a.logger.InfoContext(r.Context(), "auth: client authentication failed", "client_id", loggableClientID(req.clientID))
		a.failures.record(r.Context(), failedAuthEvent(c.TenantID, req.clientID, r.RemoteAddr, a.now()))
		return directory.Client{}, errClientAuth.viaBasic(req.basic)
	}
	at.end(false)
	return c, nil
}

// errNoSuchClient stands for the store's answer to a client_id no client
// can have.
var errNoSuchClient = directory.Errorf(directory.NotFound, "", "no such client")

// client looks up the client of clientID. A client_id that is not text
// every engine can hold (directory.CheckText) is no client's: it is
// answered NotFound without a query, as an unknown client_id is.
func (a *Authenticator) client(ctx context.Context, clientID string) (directory.Client, error) {
	if directory.CheckText("client_id", clientID) != nil {
		return directory.Client{}, errNoSuchClient
	}
	return a.store.ClientByClientID(ctx, clientID)
}

// tokenParams are the parameters of a token request; each may appear once.
var tokenParams = []string{"grant_type", "client_id", "client_secret", "scope"}

// parseTokenRequest reads and checks a token request up to, not including,
// the client's credentials.
func parseTokenRequest(w http.ResponseWriter, r *http.Request) (tokenRequest, error) {
	query := r.URL.Query()
	for _, p := range tokenParams {
		if query.Has(p) {
			return tokenRequest{}, errInQuery
		}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return tokenRequest{}, errContentType
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTokenBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return tokenRequest{}, errBodyTooLarge
		}
		return tokenRequest{}, errMalformed
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return tokenRequest{}, errMalformed
	}
	for _, p := range tokenParams {
		if len(form[p]) > 1 {
			return tokenRequest{}, errRepeated.withMsg("parameter " + p + " appears more than once")
		}
	}

	switch gt := form.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		return tokenRequest{}, errNoGrantType
	default:
		return tokenRequest{}, errGrantType
	}

	var req tokenRequest
	if s := form.Get("scope"); strings.TrimSpace(s) != "" {
		scopes, err := directory.ParseScopes(s)
		if err != nil {
			return tokenRequest{}, errScope.withMsg(directory.AsError(err).Message)
		}
		req.scopes = scopes
	}

	auth, inHeader := r.Header["Authorization"]
	if inHeader && (form.Has("client_id") || form.Has("client_secret")) {
		return tokenRequest{}, errTwoMethods
	}
	if inHeader {
		id, secret, ok := parseBasic(auth)
		if !ok {
			return tokenRequest{}, errBadBasic
		}
		req.clientID, req.clientSecret, req.basic = id, directory.Secret(secret), true
	} else {
		req.clientID, req.clientSecret = form.Get("client_id"), directory.Secret(form.Get("client_secret"))
	}
	if req.clientID == "" || req.clientSecret == "" {
		return tokenRequest{}, errNoClient.viaBasic(req.basic)
	}
	return req, nil
}

// parseBasic reads HTTP Basic credentials whose user and password are each
// form-urlencoded, as RFC 6749 §2.3.1 asks of client credentials.
func parseBasic(header []string) (id, secret string, ok bool) {
	if len(header) != 1 {
		return "", "", false
	}
	scheme, encoded, ok := strings.Cut(header[0], " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return "", "", false
	}
	rawID, rawSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", false
	}
	id, err1 := url.QueryUnescape(rawID)
	secret, err2 := url.QueryUnescape(rawSecret)
	if err1 != nil || err2 != nil {
		return "", "", false
	}
	return id, secret, true
}

// truncate shortens a caller-chosen string before it is logged.
func truncate(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}
