package admin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/strictjson"
)

// decodeUserPatch is what PATCH /admin/v1/users/{id} does with its body.
func decodeUserPatch(data []byte) (directory.UserPatch, error) {
	var in userInput
	b, err := decodeJSON(data, &in)
	if err != nil {
		return directory.UserPatch{}, err
	}
	return in.toPatch(b)
}

func TestDecodeUserPatch(t *testing.T) {
	tests := []struct {
		name string
		body string
		want directory.UserPatch
	}{
		{"empty patch changes nothing", `{}`, directory.UserPatch{}},
		{"values", `{"name":"Ada","grade":3,"active":false,"manager_id":7}`,
			directory.UserPatch{Name: new("Ada"), Grade: new(3), Active: new(false), ManagerID: new(int64(7))}},
		{"nulls reset to defaults", `{"name":null,"email":null,"active":null,"locked":null,"grade":null,"manager_id":null}`,
			directory.UserPatch{Name: new(""), Email: new(""), Active: new(true), Locked: new(false), Grade: new(0), ManagerID: new(int64(0))}},
		{"extension is a merge patch", `{"extension":{"a":null,"b":{"c":1}}}`,
			directory.UserPatch{Extension: map[string]any{"a": nil, "b": map[string]any{"c": json.Number("1")}}}},
		{"null extension empties it", `{"extension":null}`, directory.UserPatch{ReplaceExtension: map[string]any{}}},
		{"orgs replace", `{"orgs":[{"org_id":2,"relation_type":1},{"org_id":3,"relation_type":0}]}`,
			directory.UserPatch{Orgs: &[]directory.Membership{{OrgID: 2, Primary: true}, {OrgID: 3}}}},
		{"null orgs empty them", `{"orgs":null}`, directory.UserPatch{Orgs: &[]directory.Membership{}}},
		{"password", `{"password":"correct horse"}`, directory.UserPatch{Password: new("correct horse")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeUserPatch([]byte(tt.body))
			if err != nil {
				t.Fatalf("decode %s: %v", tt.body, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decode %s:\n got %+v\nwant %+v", tt.body, got, tt.want)
			}
		})
	}
}

func TestDecodeUserPatchRejects(t *testing.T) {
	tests := []struct {
		name, body, wantField string
	}{
		{"read-only id", `{"id":5}`, "id"},
		{"read-only version even as null", `{"version":null}`, "version"},
		{"read-only password_changed_at", `{"name":"x","password_changed_at":"2026-01-01T00:00:00Z"}`, "password_changed_at"},
		{"unknown", `{"nickname":"x"}`, "nickname"},
		{"case mismatch", `{"Email":"a@b.c"}`, "Email"},
		{"duplicate", `{"name":"a","name":"b"}`, "name"},
		{"duplicate inside extension", `{"extension":{"k":1,"k":2}}`, "extension.k"},
		{"wrong type", `{"active":"yes"}`, "active"},
		{"null username", `{"username":null}`, "username"},
		{"null password", `{"password":null}`, "password"},
		{"bad relation type", `{"orgs":[{"org_id":1,"relation_type":2}]}`, "orgs[0].relation_type"},
		{"extension not an object", `{"extension":[1]}`, "extension"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeUserPatch([]byte(tt.body))
			if got := fieldOf(err); got != tt.wantField {
				t.Errorf("decode %s: got error %v with field %q, want field %q", tt.body, err, got, tt.wantField)
			}
		})
	}
}

// fieldOf returns the field a decoding error names, or "<kind>" for other
// errors.
func fieldOf(err error) string {
	var je *strictjson.Error
	if errors.As(err, &je) {
		return je.Field
	}
	var de *directory.Error
	if errors.As(err, &de) && de.Kind == directory.Invalid {
		return de.Field
	}
	return "<not a 400: " + directory.KindOf(err).String() + ">"
}

