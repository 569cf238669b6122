package patch

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/userd/userd/internal/scim/filter"
)

// Rules say what Apply needs to know of a resource type.
type Rules struct {
	// CoreSchema is the URN of the resource's core schema: a path with it
	// (or with no URN) names a top-level attribute; any other URN names an
	// attribute of that extension's object.
	CoreSchema string
	// ReadOnly reports whether the attribute (URN, name) cannot be
	// changed; an operation on it fails with the scimType mutability.
	ReadOnly func(uri, attr string) bool
	// CaseExact reports whether a sub-attribute of a multi-valued
	// attribute compares exactly in value filters.
	CaseExact func(attr string) bool
	// Single reports whether the resource keeps at most one element of a
	// multi-valued attribute (userd keeps one address): an add or replace
	// through a filter that matches nothing then fills that element, with
	// the filter's equalities, rather than add a second one.
	Single func(attr string) bool
}

// Apply applies ops, in order, to doc: a resource in its JSON form, as
// encoding/json decodes it. Names match in any case. It fails on the first
// operation that cannot be applied, leaving doc partly changed: the caller
// applies to a copy and stores nothing on error.
func Apply(doc map[string]any, ops []Operation, r Rules) error {
	for _, op := range ops {
		if err := apply(doc, op, r); err != nil {
			if e, ok := err.(*Error); ok {
				e.Msg = describe(op) + ": " + e.Msg
			}
			return err
		}
	}
	return nil
}

func describe(op Operation) string {
	s := op.Path.Path.String()
	if op.Path.Filter != nil {
		s += "[" + filter.Format(op.Path.Filter) + "]"
	}
	if op.Path.Sub != "" {
		s += "." + op.Path.Sub
	}
	return string(op.Kind) + " " + s
}

func apply(doc map[string]any, op Operation, r Rules) error {
	p := op.Path.Path
	if r.ReadOnly != nil && r.ReadOnly(p.URI, p.Attr) {
		// Okta's pathless replace repeats the id: a read-only attribute
		// set to the value it has is no change.
		if cur, ok := doc[findKey(doc, p.Attr)]; ok && op.Kind != Remove && op.Path.Filter == nil && p.Sub == "" && equalJSON(cur, op.Value) {
			return nil
		}
		return errorf(Mutability, "%s is read-only", p.Attr)
	}
	container := doc
	if p.URI != "" && !strings.EqualFold(p.URI, r.CoreSchema) {
		key := findKey(doc, p.URI)
		ext, ok := doc[key].(map[string]any)
		if !ok {
			if op.Kind == Remove {
				return nil
			}
			ext = map[string]any{}
			doc[key] = ext
		}
		container = ext
	}
	key := findKey(container, p.Attr)
	if op.Path.Filter == nil {
		if p.Sub == "" {
			return applyAttr(container, key, op)
		}
		obj, ok := container[key].(map[string]any)
		if !ok {
			if op.Kind == Remove {
				return nil
			}
			obj = map[string]any{}
			container[key] = obj
		}
		return applyAttr(obj, findKey(obj, p.Sub), op)
	}
	return applyFiltered(container, key, op, r)
}

// applyAttr applies op to the attribute key of obj, with no filter.
func applyAttr(obj map[string]any, key string, op Operation) error {
	cur, exists := obj[key]
	switch op.Kind {
	case Remove:
		list, isList := cur.([]any)
		if !op.HasValue || !isList {
			delete(obj, key)
			return nil
		}
		// Remove the listed values ({"value": id} members, as Entra ID
		// and Okta send them) and keep the rest.
		drop := asList(op.Value)
		kept := list[:0:0]
		for _, el := range list {
			if !containsValue(drop, el) {
				kept = append(kept, el)
			}
		}
		obj[key] = kept
	case Add:
		list, isList := cur.([]any)
		switch {
		case isList:
			for _, el := range asList(op.Value) {
				if !containsValue(list, el) {
					list = append(list, el)
				}
			}
			obj[key] = list
		case exists && isObject(cur) && isObject(op.Value):
			merge(cur.(map[string]any), op.Value.(map[string]any))
		default:
			obj[key] = op.Value
		}
	case Replace:
		if exists && isObject(cur) && isObject(op.Value) {
			merge(cur.(map[string]any), op.Value.(map[string]any))
			return nil
		}
		obj[key] = op.Value
	}
	return nil
}

