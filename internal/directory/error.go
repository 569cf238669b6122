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
	// Gone means what was asked for is no longer kept: a change-log
	// position older than the retention (ErrResync).
	Gone
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
	Gone:               "gone",
}

// String returns the kind's snake_case name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Constraint names the rule of the stored data a change broke. A Store
// reports it, with the field, instead of words: the Service words the
// message once, so every engine answers alike.
type Constraint int

// The constraints a Store reports.
const (
	// NoConstraint means the error is not about a constraint.
	NoConstraint Constraint = iota
	// Taken means Field's value already belongs to another object (a
	// unique constraint: username, email, org code, tenant name, ...).
	Taken
	// Missing means Field refers to an object that does not exist in the
	// tenant (a reference: manager_id, orgs, parent_id).
	Missing
	// HasMembers means an org to delete still has members.
	HasMembers
	// HasChildren means an org to delete still has child orgs.
	HasChildren
)

// Error is the domain's error. Message is safe to show to the caller; Err, if
// set, is the underlying cause and is only logged.
type Error struct {
	Kind Kind
	// Field names the input field at fault, in the native API's spelling, or "".
	Field string
	// Constraint is the rule a Store reports broken, with Message empty
	// until the Service words it.
	Constraint Constraint
	Message    string
	Err        error
}

// Violation returns the Conflict a Store reports when a change breaks
// constraint c on field (may be ""). It carries no message: the Service
// words it.
func Violation(c Constraint, field string, cause error) *Error {
	return &Error{Kind: Conflict, Field: field, Constraint: c, Err: cause}
}

// StoreError returns the error a Store reports of kind k (Unavailable,
// Internal, a Conflict with a concurrent transaction, a value the database
// refuses) with cause, worded by kind, the same on every engine.
func StoreError(k Kind, field string, cause error) *Error {
	return &Error{Kind: k, Field: field, Message: k.message(), Err: cause}
}

// kindMessages words the errors of each kind that say nothing more.
var kindMessages = [...]string{
	Internal:           "internal error",
	Invalid:            "is not a value userd can store",
	NotFound:           "no such object",
	Conflict:           "the change collided with a concurrent one; retry it",
	PreconditionFailed: "the object was changed by another request; read it again and retry",
	Unauthenticated:    "the credentials are missing or not valid",
	Forbidden:          "the credentials do not allow this",
	Unavailable:        "the database cannot be reached; retry later",
}

// nouns names the kind of object a field's value identifies or refers to.
var nouns = map[string]string{
	"username": "user", "email": "user", "manager_id": "user",
	"code": "org", "parent_id": "org",
	"name": "tenant", "tenant_id": "tenant",
	"client_id": "client", "token": "token",
}

// describe words the message of a constraint error that a Store reported
// without one. values holds, by field, the value the change tried to set
// (a string, or an int64 id); for HasMembers and HasChildren, values[""]
// is the org's id. Other errors pass through unchanged.
func describe(err error, values map[string]any) error {
	var e *Error
	if !errors.As(err, &e) || e.Message != "" || e.Constraint == NoConstraint {
		return err
	}
	d := *e
	noun, v := nouns[e.Field], values[e.Field]
	switch e.Constraint {
	case Taken:
		d.Message = "the object already exists"
		if s, ok := v.(string); ok && s != "" && noun != "" {
			d.Message = fmt.Sprintf("%q is taken by another %s", s, noun)
		} else if noun != "" {
			d.Message = "is taken by another " + noun
		}
	case Missing:
		d.Message = "refers to an object that does not exist in this tenant"
		if id, ok := v.(int64); ok && id != 0 && noun != "" {
			d.Message = fmt.Sprintf("%s %d does not exist", noun, id)
		} else if e.Field == "orgs" {
			d.Message = "one of the orgs does not exist"
		}
	case HasMembers:
		d.Message = fmt.Sprintf("org %v still has members; move them to another org first", values[""])
	case HasChildren:
		d.Message = fmt.Sprintf("org %v still has child orgs; move or delete them first", values[""])
	}
	return &d
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Kind.message()
	}
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

// message words an error of kind k that says nothing more.
func (k Kind) message() string {
	if int(k) < len(kindMessages) {
		return kindMessages[k]
	}
	return "error"
}

// AsError returns the first *Error in err's chain, or an Internal *Error
// wrapping err. An error without a message gets its kind's.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		if e.Message == "" {
			d := *e
			d.Message = e.Kind.message()
			return &d
		}
		return e
	}
	return &Error{Kind: Internal, Message: "internal error", Err: err}
}

// ErrVersionMismatch is what a Store returns from an update whose expected
// version no longer matches the stored row.
var ErrVersionMismatch = Errorf(PreconditionFailed, "", "the object was changed by another request; read it again and retry")
