// Package filter parses SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths
// (§3.5.2) into an engine-free tree. It knows nothing of users or SQL: the
// scim package maps a tree onto a directory query, and Match evaluates one
// on a JSON value (the value filters of a PATCH path).
package filter

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Limits on what Parse accepts, so a filter costs a bounded amount to parse
// and to run.
const (
	// MaxLen is the longest filter, in bytes.
	MaxLen = 4096
	// MaxNodes is the most comparisons and logical operators in one filter.
	MaxNodes = 64
	// MaxDepth is the deepest nesting of not, parentheses and brackets.
	MaxDepth = 16
)

// Op is a comparison operator, always lowercase.
type Op string

// The comparison operators of RFC 7644 §3.4.2.2.
const (
	Eq Op = "eq"
	Ne Op = "ne"
	Co Op = "co"
	Sw Op = "sw"
	Ew Op = "ew"
	Pr Op = "pr"
	Gt Op = "gt"
	Ge Op = "ge"
	Lt Op = "lt"
	Le Op = "le"
)

var ops = map[string]Op{"eq": Eq, "ne": Ne, "co": Co, "sw": Sw, "ew": Ew, "pr": Pr, "gt": Gt, "ge": Ge, "lt": Lt, "le": Le}

// Expr is a node of a parsed filter: *And, *Or, *Not, *Compare or
// *ValuePath.
type Expr interface{ node() }

// And matches when both sides match.
type And struct{ Left, Right Expr }

// Or matches when either side matches.
type Or struct{ Left, Right Expr }

// Not matches when X does not.
type Not struct{ X Expr }

// Compare is an attribute expression: Path Op Value, or Path pr.
type Compare struct {
	Path Path
	Op   Op
	// Value is a string, a json.Number, a bool or nil (null); nil for pr.
	Value any
}

// ValuePath matches when an element of the multi-valued attribute Path
// matches Filter, whose paths name the element's sub-attributes.
type ValuePath struct {
	Path   Path
	Filter Expr
}

func (*And) node()       {}
func (*Or) node()        {}
func (*Not) node()       {}
func (*Compare) node()   {}
func (*ValuePath) node() {}

// Path names an attribute: an optional schema URI, the attribute and an
// optional sub-attribute, as written (compare with strings.EqualFold).
type Path struct {
	URI  string
	Attr string
	Sub  string
}

// String writes p back in filter form.
func (p Path) String() string {
	s := p.Attr
	if p.URI != "" {
		s = p.URI + ":" + s
	}
	if p.Sub != "" {
		s += "." + p.Sub
	}
	return s
}

// Error is a filter or path that cannot be parsed; its message says what
// is wrong and where.
type Error struct{ Msg string }

func (e *Error) Error() string { return "filter: " + e.Msg }

func errorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// Parse parses a filter.
func Parse(s string) (Expr, error) {
	if len(s) > MaxLen {
		return nil, errorf("the filter is longer than %d bytes", MaxLen)
	}
	p := &parser{lx: lexer{src: s}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	e, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, errorf("unexpected %s at offset %d", p.tok, p.tok.pos)
	}
	return e, nil
}

// PatchPath is the path of a PATCH operation: an attribute, optionally
// narrowed to the elements matching Filter, optionally one sub-attribute
// of those elements (emails[type eq "work"].value).
type PatchPath struct {
	Path   Path
	Filter Expr // nil without brackets
	Sub    string
}

// ParsePath parses a PATCH path (RFC 7644 §3.5.2: attrPath, or valuePath
// with an optional ".subAttr").
func ParsePath(s string) (PatchPath, error) {
	if len(s) > MaxLen {
		return PatchPath{}, errorf("the path is longer than %d bytes", MaxLen)
	}
	p := &parser{lx: lexer{src: s}}
	if err := p.advance(); err != nil {
		return PatchPath{}, err
	}
	if p.tok.kind != tWord {
		return PatchPath{}, errorf("the path must start with an attribute name")
	}
	path, err := parseAttrPath(p.tok.text)
	if err != nil {
		return PatchPath{}, err
	}
	if err := p.advance(); err != nil {
		return PatchPath{}, err
	}
	out := PatchPath{Path: path}
	if p.tok.kind == tLBracket {
		if path.Sub != "" {
			return PatchPath{}, errorf("%q is a sub-attribute and cannot be filtered", path.String())
		}
		if err := p.advance(); err != nil {
			return PatchPath{}, err
		}
		f, err := p.or(1)
		if err != nil {
			return PatchPath{}, err
		}
		if p.tok.kind != tRBracket {
			return PatchPath{}, errorf("expected ] at offset %d, found %s", p.tok.pos, p.tok)
		}
		out.Filter = f
		// After "]" only ".subAttr" may follow, glued to it.
		rest := p.lx.src[p.lx.pos:]
		if rest != "" {
			if rest[0] != '.' || !validName(rest[1:]) {
				return PatchPath{}, errorf("after ] only .subAttribute may follow, not %q", rest)
			}
			out.Sub = rest[1:]
		}
		return out, nil
	}
	if p.tok.kind != tEOF {
		return PatchPath{}, errorf("unexpected %s at offset %d", p.tok, p.tok.pos)
	}
	return out, nil
}

type parser struct {
	lx    lexer
	tok   token
	nodes int
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	p.tok = t
	return err
}

