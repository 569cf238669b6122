package openapiv1

import (
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// userInfoEncoder is the GET's encoder against what encoding/json wrote
// before.
var userInfoEncoder = dialecttest.Encoder{
	Wire: func(u directory.User) any { return newUserInfo(u) },
	Append: func(b []byte, u directory.User) ([]byte, error) {
		info := newUserInfo(u)
		return info.appendJSON(b)
	},
}

func TestUserInfoMatchesEncodingJSON(t *testing.T) {
	dialecttest.CheckEncoderOnUsers(t, userInfoEncoder)
}

func FuzzUserInfo(f *testing.F) { dialecttest.FuzzEncoder(f, userInfoEncoder) }
