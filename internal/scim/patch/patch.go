// Package patch decodes SCIM PATCH requests (RFC 7644 §3.5.2) as real
// clients send them and applies their operations to a resource's JSON form.
// It knows nothing of users or groups: the scim package turns the patched
// document back into a directory change, through the same mapping a PUT
// uses, so a PATCH and a PUT can never disagree.
package patch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/userd/userd/internal/scim/filter"
)

// MessageSchema is the schema URN of a PATCH request body.
const MessageSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// MaxOperations is the most operations one PATCH may hold.
const MaxOperations = 1000

// The scimType of each error this package reports (RFC 7644 §3.12).
const (
	InvalidSyntax = "invalidSyntax"
	InvalidPath   = "invalidPath"
	InvalidValue  = "invalidValue"
	NoTarget      = "noTarget"
	Mutability    = "mutability"
)

// Error is a PATCH that cannot be decoded or applied; Type is its scimType.
type Error struct {
	Type string
	Msg  string
}

func (e *Error) Error() string { return "patch: " + e.Msg }

func errorf(typ, format string, args ...any) error {
	return &Error{Type: typ, Msg: fmt.Sprintf(format, args...)}
}

// Kind is an operation: add, remove or replace.
type Kind string

// The operations of RFC 7644 §3.5.2.
const (
	Add     Kind = "add"
	Remove  Kind = "remove"
	Replace Kind = "replace"
)

// Operation is one decoded operation. A pathless add or replace is split
// into one operation per attribute of its value, so every operation but a
// remove of a multi-valued attribute's listed values has a Path.
type Operation struct {
	Kind  Kind
	Path  filter.PatchPath
	Value any // decoded JSON, numbers as json.Number; nil for a remove
	// HasValue says whether the operation carried a value at all.
	HasValue bool
}

// Decode reads a PATCH body. Operation names are accepted in any case
// ("Replace", as Entra ID sends them); a pathless add or replace whose
// value has dotted keys ({"name.givenName": "x"}) or a schema URN key
// ({"urn:…:enterprise:2.0:User": {…}}) is split into one operation per
// attribute.
func Decode(data []byte, coreSchema string) ([]Operation, error) {
	var body struct {
		Schemas    []string          `json:"schemas"`
		Operations []json.RawMessage `json:"Operations"`
	}
	if err := strictDecode(data, &body); err != nil {
		return nil, err
	}
	found := false
	for _, s := range body.Schemas {
		found = found || s == MessageSchema
	}
	if !found {
		return nil, errorf(InvalidSyntax, "schemas must hold %q", MessageSchema)
	}
	if len(body.Operations) == 0 {
		return nil, errorf(InvalidSyntax, "Operations must hold at least one operation")
	}
	if len(body.Operations) > MaxOperations {
		return nil, errorf(InvalidSyntax, "Operations may hold at most %d operations", MaxOperations)
	}
	var out []Operation
	for i, raw := range body.Operations {
		var op struct {
			Op    string          `json:"op"`
			Path  *string         `json:"path"`
			Value json.RawMessage `json:"value"`
		}
		if err := strictDecode(raw, &op); err != nil {
			return nil, errorf(InvalidSyntax, "operation %d: %s", i, err.(*Error).Msg)
		}
		kind := Kind(strings.ToLower(op.Op))
		if kind != Add && kind != Remove && kind != Replace {
			return nil, errorf(InvalidSyntax, "operation %d: op must be add, remove or replace, not %q", i, op.Op)
		}
		o := Operation{Kind: kind, HasValue: len(op.Value) > 0 && string(op.Value) != "null"}
		if o.HasValue {
			v, err := decodeValue(op.Value)
			if err != nil {
				return nil, errorf(InvalidSyntax, "operation %d: value is not JSON: %v", i, err)
			}
			o.Value = v
		}
		if op.Path == nil || strings.TrimSpace(*op.Path) == "" {
			if kind == Remove {
				return nil, errorf(NoTarget, "operation %d: remove needs a path", i)
			}
			obj, ok := o.Value.(map[string]any)
			if !ok {
				return nil, errorf(InvalidValue, "operation %d: an %s without a path needs an object value", i, kind)
			}
			split, err := splitPathless(kind, obj, coreSchema)
			if err != nil {
				return nil, errorf(InvalidPath, "operation %d: %s", i, err)
			}
			out = append(out, split...)
			continue
		}
		p, err := filter.ParsePath(strings.TrimSpace(*op.Path))
		if err != nil {
			return nil, errorf(InvalidPath, "operation %d: %s", i, strings.TrimPrefix(err.Error(), "filter: "))
		}
		if kind != Remove && !o.HasValue {
			return nil, errorf(InvalidValue, "operation %d: %s needs a value", i, kind)
		}
		o.Path = p
		out = append(out, o)
		if len(out) > MaxOperations {
			return nil, errorf(InvalidSyntax, "the operations touch more than %d attributes", MaxOperations)
		}
	}
	return out, nil
}

// splitPathless turns the value of a pathless add or replace into one
// operation per attribute, in key order for a stable result.
func splitPathless(kind Kind, obj map[string]any, coreSchema string) ([]Operation, error) {
	var out []Operation
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		if strings.EqualFold(k, "schemas") {
			continue // the resource's schemas are the server's to say
		}
		if strings.HasPrefix(strings.ToLower(k), "urn:") && !strings.EqualFold(k, coreSchema) {
			if ext, ok := v.(map[string]any); ok && !strings.Contains(k[strings.LastIndexByte(k, ':')+1:], ".") && looksLikeSchema(k) {
				for _, sub := range sortedKeys(ext) {
					p, err := filter.ParsePath(k + ":" + sub)
					if err != nil {
						return nil, err
					}
					out = append(out, Operation{Kind: kind, Path: p, Value: ext[sub], HasValue: true})
				}
				continue
			}
		}
		p, err := filter.ParsePath(k)
		if err != nil {
			return nil, err
		}
		if p.Filter != nil {
			return nil, fmt.Errorf("a key of a pathless %s cannot hold a filter: %q", kind, k)
		}
		out = append(out, Operation{Kind: kind, Path: p, Value: v, HasValue: true})
	}
	return out, nil
}

// looksLikeSchema reports whether a key names a whole schema (its last
// part starts with a capital, as in …:enterprise:2.0:User) rather than
// one attribute of one (…:User:department).
func looksLikeSchema(k string) bool {
	last := k[strings.LastIndexByte(k, ':')+1:]
	return last != "" && last[0] >= 'A' && last[0] <= 'Z'
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

func decodeValue(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// strictDecode decodes one JSON object into v, refusing unknown fields
// and trailing data. Field names match in any case, as encoding/json does.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(InvalidSyntax, "the body is not a PATCH request: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return errorf(InvalidSyntax, "the body holds more than one JSON value")
	}
	return nil
}
