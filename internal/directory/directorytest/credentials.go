package directorytest

import (
	"bytes"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

func testTenants(t *testing.T, f *fixture) {
	want := directory.Tenant{Name: "initech", CreatedAt: at(3)}
	got, err := f.s.CreateTenant(f.ctx, want)
	if err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	checkID(t, "tenant", got.ID)
	want.ID = got.ID
	checkEqual(t, "CreateTenant", got, want)

	read, err := f.s.Tenant(f.ctx, want.ID)
	if err != nil {
		t.Fatalf("Tenant: %v", err)
	}
	checkEqual(t, "Tenant", read, want)
	read, err = f.s.TenantByName(f.ctx, "initech")
	if err != nil {
		t.Fatalf("TenantByName: %v", err)
	}
	checkEqual(t, "TenantByName", read, want)

	all, err := f.s.Tenants(f.ctx)
	if err != nil {
		t.Fatalf("Tenants: %v", err)
	}
	gotIDs := sortedIDs(all, func(tn directory.Tenant) int64 { return tn.ID })
	if wantIDs := []int64{f.a, f.b, want.ID}; !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("Tenants: got ids %v, want %v", gotIDs, wantIDs)
	}

	_, err = f.s.CreateTenant(f.ctx, directory.Tenant{Name: "initech", CreatedAt: t0})
	checkError(t, "CreateTenant with a taken name", err, directory.Conflict, "")
	_, err = f.s.Tenant(f.ctx, want.ID+1000)
	checkError(t, "Tenant that does not exist", err, directory.NotFound, "")
	_, err = f.s.TenantByName(f.ctx, "nope")
	checkError(t, "TenantByName that does not exist", err, directory.NotFound, "")
}

func testSecret(t *testing.T, f *fixture) {
	first := []byte("first generated value, 32 bytes!")
	got, err := f.s.Secret(f.ctx, "jwt", first)
	if err != nil {
		t.Fatalf("Secret: %v", err)
	}
	if !bytes.Equal(got, first) {
		t.Errorf("first Secret: got %q, want the generated %q", got, first)
	}
	got, err = f.s.Secret(f.ctx, "jwt", []byte("a different value"))
	if err != nil {
		t.Fatalf("Secret: %v", err)
	}
	if !bytes.Equal(got, first) {
		t.Errorf("second Secret: got %q, want the stored %q", got, first)
	}
	got, err = f.s.Secret(f.ctx, "cursor", []byte{0, 1, 2, 255})
	if err != nil {
		t.Fatalf("Secret: %v", err)
	}
	if !bytes.Equal(got, []byte{0, 1, 2, 255}) {
		t.Errorf("Secret of another name: got %v, want %v", got, []byte{0, 1, 2, 255})
	}
}

func client(tenant int64, clientID, name string) directory.Client {
	return directory.Client{
		TenantID:   tenant,
		ClientID:   clientID,
		SecretHash: directory.HashSecret("secret of " + clientID),
		Name:       name,
		Scopes:     directory.Scopes{directory.ScopeUsersRead, directory.ScopeAdmin},
		CreatedAt:  at(1),
		UpdatedAt:  at(2),
	}
}

func (f *fixture) createClient(t *testing.T, c directory.Client) directory.Client {
	t.Helper()
	got, err := f.s.CreateClient(f.ctx, c, event(c.TenantID, "client.create", "", "name", "scope"))
	if err != nil {
		t.Fatalf("CreateClient(%q): %v", c.ClientID, err)
	}
	return got
}

func testClients(t *testing.T, f *fixture) {
	want := client(f.a, "udc_first", "First — client")
	ev := event(f.a, "client.create", "", "name", "scope")
	got, err := f.s.CreateClient(f.ctx, want, ev)
	if err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	checkID(t, "client", got.ID)
	want.ID = got.ID
	checkEqual(t, "CreateClient", got, want)
	ev.ObjectID = strconv.FormatInt(got.ID, 10)
	f.checkLastEvent(t, f.a, ev)

	second := f.createClient(t, client(f.a, "udc_second", "Second"))
	foreign := client(f.b, "udc_foreign", "Foreign")
	foreign.Scopes = directory.Scopes{directory.ScopeUsersWrite}
	foreign.Disabled = true
	foreign = f.createClient(t, foreign)

	// ClientByClientID looks across tenants: the token endpoint does not
	// know the tenant before it finds the client.
	for _, c := range []directory.Client{want, second, foreign} {
		read, err := f.s.ClientByClientID(f.ctx, c.ClientID)
		if err != nil {
			t.Fatalf("ClientByClientID(%q): %v", c.ClientID, err)
		}
		checkEqual(t, "ClientByClientID", read, c)
	}
	_, err = f.s.ClientByClientID(f.ctx, "udc_nope")
	checkError(t, "ClientByClientID of an unknown id", err, directory.NotFound, "")

	clientID := func(c directory.Client) int64 { return c.ID }
	list, err := f.s.Clients(f.ctx, f.a, 0, 10)
	if err != nil {
		t.Fatalf("Clients: %v", err)
	}
	checkListed(t, "Clients", list, clientID, want, second)
	checkPaged(t, "Clients", clientID, []directory.Client{want, second}, func(after int64, limit int) ([]directory.Client, error) {
		return f.s.Clients(f.ctx, f.a, after, limit)
	})
	for tenant, n := range map[int64]int{f.a: 2, f.b: 1, f.b + 1000: 0} {
		if got, err := f.s.CountClients(f.ctx, tenant); err != nil || got != n {
			t.Errorf("CountClients(tenant %d): got %d, %v; want %d, nil (disabled clients count)", tenant, got, err, n)
		}
	}

	lastEv := f.lastEventID(t, f.b)
	_, err = f.s.CreateClient(f.ctx, client(f.b, "udc_first", "Duplicate"), event(f.b, "client.create", ""))
	checkError(t, "CreateClient with a taken client_id", err, directory.Conflict, "")
	f.checkNoEventsAfter(t, f.b, lastEv)
}

