package openapiv1

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/strictjson"
)

func FuzzParseUserID(f *testing.F) {
	for _, s := range []string{"1", "42", "007", "0", "-1", "+1", "1e3", "0x10", "9007199254740991", "9007199254740992", "18446744073709551616", "", " 1", "１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parseUserID(s)
		if err != nil {
			var api *apiError
			if !errors.As(err, &api) || api.status != 400 {
				t.Fatalf("parseUserID(%q) error %v, want a 400 apiError", s, err)
			}
			if n, perr := strconv.ParseInt(s, 10, 64); perr == nil && n >= 1 && n <= directory.MaxSafeID && strconv.FormatInt(n, 10) == s {
				t.Fatalf("parseUserID(%q) rejected the valid id %d", s, n)
			}
			return
		}
		if id < 1 || id > directory.MaxSafeID {
			t.Fatalf("parseUserID(%q) = %d, outside 1..MaxSafeID", s, id)
		}
		if s != strconv.FormatInt(id, 10) {
			t.Fatalf("parseUserID(%q) = %d, which is not the input's canonical form", s, id)
		}
	})
}

func FuzzDecodeUpdateUser(f *testing.F) {
	for _, s := range []string{
		`{"password":"stringst","enterprise_id":"string","email":"user@example.com","phone":"string","is_active":true}`,
		`{}`, `{"email":null}`, `{"email":""}`, `{"is_active":"yes"}`, `{"Email":"a@b.co"}`, `{"email":"a@b.co","email":"c@d.co"}`,
		`{"nick_name":"x"}`, `[]`, `null`, `{"phone":"1"} {}`, `{"phone":{"a":[[[[1]]]]}}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		patch, err := decodeUpdateUser(data)
		var lenient updateUserRequest
		lenientErr := json.Unmarshal(data, &lenient)
		if err != nil {
			var bad *strictjson.Error
			if !errors.As(err, &bad) && directory.KindOf(err) != directory.Invalid {
				t.Fatalf("decodeUpdateUser(%q) error %T %v, want *strictjson.Error or an Invalid *directory.Error", data, err, err)
			}
			// This dialect cannot clear an email: "" is refused naming it
			// (not some other key encoding/json would have read alike).
			if lenientErr == nil && lenient.Email != nil && *lenient.Email == "" && !errors.As(err, &bad) {
				if f := directory.AsError(err).Field; f != "email" {
					t.Fatalf("decodeUpdateUser(%q) refused an empty email naming %q, want email", data, f)
				}
			}
			return
		}
		// A body the strict decoder accepts means the same to encoding/json.
		if lenientErr != nil {
			t.Fatalf("decodeUpdateUser(%q) accepted a body encoding/json rejects: %v", data, lenientErr)
		}
		if patch.Email != nil && *patch.Email == "" {
			t.Fatalf("decodeUpdateUser(%q) accepted an empty email", data)
		}
		want := directory.UserPatch{Password: lenient.Password, EnterpriseID: lenient.EnterpriseID, Email: lenient.Email, Phone: lenient.Phone, Active: lenient.IsActive}
		if !reflect.DeepEqual(patch, want) {
			t.Fatalf("decodeUpdateUser(%q) = %+v, encoding/json reads %+v", data, patch, want)
		}
	})
}
