package userinfov1

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// The mcodes of the dialect; docs/api/user-info-v1.md lists them.
const (
	mcodeSuccess        = "m0000000"
	mcodeTokenEmpty     = "BW_API_0000001"
	mcodeInvalidTenant  = "BW_API_0000003"
	mcodeNoPermission   = "BW_API_0000004"
	mcodeBadUserIDs     = "BW_API_0000010"
	mcodeTooManyUserIDs = "BW_API_0000011"
	mcodeBadToken       = "PUB_AUTH_0000007"
	mcodeServiceError   = "-1"
)

// messages holds every errorMessage in English and Chinese.
var messages = map[string][2]string{
	mcodeTokenEmpty:     {"token is empty", "token为空"},
	mcodeInvalidTenant:  {"Invalid tenantID", "无效的租户ID"},
	mcodeNoPermission:   {"OPENAPI permission not opened", "OPENAPI权限未开通"},
	mcodeBadUserIDs:     {"userIds is missing or malformed; give user ids separated by commas, such as userIds=71,72", "userIds缺失或格式错误，请提供以逗号分隔的用户ID，例如 userIds=71,72"},
	mcodeTooManyUserIDs: {"too many userIds; give at most 100 per request", "userIds过多，每次请求最多100个"},
	mcodeBadToken:       {"token is invalid, expired or revoked", "token无效、已过期或已被撤销"},
	mcodeServiceError:   {"Service exception,try again later", "服务异常，请稍后重试"},
}

// mcodeError is an error the dialect itself finds in a request.
type mcodeError struct{ mcode string }

func (e *mcodeError) Error() string {
	return "userinfov1: " + e.mcode + ": " + messages[e.mcode][english]
}

// errorBody is the dialect's error answer.
type errorBody struct {
	Result       bool   `json:"result"`
	Mcode        string `json:"mcode"`
	ErrorMessage string `json:"errorMessage"`
}

// writeError answers err as {"result": false, "mcode", "errorMessage"} in
// lang. It is the one place that maps errors to mcodes: every answer is HTTP
// 200 except the service exception (-1), which answers 429 when the caller
// has too many batch lookups in flight and 503 when the node does (both
// with Retry-After), 503 when the directory is unavailable (retrying later
// may succeed), and else 500; the last two are logged.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, lang language, err error) {
	mcode := mcodeServiceError
	var me *mcodeError
	if errors.As(err, &me) {
		mcode = me.mcode
	} else {
		switch directory.KindOf(err) {
		case directory.Unauthenticated:
			mcode = mcodeBadToken
		case directory.Forbidden:
			mcode = mcodeNoPermission
		case directory.Invalid:
			mcode = mcodeBadUserIDs
		case directory.TooMany, directory.Overloaded:
			// The seed has no code of its own for these; -1 already
			// tells its clients to try again later.
		default:
			server.LogError(logger, r, slog.LevelError, "userinfov1: service error", err)
		}
	}
	status := http.StatusOK
	switch kind := directory.KindOf(err); {
	case mcode != mcodeServiceError:
	case kind == directory.TooMany:
		w.Header().Set("Retry-After", "1")
		status = http.StatusTooManyRequests
	case kind == directory.Overloaded:
		w.Header().Set("Retry-After", "1")
		status = http.StatusServiceUnavailable
	case kind == directory.Unavailable:
		status = http.StatusServiceUnavailable
	default:
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, lang, errorBody{Mcode: mcode, ErrorMessage: messages[mcode][lang]})
}

// writeJSON writes v as the response body with status.
func writeJSON(w http.ResponseWriter, status int, lang language, v any) {
	w.Header().Set("Content-Language", lang.tag())
	_ = server.WriteJSON(w, status, "application/json", v) // the dialect's bodies always encode
}

// writeHeader starts an answer of status in lang; the JSON body follows.
func writeHeader(w http.ResponseWriter, status int, lang language) {
	w.Header().Set("Content-Language", lang.tag())
	server.StartBody(w, status, "application/json")
}
