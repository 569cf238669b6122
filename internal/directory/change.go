package directory

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// Change is one entry of a tenant's change log: a user or org created,
// updated or deleted. Stores write the entries of a change in the same
// transaction as the change, so a change is in the log exactly when it was
// committed; consumers (the pull feed, webhooks) follow the log by
// Position.
type Change struct {
	// Position orders the tenant's log: each entry has a larger position
	// than every entry committed before it, so a reader that pages by
	// position ("after the last one seen") never skips a committed change.
	// Positions are not dense: entries can be pruned.
	Position int64
	TenantID int64
	// Type is ObjectUser or ObjectOrg.
	Type string
	// ObjectID is the id of the user or org.
	ObjectID int64
	// Op is OpCreate, OpUpdate or OpDelete.
	Op string
	// Version is the object's version after the change. A deleted object's
	// entry holds the version it had plus one, so versions of one object
	// always increase along the log.
	Version int64
	// Fields names the fields the change set, in the native (admin API)
	// spelling; for a create, those given a value other than the default.
	// A password change appears as "password", never its value or hash.
	// A delete names none.
	Fields []string
	Time   time.Time
}

// The object types and operations of Change.
const (
	ObjectUser = "user"
	ObjectOrg  = "org"

	OpCreate = "create"
	OpUpdate = "update"
	OpDelete = "delete"
)

// Limits on reading the change log.
const (
	// DefaultChangesPageSize is the page of changes read when none is asked.
	DefaultChangesPageSize = 100
	// MaxChangesWait bounds how long Service.Changes waits for a change.
	MaxChangesWait = 30 * time.Second
	// DefaultChangeRetention is how long changes are kept when the operator
	// sets nothing.
	DefaultChangeRetention = 30 * 24 * time.Hour
)

// ChangeLog is the part of a Store that keeps the change log. Every Store
// implements it; it is a separate interface so the pull feed and the
// delivery code can ask for no more than they use.
type ChangeLog interface {
	// Changes returns up to limit entries of tenantID with a position
	// greater than after, by position. It never returns an entry while an
	// entry of a smaller position may still commit, so paging by position
	// skips nothing. When entries after `after` have been pruned (after is
	// below the newest position pruned), it returns ErrResync.
	Changes(ctx context.Context, tenantID, after int64, limit int) ([]Change, error)
	// LastChange returns the position of tenantID's newest committed
	// entry, or 0 when there is none yet.
	LastChange(ctx context.Context, tenantID int64) (int64, error)
	// PruneChanges deletes up to limit entries, of any tenant, recorded
	// before before, oldest first, and returns how many it deleted. It
	// remembers, per tenant, the newest position it pruned, for Changes'
	// ErrResync.
	PruneChanges(ctx context.Context, before time.Time, limit int) (int, error)
}

// ErrResync answers a read of the change log from a position whose
// following entries were pruned: the reader missed changes it can no
// longer get from the log and must read the objects afresh (a full list)
// and then follow the log from its current end.
var ErrResync = Errorf(Gone, "after", "the changes after this position are no longer kept (retention); read the users and orgs afresh, then follow the log from its current position")

// changeOf returns the change-log type and operation of an audit action
// such as "user.update", and ok false for an action that is not a change to
// a user or org.
func changeOf(action string) (typ, op string, ok bool) {
	typ, op, _ = strings.Cut(action, ".")
	switch {
	case typ != ObjectUser && typ != ObjectOrg:
		return "", "", false
	case op != OpCreate && op != OpUpdate && op != OpDelete:
		return "", "", false
	}
	return typ, op, true
}

// changeEntries returns the change-log entries of an event about one
// object: none unless the action changes a user or an org.
func changeEntries(ev Event, objectID int64) []Change {
	typ, op, ok := changeOf(ev.Action)
	if !ok {
		return nil
	}
	return []Change{{TenantID: ev.TenantID, Type: typ, ObjectID: objectID, Op: op, Fields: ev.Fields, Time: ev.Time}}
}

// ManagersCleared returns the entries a store records for the users whose
// manager a delete of another user cleared (see ManagerCleared), by user
// id, so every engine records them in the same order.
func ManagersCleared(changes []Change) []Change {
	slices.SortFunc(changes, func(a, b Change) int { return cmp.Compare(a.ObjectID, b.ObjectID) })
	return changes
}

// ManagerCleared returns the entry a store records for a user whose
// manager a delete of another user cleared: an update of manager_id to
// version, at ev's time.
func ManagerCleared(ev Event, userID, version int64) Change {
	return Change{TenantID: ev.TenantID, Type: ObjectUser, ObjectID: userID, Op: OpUpdate, Version: version, Fields: []string{"manager_id"}, Time: ev.Time}
}

// Created returns a copy of changes, the entries of a create, with entry
// i's ObjectID set to ids[i] and every Version 1: what a store records
// once it has inserted the objects.
func Created(changes []Change, ids ...int64) []Change {
	out := make([]Change, len(changes))
	for i, c := range changes {
		if i < len(ids) {
			c.ObjectID = ids[i]
		}
		c.Version = 1
		out[i] = c
	}
	return out
}

// Versioned returns a copy of changes, the entries of an update or delete
// of one object, with every Version set to version.
func Versioned(changes []Change, version int64) []Change {
	out := make([]Change, len(changes))
	for i, c := range changes {
		c.Version = version
		out[i] = c
	}
	return out
}
