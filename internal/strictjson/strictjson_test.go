package strictjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

type member struct {
	OrgID        int64 `json:"org_id"`
	RelationType int   `json:"relation_type"`
}

type Embedded struct {
	Team string `json:"team"`
}

type target struct {
	Embedded
	Email     *string          `json:"email"`
	Name      string           `json:"name"`
	Active    *bool            `json:"active"`
	Grade     int32            `json:"grade"`
	Score     float64          `json:"score"`
	Orgs      []member         `json:"orgs"`
	Extension map[string]any   `json:"extension"`
	Raw       *json.RawMessage `json:"raw"`
	Any       any              `json:"any"`
	Ignored   string           `json:"-"`
	Untagged  string
	//lint:ignore U1000 an unexported field, so a test can show its key is not accepted
	hidden string
}

func TestDecodeAccepts(t *testing.T) {
	email := "ada@example.com"
	yes := true
	raw := json.RawMessage(`[1,{"k":true}]`)
	tests := []struct {
		name string
		in   string
		want target
	}{
		{"empty object", `{}`, target{}},
		{"whitespace around", " \n{ } \n", target{}},
		{"scalars", `{"email":"ada@example.com","name":"Ada","active":true,"grade":-7,"score":1.5e3}`,
			target{Email: &email, Name: "Ada", Active: &yes, Grade: -7, Score: 1500}},
		{"nulls leave zero values", `{"email":null,"active":null,"orgs":null,"extension":null}`, target{}},
		{"nested", `{"orgs":[{"org_id":3,"relation_type":1}],"extension":{"a":{"b":[1,"x",null]}}}`,
			target{Orgs: []member{{OrgID: 3, RelationType: 1}}, Extension: map[string]any{"a": map[string]any{"b": []any{json.Number("1"), "x", nil}}}}},
		{"same key in different objects", `{"extension":{"a":{"a":1}},"any":{"a":2}}`,
			target{Extension: map[string]any{"a": map[string]any{"a": json.Number("1")}}, Any: map[string]any{"a": json.Number("2")}}},
		{"map keys of any case", `{"extension":{"Email":1,"email":2}}`,
			target{Extension: map[string]any{"Email": json.Number("1"), "email": json.Number("2")}}},
		{"embedded field", `{"team":"core"}`, target{Embedded: Embedded{Team: "core"}}},
		{"untagged field by its Go name", `{"Untagged":"x"}`, target{Untagged: "x"}},
		{"raw message takes anything", `{"raw":[1,{"k":true}]}`, target{Raw: &raw}},
		{"large integer keeps precision", `{"any":9007199254740993}`, target{Any: json.Number("9007199254740993")}},
		{"surrogate pair", `{"name":"\ud83d\ude00"}`, target{Name: "\U0001F600"}},
		{"replacement character sent as such", "{\"name\":\"\\ufffd\uFFFD\"}", target{Name: "\uFFFD\uFFFD"}},
		{"escaped backslash before u", `{"name":"\\ud800"}`, target{Name: `\ud800`}},
		{"depth at the limit", `{"any":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`,
			target{Any: nest(MaxDepth - 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got target
			if err := Decode([]byte(tt.in), &got); err != nil {
				t.Fatalf("Decode(%s) = %v, want nil", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decode(%s): got %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// nest returns n nested empty arrays as encoding/json decodes them.
func nest(n int) any {
	v := []any{}
	for range n - 1 {
		v = []any{v}
	}
	return v
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantField string
		wantIn    string // a substring of the reason
	}{
		{"empty body", ``, "", "empty"},
		{"only whitespace", "  \n", "", "empty"},
		{"array", `[]`, "", "must be a JSON object"},
		{"string", `"x"`, "", "must be a JSON object"},
		{"null", `null`, "", "must be a JSON object"},
		{"invalid JSON", `{"name":}`, "", "invalid JSON"},
		{"truncated", `{"name":"x"`, "", "ends before"},
		{"trailing object", `{}{}`, "", "after the JSON object"},
		{"trailing garbage", `{} x`, "", "after the JSON object"},
		{"trailing comma", `{"name":"x",}`, "", "invalid JSON"},
		{"unknown field", `{"nmae":"x"}`, "nmae", "not a known field"},
		{"ignored field", `{"Ignored":"x"}`, "Ignored", "not a known field"},
		{"unexported field", `{"hidden":"x"}`, "hidden", "not a known field"},
		{"unknown nested field", `{"orgs":[{"org_id":1,"primary":true}]}`, "orgs[0].primary", "not a known field"},
		{"upper case key", `{"EMAIL":"a@b.c"}`, "EMAIL", `did you mean "email"`},
		{"mixed case key", `{"Name":"x"}`, "Name", `did you mean "name"`},
		{"case of a nested key", `{"orgs":[{"Org_ID":1}]}`, "orgs[0].Org_ID", `did you mean "org_id"`},
		{"long s folds to s", "{\"\u017fcore\":1}", "\u017fcore", `did you mean "score"`},
		{"duplicate key", `{"name":"a","name":"b"}`, "name", "twice"},
		{"duplicate after case check", `{"email":"a@b.c","email":null}`, "email", "twice"},
		{"duplicate in extension", `{"extension":{"a":1,"a":2}}`, "extension.a", "twice"},
		{"duplicate deep in array", `{"any":[{"x":{"y":1,"y":1}}]}`, "any[0].x.y", "twice"},
		{"duplicate escaped key", `{"name":"a","n\u0061me":"b"}`, "name", "twice"},
		{"too deep", `{"any":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`, "any" + strings.Repeat("[0]", MaxDepth-1), "deeper than"},
		{"string for int", `{"grade":"3"}`, "grade", "must be an integer"},
		{"fraction for int", `{"grade":1.5}`, "grade", "must be an integer"},
		{"int overflow", `{"grade":2147483648}`, "grade", "fits in 32 bits"},
		{"number for string", `{"name":3}`, "name", "must be a string"},
		{"bool for pointer to string", `{"email":true}`, "email", "must be a string"},
		{"string for bool", `{"active":"yes"}`, "active", "true or false"},
		{"object for string", `{"name":{}}`, "name", "must be a string"},
		{"array for map", `{"extension":[]}`, "extension", "must be an object"},
		{"object for slice", `{"orgs":{}}`, "orgs", "must be an array"},
		{"wrong type nested", `{"orgs":[{"org_id":"1"}]}`, "orgs[0].org_id", "must be an integer"},
		{"wrong type in embedded", `{"team":1}`, "team", "must be a string"},
		{"invalid UTF-8 in a string", "{\"name\":\"a\xffb\"}", "", "not valid UTF-8 (at byte 10)"},
		{"invalid UTF-8 in a key", "{\"extension\":{\"\xc3\":1}}", "", "not valid UTF-8"},
		{"UTF-8 of a surrogate", "{\"name\":\"\xed\xa0\x80\"}", "", "not valid UTF-8"},
		{"lone high surrogate", `{"name":"\ud800"}`, "", "half of a UTF-16 surrogate pair"},
		{"lone low surrogate", `{"name":"x\udc00"}`, "", "half of a UTF-16 surrogate pair"},
		{"high surrogate then a letter", `{"extension":{"k":"\ud800\u0041"}}`, "", "half of a UTF-16 surrogate pair"},
		{"lone surrogate in a key", `{"extension":{"\udfff":1}}`, "", "half of a UTF-16 surrogate pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got target
			err := Decode([]byte(tt.in), &got)
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("Decode(%s) = %v (%T), want *Error", tt.in, err, err)
			}
			if e.Field != tt.wantField {
				t.Errorf("Decode(%s): got field %q, want %q", tt.in, e.Field, tt.wantField)
			}
			if !strings.Contains(e.Reason, tt.wantIn) {
				t.Errorf("Decode(%s): got reason %q, want it to contain %q", tt.in, e.Reason, tt.wantIn)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{Reason: "invalid JSON"}, "json body: invalid JSON"},
		{Error{Field: "email", Reason: "is given twice"}, "json body: email: is given twice"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestDecodePanicsOnNonStruct(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Decode into a map did not panic, want a panic")
		}
	}()
	var m map[string]any
	_ = Decode([]byte(`{}`), &m)
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"email":"ada@example.com","name":"Ada","active":true,"grade":3,"score":0.5}`,
		`{"orgs":[{"org_id":1,"relation_type":1},{"org_id":2,"relation_type":0}]}`,
		`{"extension":{"a":{"b":[1,2,{"c":null}]},"n":1e400}}`,
		`{"EMAIL":"x"}`,
		`{"name":"a","name":"b"}`,
		`{"any":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
		`{"raw":{"x":1},"team":"t","Untagged":"\u00e9\ud800"}`,
		`{"grade":-2147483648}`,
		`{} {}`,
		`[`,
		"{\"name\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v target
		if err := Decode(data, &v); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Decode(%q) = %v (%T), want nil or *Error", data, err, err)
			}
			return
		}
		// Without HTML escaping: json.Marshal writes a raw "&" as \u0026,
		// which decodes into different RawMessage bytes.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatalf("json.Encode(%+v): %v", v, err)
		}
		again := buf.Bytes()
		// Text is kept as sent: a U+FFFD in what was accepted was in the
		// body, never put there for bytes that were not UTF-8.
		if bytes.Contains(again, []byte("\ufffd")) && !bytes.Contains(data, []byte("\ufffd")) && !bytes.Contains(bytes.ToLower(data), []byte(`\ufffd`)) {
			t.Fatalf("Decode(%q) accepted the body and made a U+FFFD of something else: %s", data, again)
		}
		var w target
		if err := Decode(again, &w); err != nil {
			t.Fatalf("Decode(%s) of a re-encoded accepted input = %v, want nil", again, err)
		}
		if !reflect.DeepEqual(v, w) {
			t.Fatalf("re-encoded input decodes differently:\n got %+v\nwant %+v", w, v)
		}
	})
}
