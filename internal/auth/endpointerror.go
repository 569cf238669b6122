package auth

import (
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// grantError is a token endpoint failure: the OneAccess-style error_code
// and error_msg, and the RFC 6749 §5.2 error name. docs/api/token.md lists
// every code.
type grantError struct {
	code  string
	oauth string
	msg   string
	// status is the HTTP status; 0 means 400.
	status int
	// basic reports that the client tried HTTP Basic, which RFC 6749 §5.2
	// answers with 401 and WWW-Authenticate when authentication fails.
	basic bool
	// retryAfter, when set, is sent as Retry-After in whole seconds.
	retryAfter time.Duration
}

func (e *grantError) Error() string { return "auth: token request: " + e.oauth + ": " + e.msg }

// withMsg returns a copy of e saying msg.
func (e *grantError) withMsg(msg string) *grantError {
	c := *e
	c.msg = msg
	return &c
}

// viaBasic returns a copy of e for a client that used HTTP Basic or not.
func (e *grantError) viaBasic(basic bool) *grantError {
	c := *e
	c.basic = basic
	return &c
}

// after returns a copy of e telling the caller to retry after d.
func (e *grantError) after(d time.Duration) *grantError {
	c := *e
	c.retryAfter = d
	return &c
}

// The token endpoint's errors.
var (
	errContentType  = &grantError{code: "TOKEN.1001", oauth: "invalid_request", msg: "the body must be application/x-www-form-urlencoded"}
	errBodyTooLarge = &grantError{code: "TOKEN.1002", oauth: "invalid_request", msg: "the body is too large", status: http.StatusRequestEntityTooLarge}
	errMalformed    = &grantError{code: "TOKEN.1003", oauth: "invalid_request", msg: "the body is not a valid form"}
	errRepeated     = &grantError{code: "TOKEN.1004", oauth: "invalid_request", msg: "a parameter appears more than once"}
	errInQuery      = &grantError{code: "TOKEN.1005", oauth: "invalid_request", msg: "send the token request parameters in the body, not in the URL"}
	errNoGrantType  = &grantError{code: "TOKEN.1006", oauth: "invalid_request", msg: "grant_type is required"}
	errTwoMethods   = &grantError{code: "TOKEN.1007", oauth: "invalid_request", msg: "send client credentials either with HTTP Basic or as client_id and client_secret in the body, not both"}
	errGrantType    = &grantError{code: "TOKEN.1101", oauth: "unsupported_grant_type", msg: "grant_type must be client_credentials"}
	errNoClient     = &grantError{code: "TOKEN.1201", oauth: "invalid_client", msg: "client_id and client_secret are required"}
	errBadBasic     = &grantError{code: "TOKEN.1202", oauth: "invalid_client", msg: "the Authorization header must be Basic with a form-urlencoded client_id:client_secret", basic: true}
	errClientAuth   = &grantError{code: "TOKEN.1203", oauth: "invalid_client", msg: "client authentication failed"}
	errRateLimited  = &grantError{code: "TOKEN.1204", oauth: "invalid_client", msg: "too many failed authentications for this client or from this address; retry after the number of seconds in Retry-After", status: http.StatusTooManyRequests}
	errScope        = &grantError{code: "TOKEN.1301", oauth: "invalid_scope", msg: "the requested scope is invalid"}
	errServer       = &grantError{code: "TOKEN.5000", oauth: "server_error", msg: "internal error; try again later", status: http.StatusInternalServerError}
	errUnavailable  = &grantError{code: "TOKEN.5001", oauth: "temporarily_unavailable", msg: "the directory is unavailable; try again later", status: http.StatusServiceUnavailable}
)

// tokenResponse is a successful answer (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// errorBody is an error answer: OneAccess's fields plus RFC 6749 §5.2's
// error and error_description, the message standard OAuth 2.0 clients
// show; it repeats error_msg.
type errorBody struct {
	ErrorCode        string `json:"error_code"`
	ErrorMsg         string `json:"error_msg"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// writeTokenError answers err. It is the one place that maps token endpoint
// errors to status codes; internal details are logged, never sent.
func writeTokenError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	ge, ok := errors.AsType[*grantError](err)
	if !ok {
		server.LogError(logger, r, slog.LevelError, "auth: token request failed", err)
		ge = errServer
		if directory.KindOf(err) == directory.Unavailable {
			ge = errUnavailable
		}
	}
	if ge.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64(math.Ceil(ge.retryAfter.Seconds())), 10))
	}
	status := http.StatusBadRequest
	switch {
	case ge.status != 0:
		status = ge.status
	case ge.basic && ge.oauth == "invalid_client":
		w.Header().Set("WWW-Authenticate", `Basic realm="userd"`)
		status = http.StatusUnauthorized
	}
	writeTokenJSON(w, status, errorBody{ErrorCode: ge.code, ErrorMsg: ge.msg, Error: ge.oauth, ErrorDescription: ge.msg})
}

// writeTokenJSON writes v with status and the no-store headers RFC 6749
// §5.1 asks of every token endpoint answer.
func writeTokenJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // a failed write means the caller has gone
}
