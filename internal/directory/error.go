package directory

import (
	"errors"
	"fmt"
)

// Kind classifies an Error so each API dialect can map it to its own status
// code and body without looking at message text.
type Kind int

// The kinds of error the domain reports.
const (
	// Internal is an unexpected failure; its details are logged, never shown.
	Internal Kind = iota
	// Invalid means the request broke a validation rule.
	Invalid
	// NotFound means the object does not exist in the caller's tenant.
	NotFound
	// Conflict means the change collides with existing data (a duplicate
	// username, an org that still has members).
	Conflict
	// PreconditionFailed means the object's version is not the one the caller
	// expected (If-Match).
	PreconditionFailed
	// Unauthenticated means the caller's credentials are missing or bad.
	Unauthenticated
	// Forbidden means the caller lacks a scope the operation needs.
	Forbidden
	// Unavailable means the store cannot be reached right now; retrying later
	// may succeed.
	Unavailable
	// TooMany means the caller already has as many requests of this kind in
	// flight as it may; it can retry once one of them has finished.
	TooMany
	// Overloaded means the server as a whole is serving as many requests of
	// this kind as it may; retrying shortly may succeed.
	Overloaded
)

var kindNames = [...]string{
	Internal:           "internal",
	Invalid:            "invalid",
	NotFound:           "not_found",
	Conflict:           "conflict",
	PreconditionFailed: "precondition_failed",
	Unauthenticated:    "unauthenticated",
	Forbidden:          "forbidden",
	Unavailable:        "unavailable",
	TooMany:            "too_many",
	Overloaded:         "overloaded",
}

// String returns the kind's snake_case name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is the domain's error. Message is safe to show to the caller; Err, if
// set, is the underlying cause and is only logged.
type Error struct {
	Kind Kind
	// Field names the input field at fault, in the native API's spelling, or "".
	Field   string
	Message string
	Err     error
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of kind k about field (may be "") with a formatted
// message.
func Errorf(k Kind, field, format string, args ...any) *Error {
	return &Error{Kind: k, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error of kind k that carries cause err and a message that
// is safe to show.
func Wrap(k Kind, err error, message string) *Error {
	return &Error{Kind: k, Message: message, Err: err}
}

// KindOf returns the Kind of err: the Kind of the first *Error in its chain,
// or Internal when there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// AsError returns the first *Error in err's chain, or an Internal *Error
// wrapping err.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: Internal, Message: "internal error", Err: err}
}

// ErrVersionMismatch is what a Store returns from an update whose expected
// version no longer matches the stored row.
var ErrVersionMismatch = Errorf(PreconditionFailed, "", "the object was changed by another request; read it again and retry")
