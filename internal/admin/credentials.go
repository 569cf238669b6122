package admin

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/userd/userd/internal/directory"
)

func (a *api) createClient(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	var in clientInput
	if _, err := a.readJSON(w, r, &in, mediaJSON); err != nil {
		return err
	}
	scopes, err := directory.ParseScopes(in.Scope)
	if err != nil {
		return err
	}
	c, secret, err := a.svc.CreateClient(r.Context(), p, in.Name, scopes)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, clientCreatedJSON{clientJSON: toClientJSON(c), ClientSecret: secret.Reveal()})
}

func (a *api) listClients(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	clients, next, err := pageByID(a, r, p, "clients", a.svc.Clients)
	if err != nil {
		return err
	}
	return writeList(w, r, "clients", clients, func(c directory.Client) any { return toClientJSON(c) }, pageTail{NextCursor: next})
}

// pageByID reads the page of a list ordered by id (called list, for its
// cursors) that the request's limit and cursor ask for, with read, a
// Service method, and returns it with the cursor of the next page (nil on
// the last).
func pageByID[T any](a *api, r *http.Request, p directory.Principal, list string,
	read func(ctx context.Context, p directory.Principal, afterID int64, limit int) ([]T, int64, error)) ([]T, *string, error) {
	q, err := query(r, "limit", "cursor")
	if err != nil {
		return nil, nil, err
	}
	n, err := limit(q)
	if err != nil {
		return nil, nil, err
	}
	after, err := a.cursors.open(r.Context(), p.TenantID, q.Get("cursor"), list)
	if err != nil {
		return nil, nil, err
	}
	items, next, err := read(r.Context(), p, after.ID, n)
	if err != nil {
		return nil, nil, err
	}
	cursor, err := a.cursors.seal(r.Context(), p.TenantID, position{ID: next}, list)
	return items, cursor, err
}

func (a *api) patchClient(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	var in clientPatchInput
	if _, err := a.readJSON(w, r, &in, mediaMergePatch, mediaJSON); err != nil {
		return err
	}
	if in.Disabled == nil {
		return directory.Errorf(directory.Invalid, "disabled", "is required: true disables the client, false enables it")
	}
	c, err := a.svc.SetClientDisabled(r.Context(), p, r.PathValue("client_id"), *in.Disabled)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toClientJSON(c))
}

func (a *api) createToken(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	var in tokenInput
	if _, err := a.readJSON(w, r, &in, mediaJSON); err != nil {
		return err
	}
	scopes, err := directory.ParseScopes(in.Scope)
	if err != nil {
		return err
	}
	var ttl time.Duration
	if in.ExpiresIn != nil {
		// Out-of-range values stay out of range without overflowing, for the
		// Service to reject.
		switch n := *in.ExpiresIn; {
		case n < 0:
			ttl = -1
		case n > math.MaxInt64/int64(time.Second):
			ttl = math.MaxInt64
		default:
			ttl = time.Duration(n) * time.Second
		}
	}
	t, secret, err := a.svc.CreateAPIToken(r.Context(), p, in.Name, scopes, ttl)
	if e := (*directory.Error)(nil); errors.As(err, &e) && e.Field == "expires" {
		return directory.Errorf(e.Kind, "expires_in", "must be a number of seconds up to %d; 0 or leaving it out makes a token that never expires", int64(directory.MaxTokenLifetime/time.Second))
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, tokenCreatedJSON{tokenJSON: toTokenJSON(t), Token: secret.Reveal()})
}

func (a *api) listTokens(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	tokens, next, err := pageByID(a, r, p, "tokens", a.svc.APITokens)
	if err != nil {
		return err
	}
	return writeList(w, r, "tokens", tokens, func(t directory.APIToken) any { return toTokenJSON(t) }, pageTail{NextCursor: next})
}

func (a *api) revokeToken(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := a.svc.RevokeAPIToken(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *api) listAuditEvents(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	events, next, err := pageByID(a, r, p, "audit-events", a.svc.AuditEvents)
	if err != nil {
		return err
	}
	return writeList(w, r, "events", events, func(e directory.Event) any { return toEventJSON(e) }, pageTail{NextCursor: next})
}
