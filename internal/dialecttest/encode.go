package dialecttest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// AwkwardStrings need escaping in JSON, or look as if they might: quotes,
// HTML, control characters, non-ASCII, U+2028/U+2029 and invalid UTF-8.
var AwkwardStrings = []string{"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "R&D", "tab\tnewline\n\x00\x1f", "\x7f",
	"Zoë 李雷 🙂", "line\u2028sep\u2029", "bad \xff utf-8 \xc3", "\xed\xa0\x80 surrogate", "ends mid-rune \xe6\x9d"}

// AwkwardUser returns a user of that id whose every text field is s, with
// the other fields varied by the id: times zero or not (in and out of UTC, before year
// 1000 and after 9999), manager and orgs absent, empty or several,
// extension nil, empty or nested with awkward keys and values.
func AwkwardUser(s string, id int64) directory.User {
	n := int64(uint64(id) % (1 << 62)) // not negative, so every % below is an index
	u := directory.User{ID: id, TenantID: n % 3, Active: n%2 == 0, Locked: n%3 == 0, MustChangePassword: n%5 == 0,
		Grade: int(n % 7), ManagerID: n % 4, Version: id}
	setStrings(reflect.ValueOf(&u).Elem(), s)
	u.PasswordHash = ""
	zones := []*time.Location{time.UTC, time.FixedZone("east", 8*3600), time.FixedZone("west", -(3*3600 + 30*60))}
	years := []int{2026, 999, 10000, 1970}
	at := time.Date(years[n%4], time.Month(n%12+1), int(n%28+1), int(n%24), int(n%60), int(n%60), int(n%1000)*1000+int(n%7)*100000, zones[n%3])
	u.CreatedAt, u.UpdatedAt = at, at.Add(time.Duration(n)*time.Hour+time.Microsecond)
	if n%3 != 0 {
		u.PasswordChangedAt = at.Add(time.Minute)
	}
	switch n % 4 {
	case 1:
		u.Extension = map[string]any{}
	case 2:
		u.Extension = map[string]any{s: s, "n": json.Number("-1.5e3"), "b": n%2 == 0, "nil": nil,
			"list": []any{s, json.Number("7"), map[string]any{"<k>": s}}}
	case 3:
		u.Extension = map[string]any{"role_id": json.Number(strconv.FormatInt(n, 10))}
	}
	switch n % 3 {
	case 1:
		u.Orgs = []directory.Membership{}
	case 2:
		u.Orgs = []directory.Membership{{OrgID: n + 1}, {OrgID: n + 2, Primary: true}, {OrgID: 9007199254740991}}
	}
	if n%2 == 1 {
		u.OtherEmails = []directory.Contact{{Value: s, Type: "work"}, {Value: "b@example.com", Type: s}}
		u.OtherPhones = []directory.Contact{{Value: s}}
	}
	return u
}

// setStrings sets every string field of the struct v, embedded ones
// included, to s.
func setStrings(v reflect.Value, s string) {
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.String:
			f.SetString(s)
		case reflect.Struct:
			if v.Type().Field(i).Anonymous {
				setStrings(f, s)
			}
		}
	}
}

// AwkwardUsers returns AwkwardUser of each of AwkwardStrings with several
// n each: many users for checking an encoder against encoding/json.
func AwkwardUsers() []directory.User {
	var users []directory.User
	for i, s := range AwkwardStrings {
		for k := range int64(12) {
			users = append(users, AwkwardUser(s, int64(i)*12+k+1))
		}
	}
	return append(users, directory.User{}, SampleUser())
}

// Encoder is a dialect's hand-written encoder of a user, as CheckEncoder
// and FuzzEncoder take it: Wire is the wire value encoding/json encoded
// before, Append appends the same JSON without reflection.
type Encoder struct {
	Wire   func(directory.User) any
	Append func([]byte, directory.User) ([]byte, error)
}

// CheckEncoderOnUsers runs CheckEncoder on each of AwkwardUsers.
func CheckEncoderOnUsers(t *testing.T, e Encoder) {
	t.Helper()
	for _, u := range AwkwardUsers() {
		CheckEncoder(t, u, e)
	}
}

// FuzzEncoder fuzzes CheckEncoder on AwkwardUser of any string and n.
func FuzzEncoder(f *testing.F, e Encoder) {
	for i, s := range AwkwardStrings {
		f.Add(s, int64(i))
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		CheckEncoder(t, AwkwardUser(s, n), e)
	})
}

// CheckEncoder checks that e.Append appends for u byte for byte what a
// json.Encoder with SetEscapeHTML(false) (server.WriteJSON's) writes for
// e.Wire(u), without its newline, and leaves what it was given in place.
func CheckEncoder(t testing.TB, u directory.User, e Encoder) {
	t.Helper()
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e.Wire(u)); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	got, err := e.Append([]byte("prefix"), u)
	if err != nil || !bytes.Equal(got, append([]byte("prefix"), bytes.TrimSuffix(want.Bytes(), []byte("\n"))...)) {
		t.Errorf("user %d: the encoder wrote\n%s (%v)\nencoding/json writes\n%s", u.ID, got, err, want.Bytes())
	}
}
