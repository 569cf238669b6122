package tenantv2

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/strictjson"
)

// TestErrorTable sends every kind of error through errorOf, the dialect's
// one mapping, and checks each code's status; every code errors.go
// declares must be met here, listed in docs/api/tenant-v2.md's table with
// that status, and (but for the two no HTTP exchange can provoke at will)
// answered in a golden file.
func TestErrorTable(t *testing.T) {
	tooLarge := &http.MaxBytesError{Limit: 64}
	tests := []struct {
		obj    object
		err    error
		status int
		code   string
	}{
		{aUser, &strictjson.Error{Field: "x", Reason: "is not a known field"}, 400, codeBadJSON},
		{aUser, directory.Errorf(directory.Invalid, "username", "is required"), 400, codeInvalid},
		{aUser, tooLarge, 413, codeTooLarge},
		{aUser, directory.Errorf(directory.Unauthenticated, "", "bad token"), 401, codeInvalidToken},
		{aUser, directory.Errorf(directory.Forbidden, "", "needs scope"), 403, codeScope},
		{aUser, directory.Errorf(directory.NotFound, "", "no such user"), 404, codeUserNotFound},
		{aUser, directory.Violation(directory.Taken, "phone", nil), 400, codeUserTaken},
		{aUser, directory.ErrWrongPassword, 400, codeWrongPassword},
		{aUser, directory.Errorf(directory.TooMany, "old_password", "too many"), 429, codePasswordLocked},
		{anOrg, directory.Errorf(directory.NotFound, "", "no such org"), 404, codeOrgNotFound},
		{anOrg, directory.Violation(directory.Taken, "code", nil), 400, codeOrgTaken},
		{anOrg, directory.Violation(directory.Taken, "name", nil), 400, codeOrgNameTaken},
		{anOrg, directory.Violation(directory.HasChildren, "", nil), 400, codeOrgHasChildren},
		{anOrg, directory.Violation(directory.HasMembers, "", nil), 400, codeOrgHasMembers},
		{aUser, directory.Errorf(directory.Conflict, "", "retry"), 409, codeConflict},
		{aUser, directory.ErrVersionMismatch, 409, codeConflict},
		{aUser, directory.Errorf(directory.TooMany, "", "busy"), 429, codeBusy},
		{aUser, errors.New("boom"), 500, codeInternal},
		{aUser, directory.Errorf(directory.Unavailable, "", "down"), 503, codeUnavailable},
		{anOrg, directory.Errorf(directory.Overloaded, "", "full"), 503, codeOverloaded},
	}
	met := map[string]int{}
	for _, tt := range tests {
		status, body := errorOf(tt.obj, tt.err)
		if status != tt.status || body.ErrorCode != tt.code {
			t.Errorf("errorOf(%v) = %d %s, want %d %s", tt.err, status, body.ErrorCode, tt.status, tt.code)
		}
		met[tt.code] = tt.status
	}

	src, err := os.ReadFile("errors.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "api", "tenant-v2.md"))
	if err != nil {
		t.Fatal(err)
	}
	goldens, _ := filepath.Glob(filepath.Join("testdata", "*.golden"))
	var all strings.Builder
	for _, g := range goldens {
		b, _ := os.ReadFile(g)
		all.Write(b)
	}
	// Conflicts and a credential's busy lists need a race to provoke.
	noGolden := map[string]bool{codeConflict: true, codeBusy: true, codeOverloaded: true}
	for _, m := range regexp.MustCompile(`"([A-Z]+\.[0-9]{4})"`).FindAllStringSubmatch(string(src), -1) {
		code := m[1]
		status, ok := met[code]
		if !ok {
			t.Errorf("code %s is not in this test's table", code)
			continue
		}
		row := "| " + strconv.Itoa(status) + " | `" + code + "` |"
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/api/tenant-v2.md lacks a row starting %q", row)
		}
		if !noGolden[code] && !strings.Contains(all.String(), `"error_code":"`+code+`"`) {
			t.Errorf("no golden file answers %s", code)
		}
	}
}
