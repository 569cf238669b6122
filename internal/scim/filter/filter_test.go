package filter

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct{ in, want string }{
		// RFC 7644 §3.4.2.2's examples.
		{`userName Eq "john"`, `userName eq "john"`},
		{`name.familyName co "O'Malley"`, `name.familyName co "O'Malley"`},
		{`userName sw "J"`, `userName sw "J"`},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`},
		{`title pr`, `title pr`},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, `meta.lastModified gt "2011-05-13T04:42:34Z"`},
		{`title pr and userType eq "Employee"`, `(title pr and userType eq "Employee")`},
		{`title pr or userType eq "Intern"`, `(title pr or userType eq "Intern")`},
		{`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, `schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`},
		{`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
			`(userType eq "Employee" and (emails co "example.com" or emails.value co "example.org"))`},
		{`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
			`(userType ne "Employee" and not ((emails co "example.com" or emails.value co "example.org")))`},
		{`userType eq "Employee" and (emails.type eq "work")`, `(userType eq "Employee" and emails.type eq "work")`},
		{`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
			`(userType eq "Employee" and emails[(type eq "work" and value co "@example.com")])`},
		{`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
			`(emails[(type eq "work" and value co "@example.com")] or ims[(type eq "xmpp" and value co "@foo.com")])`},
		// Precedence: and binds tighter than or; keywords in any case.
		{`a eq 1 OR b eq 2 AND c eq 3`, `(a eq 1 or (b eq 2 and c eq 3))`},
		{`NOT (a PR)`, `not (a pr)`},
		{`active eq True`, `active eq true`},
		{`x eq null`, `x eq null`},
		{`x gt -1.5e3`, `x gt -1.5e3`},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7"`,
			`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7"`},
		{`userName eq "a \"quoted\" \u00e9"`, `userName eq "a \"quoted\" é"`},
		{`meta.$ref pr`, `meta.$ref pr`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := Format(e); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("not (", MaxDepth+1) + "a pr" + strings.Repeat(")", MaxDepth+1)
	wide := strings.Repeat("a pr or ", MaxNodes) + "a pr"
	tests := []struct{ in, want string }{
		{``, "expected an attribute"},
		{`userName`, "expected an operator"},
		{`userName is "x"`, `unknown operator "is"`},
		{`userName eq`, "expected a value"},
		{`userName eq john`, "expected a value"},
		{`userName eq "john`, "no closing quote"},
		{`userName eq "x" and`, "expected an attribute"},
		{`(userName pr`, "expected )"},
		{`not userName pr`, "not must be followed by ("},
		{`emails[type eq "work"`, "expected ]"},
		{`emails[type[value pr]]`, "cannot hold another value path"},
		{`emails.value[type pr]`, "sub-attribute and cannot be filtered"},
		{`1abc pr`, "not an attribute name"},
		{`http://x:a pr`, "schema prefix is a URN"},
		{`a pr b pr`, `unexpected "b"`},
		{deep, "nests deeper"},
		{wide, "more than"},
		{strings.Repeat("a", MaxLen+1), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 40)], func(t *testing.T) {
			_, err := Parse(tt.in)
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *filter.Error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in         string
		path, sub  string
		filter     string
		wantErrMsg string
	}{
		{in: `members`, path: `members`},
		{in: `name.familyName`, path: `name.familyName`},
		{in: `emails[type eq "work"].value`, path: `emails`, filter: `type eq "work"`, sub: `value`},
		{in: `members[value eq "2819c223"]`, path: `members`, filter: `value eq "2819c223"`},
		{in: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`, path: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`},
		{in: `emails[type eq "work"]x`, wantErrMsg: "only .subAttribute"},
		{in: `emails[type eq "work"].`, wantErrMsg: "only .subAttribute"},
		{in: `emails eq`, wantErrMsg: "unexpected"},
		{in: ``, wantErrMsg: "must start with an attribute"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePath(tt.in)
			if tt.wantErrMsg != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrMsg) {
					t.Fatalf("got %v, want an error saying %q", err, tt.wantErrMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if p.Filter != nil {
				got = Format(p.Filter)
			}
			if p.Path.String() != tt.path || p.Sub != tt.sub || got != tt.filter {
				t.Errorf("got %s [%s] .%s, want %s [%s] .%s", p.Path, got, p.Sub, tt.path, tt.filter, tt.sub)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	var elem map[string]any
	dec := json.NewDecoder(strings.NewReader(`{"type": "work", "Value": "Bjensen@Example.com", "primary": true, "n": 3, "display": ""}`))
	dec.UseNumber()
	if err := dec.Decode(&elem); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		filter string
		want   bool
	}{
		{`type eq "work"`, true},
		{`TYPE eq "WORK"`, true},
		{`type eq "home"`, false},
		{`type eq "work" and value co "@example.com"`, true},
		{`value ew ".COM"`, true},
		{`value sw "bj"`, true},
		{`primary eq true`, true},
		{`primary eq false`, false},
		{`not (primary eq true)`, false},
		{`n gt 2 and n le 3`, true},
		{`n lt 3`, false},
		{`display pr`, false},
		{`missing pr`, false},
		{`missing eq null`, true},
		{`type ne "home" or missing pr`, true},
	}
	for _, tt := range tests {
		e, err := Parse(tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := Match(e, elem, nil); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.filter, got, tt.want)
		}
	}
	e, _ := Parse(`value eq "bjensen@example.com"`)
	if Match(e, elem, func(string) bool { return true }) {
		t.Error("a caseExact attribute matched a value of another case")
	}
}

// FuzzParse checks that Parse never panics, stays within its limits, and
// that what it accepts formats to a filter that parses to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`userName eq "john"`, `title pr and userType eq "Employee"`,
		`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp"]`,
		`not (a pr) OR b Gt 1.5`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7"`,
		`a eq "\u00e9\""`, `(((a pr)))`, `x eq null`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q) failed with %T, not *filter.Error", s, err)
			}
			return
		}
		text := Format(e)
		again, err := Parse(text)
		if err != nil {
			// Format adds parentheses, which may cross the depth limit
			// the original stayed within; nothing else may fail.
			if strings.Contains(err.Error(), "nests deeper") || strings.Contains(err.Error(), "longer than") {
				return
			}
			t.Fatalf("Parse(Format(Parse(%q))) = %q: %v", s, text, err)
		}
		if Format(again) != text {
			t.Fatalf("round trip of %q: %q became %q", s, text, Format(again))
		}
		_ = Match(e, map[string]any{"a": "x"}, nil)
	})
}

// FuzzParsePath checks that ParsePath never panics and fails only with a
// *filter.Error.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{`members`, `emails[type eq "work"].value`, `name.givenName`, `members[value eq "1"]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParsePath(s); err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("ParsePath(%q) failed with %T", s, err)
			}
		}
	})
}
