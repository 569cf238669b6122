package console

import (
	"html/template"
	"strings"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// rowsTemplate is the users table's rows as html/template writes them: the
// reference userRows must match byte for byte.
var rowsTemplate = template.Must(template.New("rows").Parse(`{{range .Users}}<tr>
<td><a href="/console/users/{{.ID}}">{{.Username}}</a></td><td>{{.Name}}</td><td>{{.Email}}</td>
<td>{{if not .Active}}<span class="badge off">{{$.Disabled}}</span>{{end}}{{if .Locked}}<span class="badge off">{{$.Locked}}</span>{{end}}{{if .MustChangePassword}}<span class="badge">{{$.MustChange}}</span>{{end}}</td>
</tr>{{end}}`))

// checkUserRows fails t unless userRows writes users as rowsTemplate does,
// in both languages.
func checkUserRows(t *testing.T, users []directory.User) {
	t.Helper()
	for _, lang := range languages {
		rq := &request{lang: lang}
		var want strings.Builder
		err := rowsTemplate.Execute(&want, map[string]any{"Users": users,
			"Disabled": rq.t("users.disabled"), "Locked": rq.t("users.locked"), "MustChange": rq.t("users.must_change")})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(userRows(users, rq.rowLabels())); got != want.String() {
			t.Fatalf("userRows in %s:\ngot  %q\nwant %q", lang, got, want.String())
		}
	}
}

// TestUserRowsMatchTemplate checks the users table's rows, written without
// html/template, against html/template's own rendering of the same
// markup: awkward text (markup, quotes, '+', NUL, invalid UTF-8) and every
// mix of badges.
func TestUserRowsMatchTemplate(t *testing.T) {
	users := dialecttest.AwkwardUsers()
	for i, s := range []string{"a+b", "'single'", "&#39;"} {
		users = append(users, dialecttest.AwkwardUser(s, int64(1000+i)))
	}
	checkUserRows(t, users)
	checkUserRows(t, nil)
}

// FuzzUserRows checks userRows against html/template on any text.
func FuzzUserRows(f *testing.F) {
	for _, s := range dialecttest.AwkwardStrings {
		f.Add(s, int64(1))
	}
	f.Add("a+b", int64(30))
	f.Fuzz(func(t *testing.T, s string, id int64) {
		checkUserRows(t, []directory.User{dialecttest.AwkwardUser(s, id)})
	})
}
