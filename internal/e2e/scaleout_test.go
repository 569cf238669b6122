package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/userd/userd/internal/postgres/pgtest"
)

// TestTwoNodesOneDatabase: two userd processes share one PostgreSQL
// database. A user changed through node A reads back changed through node B
// at once, in every API, because no node caches user data; an access token
// and a list cursor made by A work on B, because the keys that sign them are
// in the database; and a client disabled through A stops working on B within
// the credential cache's TTL (auth.DefaultCacheTTL, 10 s).
func TestTwoNodesOneDatabase(t *testing.T) {
	base := os.Getenv("USERD_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("USERD_TEST_POSTGRES_URL is not set; two nodes need a shared PostgreSQL database")
	}
	db := pgtest.Fresh(t, base)
	a := start(t, db)
	b := start(t, db)
	token := a.token(t) // issued by A, used on both
	onA, onB := newClient(a.base, token), newClient(b.base, token)

	t.Run("read after write", func(t *testing.T) {
		const users, rounds = 4, 200
		created := onA.createUsers(t, "node", users)
		// Versions are what B must show; every round writes a new phone, so
		// every write adds one.
		versions := make([]int64, users)
		for k, u := range created {
			versions[k] = u.Version
		}
		for i := range rounds {
			// The first two rounds (one write of each kind) check every
			// exchange against the OpenAPI document; later rounds repeat them.
			onA.trusted, onB.trusted = i >= 2, i >= 2
			k := i % users
			id := created[k].ID
			phone := fmt.Sprintf("555%07d", i)
			body := fmt.Sprintf(`{"phone":%q}`, phone)
			versions[k]++
			if i%2 == 0 {
				var put struct {
					Phone string `json:"phone"`
				}
				onA.must(t, http.StatusOK, &put, "PUT", fmt.Sprintf("/openapi/v1/users/%d", id), body)
				if put.Phone != phone {
					t.Fatalf("round %d: PUT on A answered phone %q, want %q", i, put.Phone, phone)
				}
			} else {
				var patched user
				onA.must(t, http.StatusOK, &patched, "PATCH", fmt.Sprintf("/admin/v1/users/%d", id), body)
				if patched.Phone != phone || patched.Version != versions[k] {
					t.Fatalf("round %d: PATCH on A answered phone %q at version %d, want %q at %d", i, patched.Phone, patched.Version, phone, versions[k])
				}
			}
			onB.checkUser(t, fmt.Sprintf("round %d on B", i), id, phone, versions[k])
		}
	})

	t.Run("cursor", func(t *testing.T) {
		var first, second struct {
			Users []struct {
				ID int64 `json:"id"`
			} `json:"users"`
			NextCursor *string `json:"next_cursor"`
		}
		onA.trusted, onB.trusted = false, false
		onA.must(t, http.StatusOK, &first, "GET", "/admin/v1/users?limit=2", "")
		if first.NextCursor == nil || len(first.Users) != 2 {
			t.Fatalf("first page on A: got %d users and cursor %v, want 2 and a cursor", len(first.Users), first.NextCursor)
		}
		onB.must(t, http.StatusOK, &second, "GET", "/admin/v1/users?limit=2&cursor="+url.QueryEscape(*first.NextCursor), "")
		if len(second.Users) == 0 || second.Users[0].ID <= first.Users[1].ID {
			t.Errorf("next page on B: got %+v, want the users after id %d", second.Users, first.Users[1].ID)
		}
	})

	t.Run("disabled client", func(t *testing.T) {
		const (
			ttl  = 10 * time.Second // auth.DefaultCacheTTL, as docs/operations.md promises
			poll = 200 * time.Millisecond
		)
		target := onA.createUsers(t, "watched", 1)[0]
		path := fmt.Sprintf("/openapi/v1/users/%d", target.ID)
		var c struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
		}
		onA.must(t, http.StatusCreated, &c, "POST", "/admin/v1/clients", `{"name":"reader","scope":"users:read"}`)
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret}}
		var grant struct {
			AccessToken string `json:"access_token"`
		}
		postForm(t, a.base, form, http.StatusOK, &grant)
		reader := newClient(b.base, grant.AccessToken)
		// B reads the client's status now, so its cache holds "enabled" for
		// as long as it may: the worst case for the disable below.
		reader.must(t, http.StatusOK, nil, "GET", path, "")

		onA.must(t, http.StatusOK, nil, "PATCH", "/admin/v1/clients/"+c.ClientID, `{"disabled":true}`)
		disabled := time.Now()
		// The token endpoint reads the client on every request.
		postForm(t, b.base, form, http.StatusBadRequest, nil)
		var accepted time.Duration // when the last request B accepted was sent, after the disable
		for {
			sent := time.Since(disabled)
			r, err := reader.do("GET", path, "")
			if err != nil {
				t.Fatalf("GET %s on B: %v", path, err)
			}
			took := time.Since(disabled)
			if r.status == http.StatusUnauthorized {
				t.Logf("B accepted the disabled client's access token in a request sent %v after A answered the disable, refused it in one sent %v after (answered at %v)",
					accepted.Round(time.Millisecond), sent.Round(time.Millisecond), took.Round(time.Millisecond))
				// The cache entry was filled before the disable, so it
				// expires within ttl of it; allow one poll and a slow request.
				if limit := ttl + poll + 800*time.Millisecond; took > limit {
					t.Errorf("disable took %v to reach B, want at most the cache TTL %v (+ %v of polling)", took, ttl, limit-ttl)
				}
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("GET %s on B: got status %d (%s), want 200 until the client's status expires, then 401", path, r.status, r.body)
			}
			accepted = sent
			if took > 12*time.Second {
				t.Fatalf("B still accepts the disabled client's access token %v after the disable, want 401 within the cache TTL %v", took, ttl)
			}
			time.Sleep(poll)
		}
	})
}

