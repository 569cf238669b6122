package dialecttest

import (
	"math/rand/v2"
	"reflect"

	"github.com/userd/userd/internal/directory"
)

// RandomUser returns AwkwardUser of a random id with each of its text
// fields set on its own to one of AwkwardStrings or left empty: a user
// whose fields all differ, for checking that a dialect's answer from a
// narrow read (directory.UserView) is the answer from the whole user.
func RandomUser(r *rand.Rand) directory.User {
	u := AwkwardUser("", r.Int64N(1<<53))
	randomStrings(r, reflect.ValueOf(&u).Elem())
	if r.IntN(2) == 0 {
		u.ManagerID = 0
	}
	return u
}

// randomStrings sets every string field of the struct v, embedded ones
// included, to one of AwkwardStrings at random, a third of them empty.
func randomStrings(r *rand.Rand, v reflect.Value) {
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.String:
			if r.IntN(3) > 0 {
				f.SetString(AwkwardStrings[r.IntN(len(AwkwardStrings))])
			}
		case reflect.Struct:
			if v.Type().Field(i).Anonymous {
				randomStrings(r, f)
			}
		}
	}
}
