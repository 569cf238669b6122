package main

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
)

// TestImportExportProfile imports a user's profile from CSV, the lists as
// JSON cells, and reads every field back from user export under the same
// native names.
func TestImportExportProfile(t *testing.T) {
	env := map[string]string{"USERD_DB": "sqlite:" + filepath.Join(t.TempDir(), "userd.db")}
	mustRunBin(t, "", env, "", "migrate")
	mustRunBin(t, "", env, "", "tenant", "create", "--name", "acme")
	csv := "username,email,phone,external_id,given_name,family_name,user_type,other_emails,other_phones,birthday,hire_date,department\n" +
		`ada,ada@example.com,5550100,00u1ada,Ada,Lovelace,Employee,"[{""value"":""ada@home.example"",""type"":""home""}]","[{""value"":""5550101""}]",1815-12-10,1843-09-01,Research` + "\n"
	res := mustRunBin(t, "", env, csv, "user", "import", "--format", "csv", "-")
	if res.stdout != "imported 1 user; 0 lines failed\n" {
		t.Fatalf("import: got %q", res.stdout)
	}
	res = mustRunBin(t, "", env, "", "user", "export")
	var got map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil {
		t.Fatalf("export: %v in %q", err, res.stdout)
	}
	want := map[string]any{
		"external_id": "00u1ada", "given_name": "Ada", "family_name": "Lovelace", "user_type": "Employee",
		"other_emails": []any{map[string]any{"value": "ada@home.example", "type": "home"}},
		"other_phones": []any{map[string]any{"value": "5550101", "type": ""}},
		"birthday":     "1815-12-10", "hire_date": "1843-09-01", "department": "Research", "middle_name": "",
	}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("export %s: got %#v, want %#v", k, got[k], v)
		}
	}
}
