package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/postgres/pgtest"
)

// TestSecretsNeverStored runs userd serve with debug logging, creates every
// kind of secret (client secrets, access tokens, an API token, passwords),
// uses each in successful and failing requests, and then searches the log
// and the database (on SQLite its files: main database, WAL and shared
// memory; on PostgreSQL a pg_dump of it) for them: none may appear, in whole
// or in part.
func TestSecretsNeverStored(t *testing.T) {
	for name, newDB := range pgtest.Engines() {
		t.Run(name, func(t *testing.T) {
			db := newDB(t)
			checkSecretsNeverStored(t, db)
		})
	}
}

// checkSecretsNeverStored is TestSecretsNeverStored on database db.
func checkSecretsNeverStored(t *testing.T, db string) {
	s := startServer(t, db, "--log-level", "debug")
	creds := map[string]string{}
	for _, m := range credentialLine.FindAllStringSubmatch(s.stdout.String(), -1) {
		creds[m[1]] = m[2]
	}
	secrets := map[string]string{"bootstrap client secret": creds["client_secret"]}
	form := map[string]string{"Content-Type": formType}

	var grant struct {
		AccessToken string `json:"access_token"`
	}
	call(t, "POST", s.base+"/oauth/token", form, url.Values{"grant_type": {"client_credentials"}, "client_id": {creds["client_id"]}, "client_secret": {creds["client_secret"]}}.Encode(), 200, &grant)
	secrets["bootstrap access token"] = grant.AccessToken
	admin := map[string]string{"Authorization": "Bearer " + grant.AccessToken, "Content-Type": jsonType}

	var client struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	call(t, "POST", s.base+"/admin/v1/clients", admin, `{"name":"hr-sync","scope":"users:read users:write"}`, 201, &client)
	secrets["client secret"] = client.ClientSecret
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(client.ClientID)+":"+url.QueryEscape(client.ClientSecret)))
	call(t, "POST", s.base+"/api/v2/tenant/token", map[string]string{"Content-Type": formType, "Authorization": basic}, "grant_type=client_credentials", 200, &grant)
	secrets["client access token"] = grant.AccessToken
	writer := map[string]string{"Authorization": "Bearer " + grant.AccessToken, "Content-Type": jsonType}

	var token struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	call(t, "POST", s.base+"/admin/v1/tokens", admin, `{"name":"reporting","scope":"users:read users:write"}`, 201, &token)
	secrets["API token"] = token.Token
	apiToken := map[string]string{"Authorization": "Bearer " + token.Token, "Content-Type": jsonType}

	secrets["first password"] = "first secret passphrase 7f3a"
	secrets["second password"] = "second secret passphrase 9c1e"
	secrets["refused password"] = "refused secret passphrase 2b8d"
	var user struct {
		ID int64 `json:"id"`
	}
	call(t, "POST", s.base+"/admin/v1/users", writer, `{"username":"ada","email":"ada@example.com","password":"`+secrets["first password"]+`"}`, 201, &user)
	userURL := fmt.Sprintf("%s/openapi/v1/users/%d", s.base, user.ID)
	call(t, "PUT", userURL, apiToken, `{"password":"`+secrets["second password"]+`"}`, 200, nil)
	call(t, "GET", fmt.Sprintf("%s/v1/api/user/info?userIds=%d", s.base, user.ID), map[string]string{"x-api-tenantId": "1", "x-api-token": token.Token}, "", 200, nil)

	// No answer shows a password hash or a secret's hash.
	for _, target := range []string{
		fmt.Sprintf("/admin/v1/users/%d", user.ID), "/admin/v1/users", "/admin/v1/clients", "/admin/v1/tokens", "/admin/v1/audit-events",
		fmt.Sprintf("/openapi/v1/users/%d", user.ID), fmt.Sprintf("/api/v2/tenant/users/%d", user.ID),
	} {
		var body json.RawMessage
		call(t, "GET", s.base+target, admin, "", 200, &body)
		if strings.Contains(string(body), "$argon2") || strings.Contains(strings.ToLower(string(body)), "hash") {
			t.Errorf("GET %s shows a hash: %s", target, body)
		}
	}

	// Failing requests carrying the secrets where they do not belong.
	call(t, "PUT", userURL, apiToken, `{"password":"`+secrets["refused password"]+`","email":"not an email"}`, 400, nil)
	call(t, "PUT", userURL, apiToken, `{"password":"`+secrets["refused password"]+`","password":"x"}`, 400, nil)
	call(t, "PATCH", fmt.Sprintf("%s/admin/v1/users/%d", s.base, user.ID), map[string]string{"Authorization": writer["Authorization"], "Content-Type": mergeType},
		`{"password":"`+secrets["refused password"]+`","tenant_id":2}`, 400, nil)
	call(t, "POST", s.base+"/oauth/token?client_secret="+url.QueryEscape(client.ClientSecret), form, "grant_type=client_credentials&client_id="+client.ClientID, 400, nil)
	call(t, "POST", s.base+"/oauth/token", form, "grant_type=client_credentials&client_id="+client.ClientID+"&client_secret="+client.ClientSecret+"x", 400, nil)
	call(t, "POST", s.base+"/oauth/token", map[string]string{"Content-Type": formType, "Authorization": "Bearer " + token.Token}, "grant_type=client_credentials", 401, nil)
	// A caller that swaps the fields sends its secret as the client_id.
	call(t, "POST", s.base+"/oauth/token", form, url.Values{"grant_type": {"client_credentials"}, "client_id": {client.ClientSecret}, "client_secret": {client.ClientID}}.Encode(), 400, nil)
	call(t, "POST", s.base+"/oauth/token", form, url.Values{"grant_type": {"client_credentials"}, "client_id": {token.Token}, "client_secret": {client.ClientSecret}}.Encode(), 400, nil)
	call(t, "GET", s.base+"/admin/v1/users?access_token="+grant.AccessToken, nil, "", 401, nil)
	call(t, "GET", s.base+"/admin/v1/users", map[string]string{"Authorization": "Bearer " + client.ClientSecret}, "", 401, nil)
	call(t, "GET", s.base+"/admin/v1/users", map[string]string{"Authorization": "Bearer " + grant.AccessToken + "x"}, "", 401, nil)
	call(t, "GET", s.base+"/admin/v1/audit-events", writer, "", 403, nil)
	call(t, "GET", fmt.Sprintf("%s/v1/api/user/info?userIds=%d", s.base, user.ID), map[string]string{"x-api-tenantId": "2", "x-api-token": token.Token}, "", 200, nil)
	call(t, "DELETE", fmt.Sprintf("%s/admin/v1/tokens/%d", s.base, token.ID), admin, "", 204, nil)

	check := func(when string) {
		t.Helper()
		places := map[string]string{"the log": s.stderr.String()}
		dbFile, isFile := strings.CutPrefix(db, "sqlite:")
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			if !isFile {
				break
			}
			data, err := os.ReadFile(dbFile + suffix)
			if err == nil {
				places[filepath.Base(dbFile+suffix)] = string(data)
			} else if !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		if !isFile {
			places["pg_dump"] = pgDump(t, db)
		}
		for name, secret := range secrets {
			if len(secret) < 20 {
				t.Fatalf("%s %q is too short to search for", name, secret)
			}
			// A 16-character piece from the middle catches a secret that
			// was truncated or wrapped, not only a whole one.
			piece := secret[len(secret)/2-8 : len(secret)/2+8]
			for place, text := range places {
				if strings.Contains(text, piece) {
					t.Errorf("%s: %s appears in %s", when, name, place)
				}
			}
		}
		var stored strings.Builder
		for place, text := range places {
			if place != "the log" {
				stored.WriteString(text)
			}
		}
		if !strings.Contains(stored.String(), "ada@example.com") && (isFile || places["pg_dump"] != "") {
			t.Errorf("%s: the database holds no ada@example.com, so the wrong files were searched", when)
		}
		if !strings.Contains(places["the log"], `"status":401`) {
			t.Errorf("%s: the log has no refused request, so it was not captured:\n%s", when, places["the log"])
		}
	}
	// The log is written out in batches (logFlushInterval): wait for the
	// line of the last request above before searching it.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(s.stderr.String(), `"status":204`); {
		if time.Now().After(deadline) {
			t.Fatalf("the last request was not logged within 10 s:\n%s", s.stderr.String())
		}
		time.Sleep(logFlushInterval / 4)
	}
	check("while serving")
	if err := s.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	check("after shutdown")
}

// pgDump returns every row of PostgreSQL database url as pg_dump writes
// it, or "" (after saying so) when pg_dump is not installed.
func pgDump(t *testing.T, url string) string {
	t.Helper()
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Logf("pg_dump is not installed; the database itself is not searched")
		return ""
	}
	out, err := exec.Command("pg_dump", "--data-only", "--dbname", url).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	return string(out)
}
