package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/strictjson"
)

// FuzzImport feeds arbitrary files to the JSON Lines and CSV import readers
// and the import line decoder. Property: no panic, line numbers only grow
// and stay within the file, and every line decodes to a patch or is
// refused with an error that names what is wrong (never an internal one).
func FuzzImport(f *testing.F) {
	for _, s := range []string{
		"{\"username\":\"ada\",\"email\":\"ada@example.com\"}\n\n{\"username\":\"bob\"}\n",
		"{\"username\":\"x\",\"password_hash\":\"$2b$10$abcdefghijklmnopqrstuu5Nq5R0Bn3hMvd0oX5Q0xXvC8m1X6pKS\"}\n",
		"{\"emial\":\"typo\"}\n{\"username\":null}\n[]\n",
		"username,email,active,extension\nc1,c1@example.com,false,\"{\"\"level_id\"\":6}\"\nc2,,true,\n",
		"username,orgs\nc1,\"[{\"\"org_id\"\":1,\"\"relation_type\"\":1}]\"\n",
		"username,grade\nc1,notanumber\nc2\n",
		"a,b\n\"unterminated\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		// A reader may refuse the whole file (a malformed CSV, an over-long
		// line); it must not panic or misnumber lines.
		_ = readJSONLines(bytes.NewReader(data), checkLine(t, lines))
		_ = readCSV(bytes.NewReader(data), checkLine(t, lines))
	})
}

// checkLine returns an import callback asserting the fuzz property for each
// line of a file of at most maxLine lines.
func checkLine(t *testing.T, maxLine int) lineFunc {
	last := 0
	return func(line int, obj []byte, bad error) error {
		if line <= last || line > maxLine {
			t.Fatalf("line %d after line %d in a file of %d lines", line, last, maxLine)
		}
		last = line
		if bad != nil {
			return nil
		}
		_, err := admin.DecodeImportUser(obj)
		if err == nil {
			return nil
		}
		var je *strictjson.Error
		var de *directory.Error
		if !errors.As(err, &je) && !(errors.As(err, &de) && de.Kind == directory.Invalid) {
			t.Fatalf("line %d %q: got %v, want a decoding or validation error", line, obj, err)
		}
		return nil
	}
}

func TestReadCSV(t *testing.T) {
	type row struct {
		line int
		obj  string
		bad  string
	}
	tests := []struct {
		name    string
		in      string
		want    []row
		wantErr string
	}{
		{"typed columns", "username,active,grade\nada,false,3\nbob,,\n", []row{
			{2, `{"active":false,"grade":3,"username":"ada"}`, ""},
			{3, `{"username":"bob"}`, ""},
		}, ""},
		{"short row is reported and skipped", "username,email\nada\nbob,b@example.com\n", []row{
			{2, "", "the row has 1 field and the header 2"},
			{3, `{"email":"b@example.com","username":"bob"}`, ""},
		}, ""},
		{"bad JSON cell", "username,extension\nada,{nope\n", []row{
			{2, "", `extension: "{nope" is not a JSON value`},
		}, ""},
		{"cell that is not UTF-8", "username,name\nada,Ad\xe9\nbob,Bob\n", []row{
			{2, "", "name: is not valid UTF-8; save the file as UTF-8"},
			{3, `{"name":"Bob","username":"bob"}`, ""},
		}, ""},
		{"quoted cell over two lines", "username,comment\nada,\"two\nlines\"\nbob,x\n", []row{
			{2, `{"comment":"two\nlines","username":"ada"}`, ""},
			{4, `{"comment":"x","username":"bob"}`, ""},
		}, ""},
		{"duplicate header column", "username,username\nada,bob\n", nil, `names column "username" twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []row
			err := readCSV(strings.NewReader(tt.in), func(line int, obj []byte, bad error) error {
				r := row{line: line, obj: string(obj)}
				if bad != nil {
					r.bad = bad.Error()
				}
				got = append(got, r)
				return nil
			})
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("got error %v, want %q", err, tt.wantErr)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got rows %v, want %v", got, tt.want)
			}
		})
	}
}
