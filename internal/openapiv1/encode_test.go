package openapiv1

import (
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

func checkUserInfo(t *testing.T, u directory.User) {
	t.Helper()
	dialecttest.CheckEncoder(t, u, func(u directory.User) any { return newUserInfo(u) },
		func(b []byte, u directory.User) ([]byte, error) {
			info := newUserInfo(u)
			return info.appendJSON(b)
		})
}

// TestUserInfoMatchesEncodingJSON checks the hand-written encoder against
// encoding/json, which wrote this answer before.
func TestUserInfoMatchesEncodingJSON(t *testing.T) {
	for _, u := range dialecttest.AwkwardUsers() {
		checkUserInfo(t, u)
	}
}

func FuzzUserInfo(f *testing.F) {
	for i, s := range dialecttest.AwkwardStrings {
		f.Add(s, int64(i))
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		checkUserInfo(t, dialecttest.AwkwardUser(s, n))
	})
}