func FuzzUserPatch(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"username":"ada","email":"ada@example.com","password":"correct horse"}`,
		`{"name":null,"email":null,"active":null,"manager_id":null,"grade":null}`,
		`{"extension":{"a":null,"b":{"c":[1,2,{"d":null}]}}}`,
		`{"extension":null,"orgs":null}`,
		`{"orgs":[{"org_id":1,"relation_type":1},{"org_id":2,"relation_type":0}]}`,
		`{"orgs":[{"org_id":1,"relation_type":7}]}`,
		`{"id":1}`,
		`{"EMAIL":"x"}`,
		`{"name":"a","name":"b"}`,
		`{"grade":1e3}`,
		`{"manager_id":9007199254740993}`,
		`[]`,
		`{"username":null}`,
		`{"given_name":"Ada","external_id":null,"birthday":"1815-12-10","other_emails":[{"value":"a@example.com","type":"home"}],"other_phones":null}`,
		`{"other_emails":[{"value":"a@example.com","primary":true}]}`,
		`{"other_phones":[{"type":"work"}],"hire_date":""}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodeUserPatch(data)
		if err != nil {
			if got := fieldOf(err); strings.HasPrefix(got, "<not a 400") {
				t.Fatalf("decode %q: got %v, want a 400 error", data, err)
			}
			return
		}
		// Every member the body sent must reach the patch: nothing is
		// silently dropped.
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			t.Fatalf("decode %q accepted a body encoding/json rejects: %v", data, err)
		}
		set := map[string]bool{
			"username": p.Username != nil, "name": p.Name != nil, "nick_name": p.NickName != nil,
			"email": p.Email != nil, "phone": p.Phone != nil, "phone_country_code": p.PhoneCountryCode != nil,
			"active": p.Active != nil, "locked": p.Locked != nil, "must_change_password": p.MustChangePassword != nil,
			"enterprise_id": p.EnterpriseID != nil, "grade": p.Grade != nil, "employee_number": p.EmployeeNumber != nil,
			"manager_id": p.ManagerID != nil, "address": p.Address != nil, "city": p.City != nil,
			"province": p.Province != nil, "country": p.Country != nil, "comment": p.Comment != nil,
			"extension": p.Extension != nil || p.ReplaceExtension != nil, "orgs": p.Orgs != nil,
			"password":    p.Password != nil,
			"external_id": p.ExternalID != nil, "given_name": p.GivenName != nil, "middle_name": p.MiddleName != nil,
			"family_name": p.FamilyName != nil, "honorific_prefix": p.HonorificPrefix != nil,
			"honorific_suffix": p.HonorificSuffix != nil, "display_name": p.DisplayName != nil, "title": p.Title != nil,
			"user_type": p.UserType != nil, "preferred_language": p.PreferredLanguage != nil, "locale": p.Locale != nil,
			"timezone": p.Timezone != nil, "profile_url": p.ProfileURL != nil, "email_type": p.EmailType != nil,
			"phone_type": p.PhoneType != nil, "other_emails": p.OtherEmails != nil, "other_phones": p.OtherPhones != nil,
			"postal_code": p.PostalCode != nil, "address_type": p.AddressType != nil, "organization": p.Organization != nil,
			"division": p.Division != nil, "department": p.Department != nil, "cost_center": p.CostCenter != nil,
			"gender": p.Gender != nil, "birthday": p.Birthday != nil, "identity_type": p.IdentityType != nil,
			"identity_number": p.IdentityNumber != nil, "area": p.Area != nil, "hire_date": p.HireDate != nil,
			"work_place": p.WorkPlace != nil,
		}
		for k := range top {
			if !set[k] {
				t.Fatalf("decode %q: member %q was accepted but is not in the patch %+v", data, k, p)
			}
		}
		for k, ok := range set {
			if _, sent := top[k]; ok && !sent {
				t.Fatalf("decode %q: patch sets %q, which the body did not send", data, k)
			}
		}
	})
}

