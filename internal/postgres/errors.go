package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"github.com/userd/userd/internal/directory"
)

// SQLSTATE codes the store reacts to
// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	uniqueViolation      = "23505"
	foreignKeyViolation  = "23503"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
)

// constraint says which input field a named constraint guards and what to
// tell the caller when a change breaks it.
type constraint struct {
	field   string
	message string
}

// constraints lists the schema's unique and foreign-key constraints by name
// (see migrations/), so a violation names the field to fix.
var constraints = map[string]constraint{
	"tenants_name_key":       {"name", "is already taken by another tenant"},
	"users_username_key":     {"username", "is already taken in this tenant"},
	"users_email_key":        {"email", "is already used by another user of this tenant"},
	"users_manager_fkey":     {"manager_id", "names a user that does not exist"},
	"orgs_code_key":          {"code", "is already used by another org of this tenant"},
	"orgs_parent_fkey":       {"parent_id", "names an org that does not exist"},
	"user_orgs_pkey":         {"orgs", "lists an org twice"},
	"user_orgs_primary_key":  {"orgs", "at most one org may be primary (relation_type 1)"},
	"user_orgs_org_fkey":     {"orgs", "names an org that does not exist"},
	"clients_client_id_key":  {"client_id", "is already taken"},
	"api_tokens_hash_key":    {"token", "is already taken"},
	"users_tenant_fkey":      {"tenant_id", "names a tenant that does not exist"},
	"orgs_tenant_fkey":       {"tenant_id", "names a tenant that does not exist"},
	"clients_tenant_fkey":    {"tenant_id", "names a tenant that does not exist"},
	"api_tokens_tenant_fkey": {"tenant_id", "names a tenant that does not exist"},
}

// storeError turns an error from pgx into the *directory.Error the Store
// contract promises, by SQLSTATE and constraint name, never by message text.
// op names the operation for the errors that are only logged. A
// *directory.Error passes through unchanged; nil stays nil.
func storeError(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *directory.Error
	if errors.As(err, &de) {
		return de
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && !isConnectError(err) {
		return serverError(op, pgErr, err)
	}
	if unavailable(err) {
		return &directory.Error{Kind: directory.Unavailable, Message: "the database cannot be reached; retry later", Err: fmt.Errorf("postgres: %s: %w", op, err)}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// serverError maps an error the server reported.
func serverError(op string, pgErr *pgconn.PgError, err error) error {
	c, known := constraints[pgErr.ConstraintName]
	switch code := pgErr.Code; {
	case code == uniqueViolation:
		if !known {
			c.message = "already exists"
		}
		return &directory.Error{Kind: directory.Conflict, Field: c.field, Message: c.message, Err: err}
	case code == foreignKeyViolation:
		// The contract calls a reference to a missing object a Conflict: the
		// Service checked it existed, so it went away in the meantime.
		if !known {
			c.message = "names an object that does not exist"
		}
		return &directory.Error{Kind: directory.Conflict, Field: c.field, Message: c.message, Err: err}
	case code == serializationFailure || code == deadlockDetected:
		return &directory.Error{Kind: directory.Conflict, Message: "the change collided with a concurrent one; retry it", Err: err}
	case strings.HasPrefix(code, "22"):
		// Data exception: a value PostgreSQL cannot store, such as a NUL
		// character inside the JSON of an extension.
		return &directory.Error{Kind: directory.Invalid, Field: pgErr.ColumnName,
			Message: "a value cannot be stored (SQLSTATE " + code + "): NUL characters, invalid UTF-8 and out-of-range numbers are rejected", Err: err}
	case strings.HasPrefix(code, "08"), // connection exception
		strings.HasPrefix(code, "53"),                     // insufficient resources, e.g. too many connections
		code == "57P01", code == "57P02", code == "57P03": // server shutting down or starting
		return &directory.Error{Kind: directory.Unavailable, Message: "the database cannot be reached; retry later", Err: err}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// unavailable reports whether err means the server could not be reached or
// did not answer in time.
func unavailable(err error) bool {
	var netErr net.Error
	return isConnectError(err) ||
		errors.Is(err, context.DeadlineExceeded) ||
		pgconn.Timeout(err) ||
		errors.As(err, &netErr) ||
		errors.Is(err, pgconn.ErrConnClosed) ||
		// The store was closed: the node is shutting down, and another
		// one may answer.
		errors.Is(err, puddle.ErrClosedPool)
}

func isConnectError(err error) bool {
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr)
}

// retryable reports whether err is a deadlock or serialization failure, after
// which the whole transaction may simply be run again.
func retryable(err error) bool {
	return isCode(err, serializationFailure) || isCode(err, deadlockDetected)
}

// isCode reports whether err is a server error with SQLSTATE code.
func isCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}
