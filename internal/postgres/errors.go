package postgres

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
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
	invalidCatalogName   = "3D000" // the database does not exist
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
// *directory.Error or *directory.BatchError passes through unchanged; nil
// stays nil.
func storeError(op string, err error) error {
	if err == nil {
		return nil
	}
	var be *directory.BatchError
	if errors.As(err, &be) {
		return be
	}
	var de *directory.Error
	if errors.As(err, &de) {
		return de
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return connectError(op, connErr, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return serverError(op, pgErr, err)
	}
	if unavailable(err) {
		return directory.StoreError(directory.Unavailable, "", fmt.Errorf("postgres: %s: %w", op, err))
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// unreachable is the message of an Unavailable error from a connection
// that failed or was lost: a retry may well succeed.
const unreachable = "the database cannot be reached; retry later, or check the host and port in --db (USERD_DB)"

// connectError maps a failed connection attempt. What a retry can fix (no
// answer, a refused or reset connection, a server starting or out of
// connections) is Unavailable; what it never fixes (a refused login, a
// missing database, a TLS failure, anything unknown) is Internal, with a
// message saying what to change in --db, so a node does not wait forever
// for a mistake to heal. It decides by SQLSTATE and error type, never by
// message text.
func connectError(op string, connErr *pgconn.ConnectError, err error) error {
	wrapped := fmt.Errorf("postgres: %s: %w", op, err)
	mistake := func(format string, args ...any) error {
		return &directory.Error{Kind: directory.Internal, Message: fmt.Sprintf(format, args...) + "; retrying will not help", Err: wrapped}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch code := pgErr.Code; {
		case strings.HasPrefix(code, "28"): // invalid authorization: bad password, unknown role, pg_hba.conf
			return mistake("the database server refused the login of user %q (SQLSTATE %s): check the user and password in --db (USERD_DB) and the server's pg_hba.conf", connErr.Config.User, code)
		case code == invalidCatalogName:
			return mistake("the database %q does not exist on the server (SQLSTATE %s): create it, or fix the database name in --db (USERD_DB)", connErr.Config.Database, code)
		case transientServerState(code):
			return &directory.Error{Kind: directory.Unavailable, Message: unreachable, Err: wrapped}
		}
		return mistake("the database server refused the connection (SQLSTATE %s): check --db (USERD_DB)", pgErr.Code)
	}
	if isTLSError(err) {
		return mistake("the TLS connection to the database failed: check sslmode, sslrootcert and the host name in --db (USERD_DB)")
	}
	if unavailable(err) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &directory.Error{Kind: directory.Unavailable, Message: unreachable, Err: wrapped}
	}
	return mistake("cannot connect to the database: check the host, port, sslmode and other settings in --db (USERD_DB)")
}

// transientServerState reports whether SQLSTATE code, sent while
// connecting, means the server may accept a later attempt.
func transientServerState(code string) bool {
	return strings.HasPrefix(code, "08") || // connection exception
		strings.HasPrefix(code, "53") || // insufficient resources, e.g. too many connections
		code == "57P01" || code == "57P02" || code == "57P03" // shutting down, crashed, starting
}

// isTLSError reports whether err comes from TLS: a certificate that does not
// verify, a server that does not speak TLS, an alert from the server.
func isTLSError(err error) bool {
	var (
		verify    *tls.CertificateVerificationError
		header    tls.RecordHeaderError
		alert     tls.AlertError
		authority x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &header) || errors.As(err, &alert) ||
		errors.As(err, &authority) || errors.As(err, &hostname) || errors.As(err, &invalid)
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
	case transientServerState(code):
		return directory.StoreError(directory.Unavailable, "", err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// unavailable reports whether err means the server could not be reached or
// did not answer in time.
func unavailable(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) ||
		pgconn.Timeout(err) ||
		errors.As(err, &netErr) ||
		errors.Is(err, pgconn.ErrConnClosed) ||
		// The server went away mid-answer: it stopped, crashed or was
		// failed over.
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		// The store was closed: the node is shutting down, and another
		// one may answer.
		errors.Is(err, puddle.ErrClosedPool)
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
