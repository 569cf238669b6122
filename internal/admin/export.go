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