// checkUser reads user id through every API and fails the test unless each
// shows phone, and the admin API version; what names the read in failures.
func (c *client) checkUser(t *testing.T, what string, id int64, phone string, version int64) {
	t.Helper()
	var openapi struct {
		Phone string `json:"phone"`
	}
	c.must(t, http.StatusOK, &openapi, "GET", fmt.Sprintf("/openapi/v1/users/%d", id), "")
	var tenant struct {
		Mobile    string `json:"mobile"`
		UpdatedAt string `json:"updated_at"`
	}
	c.must(t, http.StatusOK, &tenant, "GET", fmt.Sprintf("/api/v2/tenant/users/%d", id), "")
	var admin struct {
		TenantID  int64     `json:"tenant_id"`
		Phone     string    `json:"phone"`
		Version   int64     `json:"version"`
		UpdatedAt time.Time `json:"updated_at"`
	}
	r := c.must(t, http.StatusOK, &admin, "GET", fmt.Sprintf("/admin/v1/users/%d", id), "")
	var info struct {
		MCode string `json:"mcode"`
		Data  []struct {
			Phone struct {
				Phone string `json:"phone"`
			} `json:"phone"`
		} `json:"data"`
	}
	c.must(t, http.StatusOK, &info, "GET", fmt.Sprintf("/v1/api/user/info?userIds=%d", id), "",
		"x-api-tenantId", fmt.Sprint(admin.TenantID), "x-api-token", c.token)
	if info.MCode != "m0000000" || len(info.Data) != 1 {
		t.Fatalf("%s: user-info v1 answered mcode %q with %d users, want m0000000 with 1", what, info.MCode, len(info.Data))
	}

	for _, got := range []struct{ api, phone string }{
		{"openapi v1", openapi.Phone},
		{"tenant v2", tenant.Mobile},
		{"admin", admin.Phone},
		{"user-info v1", info.Data[0].Phone.Phone},
	} {
		if got.phone != phone {
			t.Errorf("%s: %s shows phone %q, want %q", what, got.api, got.phone, phone)
		}
	}
	if etag := fmt.Sprintf(`"%d"`, version); admin.Version != version || r.header.Get("ETag") != etag {
		t.Errorf("%s: admin shows version %d with ETag %s, want %d with %s", what, admin.Version, r.header.Get("ETag"), version, etag)
	}
	// tenant v2 has no version; its updated_at (milliseconds, UTC by
	// default) must be the admin API's, so it read the same row version.
	if want := admin.UpdatedAt.UTC().Format("2006-01-02 15:04:05.000"); tenant.UpdatedAt != want {
		t.Errorf("%s: tenant v2 shows updated_at %s, want %s as the admin API shows", what, tenant.UpdatedAt, want)
	}
}