// applyFiltered applies op to the elements of the multi-valued attribute
// key that match the operation's value filter.
func applyFiltered(container map[string]any, key string, op Operation, r Rules) error {
	list, _ := container[key].([]any)
	var hits []map[string]any
	var kept []any
	for _, el := range list {
		obj, ok := el.(map[string]any)
		if ok && filter.Match(op.Path.Filter, obj, r.CaseExact) {
			hits = append(hits, obj)
			if op.Kind == Remove && op.Path.Sub == "" {
				continue
			}
		}
		kept = append(kept, el)
	}
	sub := op.Path.Sub
	switch op.Kind {
	case Remove:
		if op.Path.Sub == "" {
			container[key] = kept
			if kept == nil {
				delete(container, key)
			}
			return nil
		}
		for _, h := range hits {
			delete(h, findKey(h, sub))
		}
		return nil
	}
	if len(hits) == 0 {
		// Entra ID adds a work email as a replace of
		// emails[type eq "work"].value: make the element the filter
		// describes, when its equalities say what it is.
		el, ok := elementOf(op.Path.Filter)
		if !ok {
			return errorf(NoTarget, "no value of %s matches the filter", op.Path.Path.Attr)
		}
		if only, isObj := singleElement(list); isObj && r.Single != nil && r.Single(op.Path.Path.Attr) {
			merge(only, el)
			el = only
		} else {
			container[key] = append(list, el)
		}
		hits = []map[string]any{el}
	}
	for _, h := range hits {
		switch {
		case sub != "":
			h[findKey(h, sub)] = op.Value
		case isObject(op.Value):
			if op.Kind == Replace {
				for k := range h {
					delete(h, k)
				}
			}
			merge(h, op.Value.(map[string]any))
		default:
			return errorf(InvalidValue, "the value for the matching elements of %s must be an object", op.Path.Path.Attr)
		}
	}
	return nil
}

// singleElement returns the element of a one-element list.
func singleElement(list []any) (map[string]any, bool) {
	if len(list) != 1 {
		return nil, false
	}
	obj, ok := list[0].(map[string]any)
	return obj, ok
}

// elementOf returns the element a filter of equalities joined by "and"
// describes (type eq "work" → {"type": "work"}).
func elementOf(e filter.Expr) (map[string]any, bool) {
	out := map[string]any{}
	var walk func(filter.Expr) bool
	walk = func(e filter.Expr) bool {
		switch e := e.(type) {
		case *filter.And:
			return walk(e.Left) && walk(e.Right)
		case *filter.Compare:
			if e.Op != filter.Eq || e.Path.Sub != "" || e.Path.URI != "" {
				return false
			}
			out[e.Path.Attr] = e.Value
			return true
		}
		return false
	}
	return out, walk(e)
}

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// containsValue reports whether list holds el: an equal element, or, for
// objects with a "value", one with the same value.
func containsValue(list []any, el any) bool {
	ev := valueOf(el)
	for _, x := range list {
		if ev != nil && equalJSON(valueOf(x), ev) || equalJSON(x, el) {
			return true
		}
	}
	return false
}

func valueOf(v any) any {
	if obj, ok := v.(map[string]any); ok {
		return obj[findKey(obj, "value")]
	}
	return nil
}

func equalJSON(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if reflect.DeepEqual(a, b) {
		return true
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// merge copies src's keys into dst, matching existing keys in any case.
func merge(dst, src map[string]any) {
	for k, v := range src {
		dst[findKey(dst, k)] = v
	}
}

// findKey returns the key of obj equal to name ignoring case, or name when
// there is none.
func findKey(obj map[string]any, name string) string {
	if _, ok := obj[name]; ok {
		return name
	}
	for k := range obj {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}
