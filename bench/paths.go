package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// target is one path under load: how to write a request for a random user
// and how to tell a good answer from an error.
type target struct {
	name    string
	ceiling bool // sent to the ceiling server instead of userd
	// against names the path this one's ratio is to ("": the ceiling).
	against string
	items   int // users per request, for users/s (0 when not a batch)
	// request appends one complete HTTP/1.1 request to b.
	request func(r *rand.Rand, b []byte) []byte
	// check returns an error unless status and body are a success.
	check func(status int, body []byte) error
	// unavailable, when not "", says why this database cannot run the
	// path; it is skipped.
	unavailable string
}

// grantToken gets an access token for the bench client from userd's token
// endpoint, the credential of every path but user-info v1.
func grantToken(ctx context.Context, addr string, sd *seeded) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {sd.clientID}, "client_secret": {sd.clientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return "", fmt.Errorf("get an access token: %w", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		return "", fmt.Errorf("get an access token: status %d, decode error %v", resp.StatusCode, err)
	}
	return tok.AccessToken, nil
}

// consoleSession signs in to the console as the seeded administrator and
// returns the Cookie header line of the session.
func consoleSession(ctx context.Context, addr string) (string, error) {
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/console/signin", nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("console sign-in page: %w", err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil || len(resp.Cookies()) == 0 {
		return "", fmt.Errorf("console sign-in page: status %d, no form token", resp.StatusCode)
	}
	form := url.Values{"csrf": {string(m[1])}, "tenant": {"bench"}, "login": {consoleAdmin}, "password": {consolePassword}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/console/signin", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(resp.Cookies()[0])
	resp, err = client.Do(req)
	if err != nil {
		return "", fmt.Errorf("console sign-in: %w", err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "userd_console" && c.Value != "" {
			return "Cookie: userd_console=" + c.Value + "\r\n", nil
		}
	}
	return "", fmt.Errorf("console sign-in: status %d, no session cookie", resp.StatusCode)
}

// paths lists every path the benchmark loads, the ceiling first. Each
// database yardstick (db-*-ceiling) comes right before the path whose
// database work it does alone, with the same random users.
func paths(ceilingAddr, addr, engine string, sd *seeded, accessToken, consoleCookie string) []target {
	bearer := "Authorization: Bearer " + accessToken + "\r\n"
	user := func(r *rand.Rand) string { return strconv.FormatInt(sd.ids[r.IntN(len(sd.ids))], 10) }
	get := func(host, path, headers string) func(*rand.Rand, []byte) []byte {
		return func(r *rand.Rand, b []byte) []byte {
			return appendRequest(b, "GET", host, path+user(r), headers, "", "")
		}
	}
	// batch100 asks for 100 random users at once.
	batch100 := func(host, path, headers string) func(*rand.Rand, []byte) []byte {
		return func(r *rand.Rand, b []byte) []byte {
			return appendRequest(b, "GET", host, path+distinctIDs(r, sd.ids, 100), headers, "", "")
		}
	}
	batchUsers := min(100, len(sd.ids))
	// listByEmail asks for the first page of 100 of the users whose email
	// starts with a random prefix of 5 of the 8 digits, which 1,000
	// consecutive users share (fewer in the last thousand seeded).
	listByEmail := func(host, path, headers string) func(*rand.Rand, []byte) []byte {
		return func(r *rand.Rand, b []byte) []byte {
			prefix := emailLocal(r.IntN(len(sd.ids)))[:len("user")+5]
			return appendRequest(b, "GET", host, path+prefix, headers, "", "")
		}
	}
	fewestListed := min(100, len(sd.ids)-(len(sd.ids)-1)/1000*1000)
	// put changes three fields of a random user.
	put := func(host, path, headers string) func(*rand.Rand, []byte) []byte {
		return func(r *rand.Rand, b []byte) []byte {
			body := fmt.Sprintf(`{"phone":"555%07d","enterprise_id":"ent-%d","is_active":true}`, r.IntN(10_000_000), r.IntN(1_000_000))
			return appendRequest(b, "PUT", host, path+user(r), headers, "application/json", body)
		}
	}
	// patch changes two fields of a random user, neither of them indexed.
	patch := func(host, path, headers string) func(*rand.Rand, []byte) []byte {
		return func(r *rand.Rand, b []byte) []byte {
			body := fmt.Sprintf(`{"city":"City %d","grade":%d}`, r.IntN(1_000_000), r.IntN(100))
			return appendRequest(b, "PATCH", host, path+user(r), headers, "application/merge-patch+json", body)
		}
	}
	noWrites := ""
	if engine != "postgres" {
		noWrites = "the write yardsticks need PostgreSQL: the durable-write target is PostgreSQL's, and synchronous_commit, their bound, has no SQLite counterpart"
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {sd.clientID}, "client_secret": {sd.clientSecret}}.Encode()
	return []target{
		{name: "ceiling", ceiling: true, request: get(ceilingAddr, "/users/", ""), check: status200},
		{
			// The yardstick of openapi-get: the store's read of one user
			// (UserBrief), by the driver alone.
			name: "db-get-ceiling", ceiling: true,
			request: get(ceilingAddr, "/db/users/", ""),
			check:   usersIn("{", 1, 1),
		},
		{name: "openapi-get", request: get(addr, "/openapi/v1/users/", bearer), check: status200},
		{name: "tenantv2-get", request: get(addr, "/api/v2/tenant/users/", bearer), check: status200},
		{
			name: "tenantv2-by-username",
			request: func(r *rand.Rand, b []byte) []byte {
				body := `{"user_name":"` + emailLocal(r.IntN(len(sd.ids))) + `"}`
				return appendRequest(b, "POST", addr, "/api/v2/tenant/users/user-by-username", bearer, "application/json", body)
			},
			check: status200,
		},
		{name: "admin-get", request: get(addr, "/admin/v1/users/", bearer), check: status200},
		{
			// The yardstick of userinfo-batch100: the store's read of a
			// batch of users (UsersByID).
			name: "db-batch100-ceiling", ceiling: true, items: 100,
			request: batch100(ceilingAddr, "/db/users?ids=", ""),
			check:   usersIn("[", batchUsers, batchUsers),
		},
		{
			name:    "userinfo-batch100",
			items:   100,
			request: batch100(addr, "/v1/api/user/info?userIds=", "x-api-tenantId: "+strconv.FormatInt(sd.tenantID, 10)+"\r\nx-api-token: "+sd.apiToken+"\r\n"),
			check:   usersIn(`{"result":true`, batchUsers, batchUsers),
		},
		{
			// The yardstick of admin-list: the store's read of a page of
			// users by email prefix (ListUsers).
			name: "db-list-ceiling", ceiling: true,
			request: listByEmail(ceilingAddr, "/db/list?email=", ""),
			check:   usersIn("[", fewestListed, 100),
		},
		{
			name:    "admin-list",
			request: listByEmail(addr, "/admin/v1/users?limit=100&email=", bearer),
			check:   status200,
		},
		{
			// A random page of 100 of every user, by page number, as
			// OneAccess clients page through the directory.
			name:  "tenantv2-list",
			items: 100,
			request: func(r *rand.Rand, b []byte) []byte {
				page := r.IntN(max(1, len(sd.ids)/100))
				return appendRequest(b, "GET", addr, "/api/v2/tenant/users?org_id=&offset="+strconv.Itoa(page)+"&limit=100", bearer, "", "")
			},
			check: status200,
		},
		{
			// Entra ID's and Okta's lookup of one user before each change.
			name: "scim-filter-username",
			request: func(r *rand.Rand, b []byte) []byte {
				q := url.QueryEscape(`userName eq "` + emailLocal(r.IntN(len(sd.ids))) + `"`)
				return appendRequest(b, "GET", addr, "/scim/v2/Users?filter="+q, bearer, "", "")
			},
			check: oneUser,
		},
		{
			// The other lookup Entra ID makes: by the id in its own
			// directory.
			name: "scim-filter-externalid",
			request: func(r *rand.Rand, b []byte) []byte {
				q := url.QueryEscape(`externalId eq "` + externalID(r.IntN(len(sd.ids))) + `"`)
				return appendRequest(b, "GET", addr, "/scim/v2/Users?filter="+q, bearer, "", "")
			},
			check:       oneUser,
			unavailable: noExternalIDs(sd),
		},
		{
			// A filtered page of 100 with totalResults: 1,000 users match.
			name: "scim-filter-page100",
			request: func(r *rand.Rand, b []byte) []byte {
				prefix := emailLocal(r.IntN(len(sd.ids)))[:len("user")+5]
				q := url.QueryEscape(`userName sw "` + prefix + `"`)
				return appendRequest(b, "GET", addr, "/scim/v2/Users?count=100&filter="+q, bearer, "", "")
			},
			check: status200,
		},
		{
			// The console's users page as an administrator first sees it.
			name: "console-users",
			request: func(r *rand.Rand, b []byte) []byte {
				return appendRequest(b, "GET", addr, "/console/users", consoleCookie, "", "")
			},
			check: status200,
		},
		{
			// Search as you type: the rows for a prefix of 5 of the 8
			// digits (1,000 users match), as the search box fetches them.
			name: "console-search",
			request: func(r *rand.Rand, b []byte) []byte {
				prefix := emailLocal(r.IntN(len(sd.ids)))[:len("user")+5]
				return appendRequest(b, "GET", addr, "/console/users?fragment=1&q="+prefix, consoleCookie, "", "")
			},
			check: status200,
		},
		{
			name: "changes",
			request: func(r *rand.Rand, b []byte) []byte {
				// A full page of the change log from a random point of the
				// seed's creations (one entry per seeded user).
				after := r.IntN(max(len(sd.ids)-100, 1))
				return appendRequest(b, "GET", addr, "/admin/v1/changes?limit=100&after="+strconv.Itoa(after), bearer, "", "")
			},
			check: fullChangesPage,
		},
		{
			// The yardstick of openapi-put: one durable UPDATE of the
			// fields it changes, in a transaction of its own.
			name: "db-put-ceiling", ceiling: true,
			request:     put(ceilingAddr, "/db/users/", ""),
			check:       usersIn(`{"id":`, 1, 1),
			unavailable: noWrites,
		},
		{
			// The same UPDATE with synchronous_commit off: no durable
			// write can be faster.
			name: "db-put-async-ceiling", ceiling: true,
			request:     put(ceilingAddr, "/db/async/users/", ""),
			check:       usersIn(`{"id":`, 1, 1),
			unavailable: noWrites,
		},
		{
			name:    "openapi-put",
			request: put(addr, "/openapi/v1/users/", bearer),
			check:   status200,
		},
		{
			// The yardstick of admin-patch: one durable UPDATE of the two
			// fields it changes, which no index holds.
			name: "db-patch-ceiling", ceiling: true,
			request:     patch(ceilingAddr, "/db/users/", ""),
			check:       usersIn(`{"id":`, 1, 1),
			unavailable: noWrites,
		},
		{
			// The same UPDATE with synchronous_commit off.
			name: "db-patch-async-ceiling", ceiling: true,
			request:     patch(ceilingAddr, "/db/async/users/", ""),
			check:       usersIn(`{"id":`, 1, 1),
			unavailable: noWrites,
		},
		{
			name:    "admin-patch",
			request: patch(addr, "/admin/v1/users/", bearer),
			check:   status200,
		},
		{
			// Entra ID's change of one attribute, as an admin-patch changes two.
			name: "scim-patch",
			request: func(r *rand.Rand, b []byte) []byte {
				body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"addresses[type eq \"work\"].locality","value":"City %d"},{"op":"Replace","path":"title","value":"T%d"}]}`, r.IntN(1_000_000), r.IntN(100))
				return appendRequest(b, "PATCH", addr, "/scim/v2/Users/"+user(r), bearer, "application/scim+json", body)
			},
			check: status200,
		},
		{
			// The yardstick of the password check: one argon2id
			// verification at userd's default parameters, behind the same
			// hasher and concurrency bound (one hash per CPU) userd uses,
			// and nothing else.
			name:    "argon2id-ceiling",
			ceiling: true,
			request: func(r *rand.Rand, b []byte) []byte {
				return appendRequest(b, "POST", ceilingAddr, "/argon2id", "", "", "")
			},
			check: status200,
		},
		{
			// The password check other systems call, with the right
			// password of one of the users seeding gave one.
			name:    "password-check",
			against: "argon2id-ceiling",
			request: func(r *rand.Rand, b []byte) []byte {
				body := `{"login":"` + emailLocal(r.IntN(sd.authUsers)) + `","password":"` + authPassword + `"}`
				return appendRequest(b, "POST", addr, "/admin/v1/users/authenticate", bearer, "application/json", body)
			},
			check: status200,
		},
		{
			name: "token",
			request: func(r *rand.Rand, b []byte) []byte {
				return appendRequest(b, "POST", addr, "/oauth/token", "", "application/x-www-form-urlencoded", form)
			},
			check: status200,
		},
	}
}

// appendRequest appends an HTTP/1.1 request; headers is "" or complete
// header lines, each ending in CRLF.
func appendRequest(b []byte, method, host, target, headers, contentType, body string) []byte {
	b = append(b, method+" "+target+" HTTP/1.1\r\nHost: "+host+"\r\n"+headers...)
	if contentType != "" {
		b = append(b, "Content-Type: "+contentType+"\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n"...)
	}
	b = append(b, "\r\n"+body...)
	return b
}

// distinctIDs returns n different random ids of ids (all of them if there
// are fewer), comma-separated.
func distinctIDs(r *rand.Rand, ids []int64, n int) string {
	n = min(n, len(ids))
	seen := make(map[int]bool, n)
	var b strings.Builder
	for len(seen) < n {
		i := r.IntN(len(ids))
		if seen[i] {
			continue
		}
		seen[i] = true
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(ids[i], 10))
	}
	return b.String()
}

// usersIn checks an answer of 200 that starts with prefix and holds
// between least and most users (objects starting with an "id" member).
func usersIn(prefix string, least, most int) func(status int, body []byte) error {
	return func(status int, body []byte) error {
		if err := status200(status, body); err != nil {
			return err
		}
		if n := bytes.Count(body, []byte(`{"id":`)); !bytes.HasPrefix(body, []byte(prefix)) || n < least || n > most {
			return fmt.Errorf("want %d to %d users after %q, got %d: %.200s", least, most, prefix, n, body)
		}
		return nil
	}
}

// fullChangesPage checks a page of the change log of 100 entries.
func fullChangesPage(status int, body []byte) error {
	if err := status200(status, body); err != nil {
		return err
	}
	if n := bytes.Count(body, []byte(`"position":`)); n != 100 {
		return fmt.Errorf("want a full page of 100 changes, got %d: %.200s", n, body)
	}
	return nil
}

// oneUser checks a SCIM ListResponse of exactly one user.
func oneUser(status int, body []byte) error {
	if err := status200(status, body); err != nil {
		return err
	}
	if !bytes.Contains(body, []byte(`"totalResults":1`)) {
		return fmt.Errorf("want one user, got %.200s", body)
	}
	return nil
}

// noExternalIDs says why a database seeded before users carried an
// externalId cannot run the externalId lookup, or "" when it can.
func noExternalIDs(sd *seeded) string {
	if sd.externalIDs {
		return ""
	}
	return "the reused database was seeded before bench gave users an externalId; seed a new one to run this path"
}

func status200(status int, body []byte) error {
	if status != http.StatusOK {
		return fmt.Errorf("status %d: %.200s", status, body)
	}
	return nil
}
