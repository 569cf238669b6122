package dialecttest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// SampleUser returns a user with every field set, as a store returns it,
// for the dialects' encoding benchmarks: each encodes the same user.
func SampleUser() directory.User {
	at := time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)
	return directory.User{
		ID: 123456, TenantID: 1, Username: "ada", Name: "Ada Lovelace", NickName: "ada",
		Email: "ada@example.com", Phone: "5550100", PhoneCountryCode: "+44",
		Active: true, MustChangePassword: true, PasswordChangedAt: at,
		Origin: directory.OriginAdmin, ClientIP: "192.0.2.1", EnterpriseID: "ent-1", Grade: 3,
		EmployeeNumber: "SO8T", ManagerID: 7, Address: "12 St James's Square", City: "London",
		Province: "Greater London", Country: "GB", Comment: "first programmer",
		Extension: map[string]any{"role_id": json.Number("2"), "level_id": json.Number("6"), "send_email": true, "team": map[string]any{"name": "core"}},
		Orgs:      []directory.Membership{{OrgID: 1, Primary: true}, {OrgID: 2}},
		CreatedAt: at, UpdatedAt: at, Version: 3,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
	}
}

// BenchEncode benchmarks encode, a dialect's mapping and encoding of one
// user, on SampleUser.
func BenchEncode(b *testing.B, encode func(u directory.User) error) {
	u := SampleUser()
	b.ReportAllocs()
	for b.Loop() {
		if err := encode(u); err != nil {
			b.Fatal(err)
		}
	}
}
