package oneaccess

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// The expected values were computed outside Go, with Python's hmac and the
// cryptography package's AESGCM, so the test checks the format, not just
// that Go agrees with itself.
const (
	signKey      = "0123456789abcdef"
	encKey       = "fedcba9876543210"
	pythonSig    = "huEMnJtjWOLaMQOkkYqnVT0BHZr3F5P39QDvUYMAZ0s="
	pythonSealed = "AAECAwQFBgcICQoLXUg8lUdD+Z0mEU7ZAt0lUfGTaMFp77Ms0NP3paD1pw==" // IV 00..0b
	plain        = `{"userdId":"7"}`
)

func TestSignature(t *testing.T) {
	if got := Sign(signKey, "n1", "1700000000000", CreateUser, plain); got != pythonSig {
		t.Errorf("Sign: got %s, want %s", got, pythonSig)
	}
	c, err := New(signKey, "", "n1", CreateUser, []byte(plain), time.UnixMilli(1700000000000))
	if err != nil || c.Signature != pythonSig || c.Data != plain || c.Timestamp != "1700000000000" {
		t.Errorf("New: got %+v, %v; want data in clear signed %s", c, err, pythonSig)
	}
}

func TestEncryptionLayout(t *testing.T) {
	got, err := Decrypt(encKey, pythonSealed)
	if err != nil || string(got) != plain {
		t.Fatalf("Decrypt of Python's IV||ciphertext||tag: got %q, %v; want %s", got, err, plain)
	}
	c, err := New(signKey, encKey, "n2", UpdateUser, []byte(plain), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(c.Data)
	if len(raw) != 12+len(plain)+16 {
		t.Errorf("sealed data is %d bytes, want 12 (IV) + %d + 16 (tag)", len(raw), len(plain))
	}
	if c.Signature != Sign(signKey, c.Nonce, c.Timestamp, c.EventType, c.Data) {
		t.Error("the signature is not over the data as sent (encrypted)")
	}
	if back, err := Decrypt(encKey, c.Data); err != nil || string(back) != plain {
		t.Errorf("round trip: %q, %v", back, err)
	}
	if _, err := Decrypt("another-16-chars", c.Data); err == nil {
		t.Error("Decrypt with another key succeeded")
	}
}

func TestParseAnswer(t *testing.T) {
	tests := []struct {
		event, body, want, wantErr string
	}{
		{CreateUser, `{"code":"200","message":"success","data":{"id":"app-7"}}`, "app-7", ""},
		{CreateOrganization, `{"code":"200","message":"","data":{"id":12345}}`, "12345", ""},
		{CheckURL, `{"code":"200","message":"success","data":"abc"}`, "abc", ""},
		{UpdateUser, `{"code":"200","message":"success","data":null}`, "", ""},
		{CreateUser, `{"code":"500","message":"db down"}`, "", "code \"500\""},
		{CreateUser, `{"code":"200","data":{}}`, "", "no data.id"},
		{CreateUser, `{"code":"200","data":{"id":1.5}}`, "", "neither"},
		{CreateUser, `<html>`, "", "not the JSON"},
		{CheckURL, `{"code":"200","data":{"x":1}}`, "", "not the string"},
	}
	for _, tc := range tests {
		got, err := ParseAnswer(tc.event, []byte(tc.body))
		if tc.wantErr == "" && (err != nil || got != tc.want) {
			t.Errorf("%s %s: got %q, %v; want %q", tc.event, tc.body, got, err, tc.want)
		}
		if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s %s: got %q, %v; want an error saying %q", tc.event, tc.body, got, err, tc.wantErr)
		}
	}
}

func TestUserMapping(t *testing.T) {
	u := directory.User{ID: 7, Username: "ada", Name: "Ada Lovelace", Email: "ada@example.com", Phone: "5550100", PhoneCountryCode: "44", Active: false, EmployeeNumber: "E1", PasswordHash: "$argon2id$secret"}
	var got map[string]any
	if err := json.Unmarshal(UserData(u, "app-7", "org-3", false), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": "app-7", "userdId": "7", "username": "ada", "name": "Ada Lovelace", "email": "ada@example.com",
		"mobile": "+44-5550100", "organizationId": "org-3", "disabled": true, "employeeNumber": "E1"}
	if len(got) != len(want) {
		t.Errorf("got fields %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %v, want %v", k, got[k], v)
		}
	}
	if del := string(UserData(u, "app-7", "", true)); del != `{"id":"app-7","userdId":"7"}` {
		t.Errorf("deleted user data: %s", del)
	}
}

func FuzzParseAnswer(f *testing.F) {
	f.Add(CreateUser, `{"code":"200","message":"success","data":{"id":"app-7"}}`)
	f.Add(CheckURL, `{"code":"200","data":"abc"}`)
	f.Fuzz(func(t *testing.T, event, body string) {
		id, err := ParseAnswer(event, []byte(body))
		if err == nil && len(id) > maxRemoteIDLen && event != CheckURL {
			t.Errorf("an id of %d characters was accepted", len(id))
		}
	})
}

func FuzzDecrypt(f *testing.F) {
	f.Add(pythonSealed)
	f.Fuzz(func(t *testing.T, data string) { _, _ = Decrypt(encKey, data) })
}
