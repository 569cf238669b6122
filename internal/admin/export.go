package admin

import "github.com/userd/userd/internal/directory"

// UserJSON returns u in the native API's JSON form, ready for
// encoding/json. Commands that print or export users use it, so every
// native representation of a user is this one.
func UserJSON(u directory.User) any {
	return toUserJSON(u)
}

// DecodeUser strictly decodes a native user object, as POST /admin/v1/users
// accepts it, into a patch for Service.CreateUser or Service.ImportUsers.
// It rejects exactly what the API rejects: unknown, case-mismatched,
// duplicate and read-only keys, wrong types, and nulls where none is allowed.
func DecodeUser(data []byte) (directory.UserPatch, error) {
	var in userInput
	b, err := decodeJSON(data, &in)
	if err != nil {
		return directory.UserPatch{}, err
	}
	return in.toPatch(b)
}

// importInput is a line of userd user import: a native user plus
// password_hash, which no API accepts.
type importInput struct {
	userInput
	PasswordHash *string `json:"password_hash"`
}

// DecodeImportUser decodes a line of userd user import: what DecodeUser
// accepts, plus password_hash, an existing hash in a form auth.Hasher.CheckHash accepts
// to store as given (Service.ImportUsers checks it). The admin API keeps
// rejecting password_hash as an unknown field.
func DecodeImportUser(data []byte) (directory.UserPatch, error) {
	var in importInput
	b, err := decodeJSON(data, &in)
	if err != nil {
		return directory.UserPatch{}, err
	}
	p, err := in.toPatch(b)
	if err != nil {
		return directory.UserPatch{}, err
	}
	if _, sent := b.top["password_hash"]; sent && in.PasswordHash == nil {
		return directory.UserPatch{}, directory.Errorf(directory.Invalid, "password_hash", "cannot be null; leave it out")
	}
	p.PasswordHash = in.PasswordHash
	return p, nil
}

// EventJSON returns ev in the native API's JSON form, as
// GET /admin/v1/audit-events lists it; userd audit tail prints it.
func EventJSON(ev directory.Event) any {
	return toEventJSON(ev)
}