func TestCursor(t *testing.T) {
	ctx := context.Background()
	c := &cursorSealer{secret: []byte("0123456789abcdef0123456789abcdef")}
	pos := position{ID: 42, Key: "Ada@example.com"}
	s, err := c.seal(ctx, 1, pos, "users", "", "ad", "")
	if err != nil || s == nil {
		t.Fatalf("seal: got %v, %v, want a cursor", s, err)
	}
	if got, err := c.open(ctx, 1, *s, "users", "", "ad", ""); err != nil || got != pos {
		t.Fatalf("open: got %+v, %v, want %+v, nil", got, err, pos)
	}
	idOnly, err := c.seal(ctx, 1, position{ID: 7}, "orgs")
	if err != nil || idOnly == nil {
		t.Fatalf("seal without key: got %v, %v, want a cursor", idOnly, err)
	}
	if got, err := c.open(ctx, 1, *idOnly, "orgs"); err != nil || got != (position{ID: 7}) {
		t.Fatalf("open without key: got %+v, %v, want id 7, nil", got, err)
	}
	if got, err := c.seal(ctx, 1, position{}, "users"); err != nil || got != nil {
		t.Errorf("seal of the last page: got %v, %v, want nil, nil", got, err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(*s)
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	bad := []struct {
		name, cursor string
		tenant       int64
		binding      []string
	}{
		{"nonce changed", flip(1), 1, []string{"users", "", "ad", ""}},
		{"sealed position changed", flip(1 + 24), 1, []string{"users", "", "ad", ""}},
		{"tag changed", flip(len(raw) - 1), 1, []string{"users", "", "ad", ""}},
		{"version 2, signed but not encrypted", "AgAAAAAAAAAqYkBleGFtcGxlLm9yZ8KJgnHM2Xo0I4xipHlbXAjrd_oFMAR9Fd7Z9hq4Xh9a", 1, []string{"users", "", "ad", ""}},
		{"version changed", flip(0), 1, []string{"users", "", "ad", ""}},
		{"other filter", *s, 1, []string{"users", "", "a", ""}},
		{"filter moved to another parameter", *s, 1, []string{"users", "ad", "", ""}},
		{"other list", *s, 1, []string{"orgs", "", "ad", ""}},
		{"other tenant", *s, 2, []string{"users", "", "ad", ""}},
		{"truncated", (*s)[:len(*s)-2], 1, []string{"users", "", "ad", ""}},
		{"too short to hold a tag", base64.RawURLEncoding.EncodeToString(raw[:cursorMinLen-1]), 1, []string{"users", "", "ad", ""}},
		{"not base64", "!!!", 1, []string{"users", "", "ad", ""}},
		{"padded base64", *s + "=", 1, []string{"users", "", "ad", ""}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.open(ctx, tt.tenant, tt.cursor, tt.binding...)
			if got := fieldOf(err); got != "cursor" {
				t.Errorf("open: got %v, want an invalid cursor error", err)
			}
		})
	}
	t.Run("another installation's secret", func(t *testing.T) {
		other := &cursorSealer{secret: []byte("fedcba9876543210fedcba9876543210")}
		_, err := other.open(ctx, 1, *s, "users", "", "ad", "")
		if got := fieldOf(err); got != "cursor" {
			t.Errorf("open: got %v, want an invalid cursor error", err)
		}
	})
}

// TestMayNameTop checks that a body mayNameTop lets decodeJSON read
// without its lenient parse has no member that parse looks for.
func TestMayNameTop(t *testing.T) {
	for _, body := range []string{
		`{"city":"City 1","grade":2}`,
		`{"id":1}`, `{"name":"x","version":3}`, `{"password_changed_at":"2024-01-01T00:00:00Z"}`,
		`{"\u0069d":1}`, `{"na\u006de":null}`, `{"name":null}`, `{"extension":{"a":null}}`,
		`{"city":"id"}`, `{"ID":1}`, `{"name":"\"id\""}`, `[null]`, `null`, `{`, ``,
	} {
		var top map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &top) != nil || mayNameTop([]byte(body)) {
			continue
		}
		for k, v := range top {
			if string(v) == "null" || slices.Contains(readOnly, k) {
				t.Errorf("mayNameTop(%s) = false, but the body sends %s as %s", body, k, v)
			}
		}
	}
}
