package userinfov1

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// successBody is the 200 answer with data as encoding/json would write it,
// the reference writeSuccess is checked against.
type successBody struct {
	Result bool       `json:"result"`
	Mcode  string     `json:"mcode"`
	Data   []userItem `json:"data"`
}

func TestNewUserItemExtension(t *testing.T) {
	tests := []struct {
		name string
		ext  map[string]any
		want string
	}{
		{"absent keys are left out", map[string]any{},
			`{"id":71,"email":"","entityNo":"","name":"","address":"","phone":{"countryCode":"","phone":""},"country":"","province":"","city":"","comment":""}`},
		{"integers, integer strings and a boolean", map[string]any{"role_id": json.Number("2"), "level_id": "6", "server_id": json.Number("-3"), "login": json.Number("1001"), "send_email": false},
			`{"id":71,"email":"","roleId":2,"levelId":6,"entityNo":"","name":"","address":"","phone":{"countryCode":"","phone":""},"country":"","province":"","city":"","comment":"","serverId":-3,"login":1001,"sendEmail":false}`},
		{"values of another type are left out", map[string]any{"role_id": json.Number("2.5"), "level_id": "admin", "server_id": true, "login": map[string]any{"a": json.Number("1")}, "send_email": "yes"},
			`{"id":71,"email":"","entityNo":"","name":"","address":"","phone":{"countryCode":"","phone":""},"country":"","province":"","city":"","comment":""}`},
		{"integers beyond int64 are left out", map[string]any{"role_id": json.Number("9223372036854775808")},
			`{"id":71,"email":"","entityNo":"","name":"","address":"","phone":{"countryCode":"","phone":""},"country":"","province":"","city":"","comment":""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var it userItem
			it.fill(&directory.User{ID: 71, Extension: tt.ext})
			got, err := json.Marshal(&it)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// awkwardStrings need escaping, or look as if they might.
var awkwardStrings = []string{"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnewline\n\x00\x1f", "\x7f",
	"Zoë 李雷 🙂", "line\u2028sep\u2029", "bad \xff utf-8 \xc3", "\xed\xa0\x80 surrogate", "ends mid-rune \xe6\x9d"}

// TestWriteSuccessMatchesEncodingJSON checks that the hand-written encoder
// writes what json.Encoder writes for successBody.
func TestWriteSuccessMatchesEncodingJSON(t *testing.T) {
	var users []directory.User
	for i, s := range awkwardStrings {
		u := directory.User{ID: int64(i + 1), Email: s, EmployeeNumber: s, Name: s, Address: s, Phone: s, PhoneCountryCode: s,
			Country: s, Province: s, City: s, Comment: s, ManagerID: int64(i), Extension: map[string]any{
				"role_id": json.Number("-9223372036854775808"), "level_id": strconv.Itoa(i), "server_id": json.Number("9223372036854775807"),
				"login": json.Number("0"), "send_email": i%2 == 0}}
		if i%3 == 0 {
			u.Extension = map[string]any{}
		}
		users = append(users, u)
	}
	for n := range len(users) + 1 {
		checkWriteSuccess(t, users[:n])
	}
	// An answer larger than flushBytes is written in pieces.
	large := make([]directory.User, 3*flushBytes/4096)
	for i := range large {
		large[i] = directory.User{ID: int64(i + 1), Comment: strings.Repeat("<é>", 4096/3)}
	}
	checkWriteSuccess(t, large)
}

func FuzzWriteSuccess(f *testing.F) {
	for _, s := range awkwardStrings {
		f.Add(s, int64(7), "2", true)
	}
	f.Fuzz(func(t *testing.T, s string, manager int64, roleID string, sendEmail bool) {
		u := directory.User{ID: 1, Email: s, Name: s, Phone: s, Comment: s, ManagerID: manager,
			Extension: map[string]any{"role_id": json.Number(roleID), "login": roleID, "send_email": sendEmail}}
		checkWriteSuccess(t, []directory.User{u, {ID: 2, City: s}})
	})
}

func checkWriteSuccess(t *testing.T, users []directory.User) {
	t.Helper()
	items := make([]userItem, len(users))
	for i := range users {
		items[i].fill(&users[i])
	}
	var want bytes.Buffer
	if err := json.NewEncoder(&want).Encode(successBody{Result: true, Mcode: mcodeSuccess, Data: items}); err != nil {
		t.Fatalf("encode: %v", err)
	}
	var got bytes.Buffer
	if _, err := writeSuccess(&got, nil, users); err != nil || !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("writeSuccess wrote\n%s (%v)\nencoding/json writes\n%s", got.Bytes(), err, want.Bytes())
	}
}
