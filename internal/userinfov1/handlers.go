package userinfov1

import (
	"net/http"
	"strings"
	"sync"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// MaxUserIDs is the most ids one request may list in userIds.
const MaxUserIDs = 100

// answerBufs holds buffers to encode answers in, each some flushBytes:
// allocating them afresh for each request cost about as much as encoding
// the answer.
var answerBufs = sync.Pool{New: func() any { return new([]byte) }}

// handleUserInfo answers GET /v1/api/user/info?userIds=71,72.
// A batch lookup is a heavy read of its principal, admitted by
// d.HeavyReads once the ids are known to be well-formed and holding its
// place until the answer is written.
func handleUserInfo(d server.Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := parseLanguage(r.Header.Get("x-language"), r.Header.Get("Accept-Language"))
		p, err := authenticate(r, d.Authn)
		if err != nil {
			writeError(w, r, d.Logger, lang, err)
			return
		}
		ids, err := parseUserIDs(r.URL.Query()["userIds"])
		if err != nil {
			writeError(w, r, d.Logger, lang, err)
			return
		}
		release, err := d.HeavyReads.Admit(p, len(ids))
		if err != nil {
			writeError(w, r, d.Logger, lang, err)
			return
		}
		defer release()
		users, err := d.Service.UsersByID(r.Context(), p, ids)
		if err != nil {
			writeError(w, r, d.Logger, lang, err)
			return
		}
		buf := answerBufs.Get().(*[]byte)
		writeHeader(w, http.StatusOK, lang)
		if *buf, err = writeSuccess(w, *buf, users); err != nil {
			d.Logger.DebugContext(r.Context(), "userinfov1: write response", "err", err)
		}
		answerBufs.Put(buf)
	})
}

// authenticate checks the x-api-token and x-api-tenantId headers: the token
// must be valid and belong to the tenant the header names.
func authenticate(r *http.Request, authn server.Authenticator) (directory.Principal, error) {
	token := strings.TrimSpace(r.Header.Get("x-api-token"))
	if token == "" {
		return directory.Principal{}, &mcodeError{mcodeTokenEmpty}
	}
	tenantID, ok := server.ParseID(strings.TrimSpace(r.Header.Get("x-api-tenantId")))
	if !ok {
		return directory.Principal{}, &mcodeError{mcodeInvalidTenant}
	}
	p, err := server.Authenticate(r, authn, token)
	if err != nil {
		return directory.Principal{}, err
	}
	if p.TenantID != tenantID {
		return directory.Principal{}, &mcodeError{mcodeInvalidTenant}
	}
	return p, nil
}

// parseUserIDs reads the userIds query parameter: ids separated by commas,
// spaces around each allowed; a repeated parameter counts as one list. It
// returns the ids as given (the Service drops duplicates) and rejects an empty
// item, an item that is not an id, and more than MaxUserIDs items.
func parseUserIDs(values []string) ([]int64, error) {
	if len(values) == 0 {
		return nil, &mcodeError{mcodeBadUserIDs}
	}
	// Count the items and read them where they are: joining the values
	// and splitting the result cost two copies of the list.
	n := len(values)
	for _, v := range values {
		n += strings.Count(v, ",")
	}
	if n > MaxUserIDs {
		return nil, &mcodeError{mcodeTooManyUserIDs}
	}
	ids := make([]int64, 0, n)
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			id, ok := server.ParseID(strings.TrimSpace(item))
			if !ok {
				return nil, &mcodeError{mcodeBadUserIDs}
			}
			ids = append(ids, id)
		}
	}
	return ids, nil
}
