package userinfov1

import (
	"encoding/json"
	"testing"

	"github.com/userd/userd/internal/directory"
)

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
			got, err := json.Marshal(newUserItem(directory.User{ID: 71, Extension: tt.ext}))
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
