package console

import (
	"html/template"
	"strconv"
	"unicode/utf8"

	"github.com/userd/userd/internal/directory"
)

// rowLabels are the words a row of the users table may show, in the
// page's language, escaped once per page.
type rowLabels struct{ disabled, locked, mustChange []byte }

func (rq *request) rowLabels() *rowLabels {
	return &rowLabels{
		disabled:   appendHTMLText(nil, rq.t("users.disabled")),
		locked:     appendHTMLText(nil, rq.t("users.locked")),
		mustChange: appendHTMLText(nil, rq.t("users.must_change")),
	}
}

// userRows renders the rows of the users table. The rows are the one
// part of the console that repeats fifty times a page, and written here
// they cost a fraction of what html/template spends on them (a reflective
// call per field and per translation); the markup is what the template
// around them would write, each text escaped as html/template escapes
// text (TestUserRowsMatchTemplate).
func userRows(users []directory.User, l *rowLabels) template.HTML {
	b := make([]byte, 0, 256*len(users))
	for i := range users {
		b = appendUserRow(b, &users[i], l)
	}
	return template.HTML(b)
}

func appendUserRow(b []byte, u *directory.User, l *rowLabels) []byte {
	b = append(b, "<tr>\n<td><a href=\"/console/users/"...)
	b = strconv.AppendInt(b, u.ID, 10)
	b = append(b, "\">"...)
	b = appendHTMLText(b, u.Username)
	b = append(b, "</a></td><td>"...)
	b = appendHTMLText(b, u.Name)
	b = append(b, "</td><td>"...)
	b = appendHTMLText(b, u.Email)
	b = append(b, "</td>\n<td>"...)
	if !u.Active {
		b = appendBadge(b, "badge off", l.disabled)
	}
	if u.Locked {
		b = appendBadge(b, "badge off", l.locked)
	}
	if u.MustChangePassword {
		b = appendBadge(b, "badge", l.mustChange)
	}
	return append(b, "</td>\n</tr>"...)
}

func appendBadge(b []byte, class string, label []byte) []byte {
	b = append(b, `<span class="`...)
	b = append(b, class...)
	b = append(b, `">`...)
	b = append(b, label...)
	return append(b, "</span>"...)
}

// appendHTMLText appends s escaped for HTML text, exactly as html/template
// escapes a value there: & < > " ' + as entities, NUL as U+FFFD, every
// other byte (invalid UTF-8 too) as it is.
func appendHTMLText(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case 0:
			rep = string(utf8.RuneError)
		case '"':
			rep = "&#34;"
		case '&':
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, rep...)
		start = i + 1
	}
	return append(b, s[start:]...)
}