func testSetClientDisabled(t *testing.T, f *fixture) {
	c := f.createClient(t, client(f.a, "udc_toggle", "Toggle"))
	foreign := f.createClient(t, client(f.b, "udc_foreign", "Foreign"))

	for _, disabled := range []bool{true, false} {
		t.Run("disabled="+strconv.FormatBool(disabled), func(t *testing.T) {
			ev := event(f.a, "client.disable", c.ClientID, "disabled")
			ev.Time = at(10)
			got, err := f.s.SetClientDisabled(f.ctx, f.a, c.ClientID, disabled, ev)
			if err != nil {
				t.Fatalf("SetClientDisabled: %v", err)
			}
			want := c
			want.Disabled, want.UpdatedAt = disabled, ev.Time
			checkEqual(t, "SetClientDisabled", got, want)
			read, err := f.s.ClientByClientID(f.ctx, c.ClientID)
			if err != nil {
				t.Fatalf("ClientByClientID: %v", err)
			}
			checkEqual(t, "ClientByClientID", read, want)
			f.checkLastEvent(t, f.a, ev)
		})
	}

	tests := []struct {
		name     string
		clientID string
	}{
		{"another tenant's client", foreign.ClientID},
		{"unknown client", "udc_nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lastEv := f.lastEventID(t, f.a)
			_, err := f.s.SetClientDisabled(f.ctx, f.a, tc.clientID, true, event(f.a, "client.disable", tc.clientID, "disabled"))
			checkError(t, "SetClientDisabled", err, directory.NotFound, "")
			f.checkNoEventsAfter(t, f.a, lastEv)
			read, err := f.s.ClientByClientID(f.ctx, foreign.ClientID)
			if err != nil {
				t.Fatalf("ClientByClientID: %v", err)
			}
			checkEqual(t, "foreign client", read, foreign)
		})
	}
}

func token(tenant int64, name string) directory.APIToken {
	return directory.APIToken{
		TenantID:  tenant,
		Name:      name,
		Scopes:    directory.Scopes{directory.ScopeUsersRead},
		Hash:      directory.HashSecret("token " + name),
		CreatedAt: at(1),
	}
}

func (f *fixture) createToken(t *testing.T, tk directory.APIToken) directory.APIToken {
	t.Helper()
	got, err := f.s.CreateAPIToken(f.ctx, tk, event(tk.TenantID, "token.create", ""))
	if err != nil {
		t.Fatalf("CreateAPIToken(%q): %v", tk.Name, err)
	}
	return got
}

