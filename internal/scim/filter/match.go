package filter

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Format writes e back as a filter, every operator lowercase and every
// logical expression in parentheses: Parse(Format(e)) is e again.
func Format(e Expr) string {
	switch e := e.(type) {
	case *And:
		return "(" + Format(e.Left) + " and " + Format(e.Right) + ")"
	case *Or:
		return "(" + Format(e.Left) + " or " + Format(e.Right) + ")"
	case *Not:
		return "not (" + Format(e.X) + ")"
	case *ValuePath:
		return e.Path.String() + "[" + Format(e.Filter) + "]"
	case *Compare:
		if e.Op == Pr {
			return e.Path.String() + " pr"
		}
		return e.Path.String() + " " + string(e.Op) + " " + formatValue(e.Value)
	}
	return ""
}

func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return string(v)
	case string:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return ""
}

// Match reports whether the JSON object elem (as encoding/json decodes it,
// numbers as json.Number or float64) matches e, whose paths name elem's
// own attributes (the filter of a value path). Attribute names compare
// ignoring case; so do strings, unless caseExact says the attribute is
// compared exactly.
func Match(e Expr, elem map[string]any, caseExact func(attr string) bool) bool {
	switch e := e.(type) {
	case *And:
		return Match(e.Left, elem, caseExact) && Match(e.Right, elem, caseExact)
	case *Or:
		return Match(e.Left, elem, caseExact) || Match(e.Right, elem, caseExact)
	case *Not:
		return !Match(e.X, elem, caseExact)
	case *Compare:
		v, ok := lookup(elem, e.Path.Attr)
		if ok && e.Path.Sub != "" {
			obj, isObj := v.(map[string]any)
			v, ok = nil, false
			if isObj {
				v, ok = lookup(obj, e.Path.Sub)
			}
		}
		exact := caseExact != nil && caseExact(e.Path.Attr)
		return compare(v, ok, e.Op, e.Value, exact)
	}
	return false // a value path inside a value path never parses
}

func lookup(obj map[string]any, name string) (any, bool) {
	if v, ok := obj[name]; ok {
		return v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// compare applies op to the attribute's value v (present says whether the
// attribute is there at all) and the filter's value want.
func compare(v any, present bool, op Op, want any, exact bool) bool {
	if op == Pr {
		switch v := v.(type) {
		case nil:
			return false
		case string:
			return v != ""
		case []any:
			return len(v) > 0
		case map[string]any:
			return len(v) > 0
		}
		return present
	}
	if !present || v == nil {
		// A missing attribute equals null and nothing else.
		switch op {
		case Eq:
			return want == nil
		case Ne:
			return want != nil
		}
		return false
	}
	switch w := want.(type) {
	case string:
		s, ok := v.(string)
		if !ok {
			return op == Ne
		}
		if !exact {
			s, w = strings.ToLower(s), strings.ToLower(w)
		}
		switch op {
		case Eq:
			return s == w
		case Ne:
			return s != w
		case Co:
			return strings.Contains(s, w)
		case Sw:
			return strings.HasPrefix(s, w)
		case Ew:
			return strings.HasSuffix(s, w)
		case Gt:
			return s > w
		case Ge:
			return s >= w
		case Lt:
			return s < w
		case Le:
			return s <= w
		}
	case bool:
		b, ok := boolOf(v)
		switch op {
		case Eq:
			return ok && b == w
		case Ne:
			return !ok || b != w
		}
	case json.Number:
		f, ok := numberOf(v)
		g, err := w.Float64()
		if !ok || err != nil {
			return op == Ne
		}
		switch op {
		case Eq:
			return f == g
		case Ne:
			return f != g
		case Gt:
			return f > g
		case Ge:
			return f >= g
		case Lt:
			return f < g
		case Le:
			return f <= g
		}
	case nil:
		return op == Ne
	}
	return false
}

// boolOf reads a boolean, also as the strings "true" and "false" in any
// case, which Entra ID sends.
func boolOf(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		b, err := strconv.ParseBool(strings.ToLower(v))
		return b, err == nil && (strings.EqualFold(v, "true") || strings.EqualFold(v, "false"))
	}
	return false, false
}

func numberOf(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}
