package patch

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const core = "urn:ietf:params:scim:schemas:core:2.0:User"

var rules = Rules{
	CoreSchema: core,
	Single:     func(attr string) bool { return strings.EqualFold(attr, "addresses") },
	ReadOnly:   func(uri, attr string) bool { return strings.EqualFold(attr, "id") || strings.EqualFold(attr, "meta") },
}

func doc(t *testing.T, s string) map[string]any {
	t.Helper()
	v, err := decodeValue([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v.(map[string]any)
}

func canon(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestApply replays the PATCH bodies Entra ID, Okta and RFC 7644 §3.5.2
// send, on a user or group document.
func TestApply(t *testing.T) {
	tests := []struct {
		name, doc, body, want string
	}{
		{"entra capitalised replace with string boolean",
			`{"userName":"a","active":true}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
			`{"active":"False","userName":"a"}`},
		{"entra pathless replace with dotted keys",
			`{"userName":"a","name":{"familyName":"F"}}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"name.givenName":"G","displayName":"D"}}]}`,
			`{"displayName":"D","name":{"familyName":"F","givenName":"G"},"userName":"a"}`},
		{"entra add of a work email that is not there yet",
			`{"userName":"a"}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"emails[type eq \"work\"].value","value":"a@example.com"}]}`,
			`{"emails":[{"type":"work","value":"a@example.com"}],"userName":"a"}`},
		{"replace of the work email's value",
			`{"emails":[{"type":"home","value":"h@x.org"},{"type":"work","value":"old@x.org","primary":true}]}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@x.org"}]}`,
			`{"emails":[{"type":"home","value":"h@x.org"},{"primary":true,"type":"work","value":"new@x.org"}]}`},
		{"enterprise attribute by its full path",
			`{"userName":"a"}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Research"}]}`,
			`{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Research"},"userName":"a"}`},
		{"pathless add of the enterprise extension object",
			`{"userName":"a"}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7","manager":{"value":"3"}}}}]}`,
			`{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7","manager":{"value":"3"}},"userName":"a"}`},
		{"entra group member add and remove",
			`{"displayName":"G","members":[{"value":"1"},{"value":"2"}]}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"value":"3"},{"value":"1"}]},{"op":"Remove","path":"members","value":[{"value":"2"}]}]}`,
			`{"displayName":"G","members":[{"value":"1"},{"value":"3"}]}`},
		{"rfc remove of one member by filter",
			`{"members":[{"value":"2819c223"},{"value":"902c246b"}]}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"2819c223\"]"}]}`,
			`{"members":[{"value":"902c246b"}]}`},
		{"rfc remove of all members",
			`{"displayName":"G","members":[{"value":"1"}]}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members"}]}`,
			`{"displayName":"G"}`},
		{"okta replace of members and name",
			`{"displayName":"G","members":[{"value":"1"}]}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"ignored-by-keyless","displayName":"H"}}]}`,
			``},
		{"okta deactivate",
			`{"userName":"a","active":true}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			`{"active":false,"userName":"a"}`},
		{"entra work address into the one address a resource keeps",
			`{"addresses":[{"locality":"Springfield","country":"US","primary":true}]}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"addresses[type eq \"work\"].locality","value":"Shelbyville"}]}`,
			`{"addresses":[{"country":"US","locality":"Shelbyville","primary":true,"type":"work"}]}`},
		{"names match in any case",
			`{"userName":"a","Name":{"givenName":"x"}}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"NAME.GIVENNAME","value":"y"}]}`,
			`{"Name":{"givenName":"y"},"userName":"a"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := Decode([]byte(tt.body), core)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			d := doc(t, tt.doc)
			err = Apply(d, ops, rules)
			if tt.want == "" {
				var pe *Error
				if !errors.As(err, &pe) || pe.Type != Mutability {
					t.Fatalf("got %v, want a mutability error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if got := canon(t, d); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct{ name, body, typ string }{
		{"no schemas", `{"Operations":[{"op":"add","path":"a","value":1}]}`, InvalidSyntax},
		{"not json", `{`, InvalidSyntax},
		{"unknown field", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[],"x":1}`, InvalidSyntax},
		{"no operations", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}`, InvalidSyntax},
		{"bad op", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"move","path":"a"}]}`, InvalidSyntax},
		{"remove without path", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove"}]}`, NoTarget},
		{"bad path", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails[type","value":1}]}`, InvalidPath},
		{"pathless scalar", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":"x"}]}`, InvalidValue},
		{"add without value", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"title"}]}`, InvalidValue},
		{"too many", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Repeat(`{"op":"remove","path":"a"},`, MaxOperations) + `{"op":"remove","path":"a"}]}`, InvalidSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.body), core)
			var pe *Error
			if !errors.As(err, &pe) || pe.Type != tt.typ {
				t.Fatalf("got %v, want a %s error", err, tt.typ)
			}
		})
	}
}

func TestApplyNoTarget(t *testing.T) {
	ops, err := Decode([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\" or type eq \"home\"].value","value":"x@y.org"}]}`), core)
	if err != nil {
		t.Fatal(err)
	}
	err = Apply(doc(t, `{"emails":[]}`), ops, rules)
	var pe *Error
	if !errors.As(err, &pe) || pe.Type != NoTarget {
		t.Fatalf("got %v, want noTarget", err)
	}
}

// FuzzDecodeApply checks that Decode never panics, fails only with a
// *patch.Error, and that what it accepts applies without a panic.
func FuzzDecodeApply(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"name.givenName":"G"}}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"1\"]"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"emails[type eq \"work\"].value","value":"a@b.c"}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		ops, err := Decode([]byte(body), core)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Decode failed with %T: %v", err, err)
			}
			return
		}
		d := map[string]any{"userName": "a", "emails": []any{map[string]any{"type": "work", "value": "x"}}, "name": map[string]any{"givenName": "g"}}
		if err := Apply(d, ops, rules); err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Apply failed with %T: %v", err, err)
			}
		}
	})
}