func (p *parser) count() error {
	p.nodes++
	if p.nodes > MaxNodes {
		return errorf("the filter has more than %d expressions", MaxNodes)
	}
	return nil
}

// keyword reports whether the current token is the word w, in any case.
func (p *parser) keyword(w string) bool {
	return p.tok.kind == tWord && strings.EqualFold(p.tok.text, w)
}

// or parses FILTER with the lowest precedence: a chain of "or".
func (p *parser) or(depth int) (Expr, error) {
	left, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		if err := p.count(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		left = &Or{left, right}
	}
	return left, nil
}

func (p *parser) and(depth int) (Expr, error) {
	left, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		if err := p.count(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		left = &And{left, right}
	}
	return left, nil
}

// unary parses "not" "(" FILTER ")", "(" FILTER ")", an attribute
// expression or a value path.
func (p *parser) unary(depth int) (Expr, error) {
	if depth >= MaxDepth {
		return nil, errorf("the filter nests deeper than %d levels", MaxDepth)
	}
	if err := p.count(); err != nil {
		return nil, err
	}
	switch {
	case p.keyword("not"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tLParen {
			return nil, errorf("not must be followed by ( at offset %d", p.tok.pos)
		}
		x, err := p.group(depth + 1)
		if err != nil {
			return nil, err
		}
		return &Not{x}, nil
	case p.tok.kind == tLParen:
		return p.group(depth + 1)
	case p.tok.kind == tWord:
		return p.attrExp(depth)
	}
	return nil, errorf("expected an attribute, not or ( at offset %d, found %s", p.tok.pos, p.tok)
}

func (p *parser) group(depth int) (Expr, error) {
	if err := p.advance(); err != nil { // past "("
		return nil, err
	}
	x, err := p.or(depth)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tRParen {
		return nil, errorf("expected ) at offset %d, found %s", p.tok.pos, p.tok)
	}
	return x, p.advance()
}

func (p *parser) attrExp(depth int) (Expr, error) {
	path, err := parseAttrPath(p.tok.text)
	if err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tLBracket {
		if path.Sub != "" {
			return nil, errorf("%q is a sub-attribute and cannot be filtered", path.String())
		}
		if depth+1 >= MaxDepth {
			return nil, errorf("the filter nests deeper than %d levels", MaxDepth)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		f, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRBracket {
			return nil, errorf("expected ] at offset %d, found %s", p.tok.pos, p.tok)
		}
		if err := nested(f); err != nil {
			return nil, err
		}
		return &ValuePath{Path: path, Filter: f}, p.advance()
	}
	if p.tok.kind != tWord {
		return nil, errorf("expected an operator after %q at offset %d, found %s", path.String(), p.tok.pos, p.tok)
	}
	op, ok := ops[strings.ToLower(p.tok.text)]
	if !ok {
		return nil, errorf("unknown operator %q at offset %d; use eq, ne, co, sw, ew, pr, gt, ge, lt or le", p.tok.text, p.tok.pos)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if op == Pr {
		return &Compare{Path: path, Op: Pr}, nil
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	return &Compare{Path: path, Op: op, Value: v}, p.advance()
}

// nested rejects a value path inside a value path's filter.
func nested(e Expr) error {
	switch e := e.(type) {
	case *And:
		if err := nested(e.Left); err != nil {
			return err
		}
		return nested(e.Right)
	case *Or:
		if err := nested(e.Left); err != nil {
			return err
		}
		return nested(e.Right)
	case *Not:
		return nested(e.X)
	case *ValuePath:
		return errorf("a value path cannot hold another value path")
	}
	return nil
}

// value reads compValue: a JSON string, number, true, false or null.
func (p *parser) value() (any, error) {
	switch p.tok.kind {
	case tString:
		var s string
		if err := json.Unmarshal([]byte(p.tok.text), &s); err != nil {
			return nil, errorf("bad string at offset %d: %v", p.tok.pos, err)
		}
		return s, nil
	case tWord:
		switch strings.ToLower(p.tok.text) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		if isNumber(p.tok.text) {
			return json.Number(p.tok.text), nil
		}
	}
	return nil, errorf("expected a value (a \"string\", number, true, false or null) at offset %d, found %s", p.tok.pos, p.tok)
}

func isNumber(s string) bool {
	var n json.Number
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil || dec.More() {
		return false
	}
	return string(n) == s
}

// parseAttrPath reads attrPath = [URI ":"] ATTRNAME *1subAttr. A URI
// holds colons and dots (…:enterprise:2.0:User), so the attribute is what
// follows the last colon.
func parseAttrPath(s string) (Path, error) {
	var p Path
	rest := s
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		p.URI, rest = s[:i], s[i+1:]
		if !strings.HasPrefix(strings.ToLower(p.URI), "urn:") {
			return Path{}, errorf("%q is not an attribute path: a schema prefix is a URN", s)
		}
	}
	attr, sub, hasSub := strings.Cut(rest, ".")
	if !validName(attr) || hasSub && !validName(sub) {
		return Path{}, errorf("%q is not an attribute name", s)
	}
	p.Attr, p.Sub = attr, sub
	return p, nil
}

// validName reports whether s is an ATTRNAME (ALPHA *(ALPHA / DIGIT / "-"
// / "_")), or "$ref".
func validName(s string) bool {
	if s == "$ref" {
		return true
	}
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
