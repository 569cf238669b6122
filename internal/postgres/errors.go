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

// constraintFields names the input field each of the schema's unique and
// foreign-key constraints guards (see migrations/), so a violation names
// the field to fix. The Service words the message.
var constraintFields = map[string]string{
	"tenants_name_key":       "name",
	"users_username_key":     "username",
	"users_email_key":        "email",
	"users_manager_fkey":     "manager_id",
	"orgs_code_key":          "code",
	"orgs_parent_fkey":       "parent_id",
	"user_orgs_pkey":         "orgs",
	"user_orgs_primary_key":  "orgs",
	"user_orgs_org_fkey":     "orgs",
	"clients_client_id_key":  "client_id",
	"api_tokens_hash_key":    "token",
	"users_tenant_fkey":      "tenant_id",
	"orgs_tenant_fkey":       "tenant_id",
	"clients_tenant_fkey":    "tenant_id",
	"api_tokens_tenant_fkey": "tenant_id",
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
		return directory.StoreError(directory.Unavailable, "", fmt.Errorf("postgres: %s: %w", op, err))
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// serverError maps an error the server reported.
func serverError(op string, pgErr *pgconn.PgError, err error) error {
	field := constraintFields[pgErr.ConstraintName]
	switch code := pgErr.Code; {
	case code == uniqueViolation:
		return directory.Violation(directory.Taken, field, err)
	case code == foreignKeyViolation:
		// The contract calls a reference to a missing object a Conflict: the
		// Service checked it existed, so it went away in the meantime.
		return directory.Violation(directory.Missing, field, err)
	case code == serializationFailure || code == deadlockDetected:
		return directory.StoreError(directory.Conflict, "", err)
	case strings.HasPrefix(code, "22"):
		// Data exception: a value PostgreSQL cannot store. The Service
		// refuses what it knows of (NUL, invalid UTF-8, extension numbers)
		// before any query.
		return directory.StoreError(directory.Invalid, pgErr.ColumnName, err)
	case strings.HasPrefix(code, "08"), // connection exception
		strings.HasPrefix(code, "53"),                     // insufficient resources, e.g. too many connections
		code == "57P01", code == "57P02", code == "57P03": // server shutting down or starting
		return directory.StoreError(directory.Unavailable, "", err)
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
