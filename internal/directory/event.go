package directory

import "time"

// Event is an audit record: who changed what, when and from where. Stores
// write it in the same transaction as the change it describes.
type Event struct {
	ID       int64
	TenantID int64
	Time     time.Time
	// Actor is the Principal's Actor.
	Actor string
	// Action names what happened, e.g. "user.create", "user.update",
	// "user.delete", "org.create", "client.create", "token.revoke".
	Action string
	// ObjectID is the id of the object changed. For a create, the store sets
	// it to the new object's id.
	ObjectID string
	// Fields lists the names of the fields that changed. A password change
	// appears only as "password", never its value.
	Fields   []string
	ClientIP string
	// Changes are the change-log entries of the write (see Change), as the
	// Service knows them: for a create, the store sets each entry's
	// ObjectID; for every entry it sets Version once the write has it. The
	// store adds the entries of side effects (the users whose manager a
	// delete cleared) and writes them all in the same transaction. Nil for
	// writes that change no user or org.
	Changes []Change
}