func testAPITokens(t *testing.T, f *fixture) {
	expiring := token(f.a, "expiring")
	expiring.Scopes = directory.AllScopes
	expiring.ExpiresAt = at(720)
	ev := event(f.a, "token.create", "", "name", "scope", "expires_at")
	got, err := f.s.CreateAPIToken(f.ctx, expiring, ev)
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	checkID(t, "token", got.ID)
	expiring.ID = got.ID
	checkEqual(t, "CreateAPIToken", got, expiring)
	ev.ObjectID = strconv.FormatInt(got.ID, 10)
	f.checkLastEvent(t, f.a, ev)

	forever := f.createToken(t, token(f.a, "forever"))
	foreign := f.createToken(t, token(f.b, "foreign"))

	// APITokenByHash looks across tenants, like ClientByClientID.
	for _, tk := range []directory.APIToken{expiring, forever, foreign} {
		read, err := f.s.APITokenByHash(f.ctx, tk.Hash)
		if err != nil {
			t.Fatalf("APITokenByHash(%s): %v", tk.Name, err)
		}
		checkEqual(t, "APITokenByHash", read, tk)
	}
	_, err = f.s.APITokenByHash(f.ctx, directory.HashSecret("unknown"))
	checkError(t, "APITokenByHash of an unknown hash", err, directory.NotFound, "")

	tokenID := func(tk directory.APIToken) int64 { return tk.ID }
	list, err := f.s.APITokens(f.ctx, f.a, 0, 10)
	if err != nil {
		t.Fatalf("APITokens: %v", err)
	}
	checkListed(t, "APITokens", list, tokenID, expiring, forever)
	checkPaged(t, "APITokens", tokenID, []directory.APIToken{expiring, forever}, func(after int64, limit int) ([]directory.APIToken, error) {
		return f.s.APITokens(f.ctx, f.a, after, limit)
	})
	revoked := token(f.a, "revoked")
	revoked.RevokedAt = at(2)
	f.createToken(t, revoked)
	// Usable tokens count: at(720) "expiring" has expired, "revoked" never
	// counts, and b's token is b's.
	for _, c := range []struct {
		tenant int64
		at     time.Time
		want   int
	}{{f.a, at(3), 2}, {f.a, at(720), 1}, {f.b, at(3), 1}, {f.b + 1000, at(3), 0}} {
		if got, err := f.s.CountAPITokens(f.ctx, c.tenant, c.at); err != nil || got != c.want {
			t.Errorf("CountAPITokens(tenant %d, %v): got %d, %v; want %d, nil", c.tenant, c.at, got, err, c.want)
		}
	}

	lastEv := f.lastEventID(t, f.a)
	_, err = f.s.CreateAPIToken(f.ctx, token(f.a, "forever"), event(f.a, "token.create", ""))
	checkError(t, "CreateAPIToken with a taken hash", err, directory.Conflict, "")
	f.checkNoEventsAfter(t, f.a, lastEv)
}

func testRevokeAPIToken(t *testing.T, f *fixture) {
	tk := f.createToken(t, token(f.a, "revocable"))
	foreign := f.createToken(t, token(f.b, "foreign"))

	first := event(f.a, "token.revoke", strconv.FormatInt(tk.ID, 10), "revoked_at")
	first.Time = at(10)
	got, err := f.s.RevokeAPIToken(f.ctx, f.a, tk.ID, first)
	if err != nil {
		t.Fatalf("RevokeAPIToken: %v", err)
	}
	want := tk
	want.RevokedAt = first.Time
	checkEqual(t, "RevokeAPIToken", got, want)
	read, err := f.s.APITokenByHash(f.ctx, tk.Hash)
	if err != nil {
		t.Fatalf("APITokenByHash: %v", err)
	}
	checkEqual(t, "APITokenByHash", read, want)
	f.checkLastEvent(t, f.a, first)

	again := first
	again.Time = at(20)
	got, err = f.s.RevokeAPIToken(f.ctx, f.a, tk.ID, again)
	if err != nil {
		t.Fatalf("RevokeAPIToken twice: got %v, want nil", err)
	}
	checkEqual(t, "RevokeAPIToken twice", got, want)

	tests := []struct {
		name string
		id   int64
	}{
		{"another tenant's token", foreign.ID},
		{"unknown token", foreign.ID + 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lastEv := f.lastEventID(t, f.a)
			_, err := f.s.RevokeAPIToken(f.ctx, f.a, tc.id, event(f.a, "token.revoke", strconv.FormatInt(tc.id, 10), "revoked_at"))
			checkError(t, "RevokeAPIToken", err, directory.NotFound, "")
			f.checkNoEventsAfter(t, f.a, lastEv)
			read, err := f.s.APITokenByHash(f.ctx, foreign.Hash)
			if err != nil {
				t.Fatalf("APITokenByHash: %v", err)
			}
			checkEqual(t, "foreign token", read, foreign)
		})
	}
}

// checkPaged reads a list through page one item at a time and then all at
// once after the first, and checks both against all, which is in id order.
func checkPaged[T any](t *testing.T, what string, id func(T) int64, all []T, page func(afterID int64, limit int) ([]T, error)) {
	t.Helper()
	var after int64
	for i, want := range all {
		got, err := page(after, 1)
		if err != nil {
			t.Fatalf("%s after %d: %v", what, after, err)
		}
		if len(got) != 1 || id(got[0]) != id(want) {
			t.Fatalf("%s after %d, limit 1: got %d items (first id %v), want item %d with id %d", what, after, len(got), firstID(got, id), i, id(want))
		}
		after = id(got[0])
	}
	if got, err := page(after, 1); err != nil || len(got) != 0 {
		t.Errorf("%s after the last: got %d items, %v; want none", what, len(got), err)
	}
	if got, err := page(id(all[0]), len(all)); err != nil || len(got) != len(all)-1 {
		t.Errorf("%s after the first: got %d items, %v; want %d", what, len(got), err, len(all)-1)
	}
}

func firstID[T any](list []T, id func(T) int64) any {
	if len(list) == 0 {
		return "none"
	}
	return id(list[0])
}
