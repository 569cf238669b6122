package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/userd/userd/internal/postgres/pgtest"

	"github.com/userd/userd/client"
	"github.com/userd/userd/internal/apidoc/apidoctest"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// noEnv is an environment with no USERD_* variables set.
func noEnv(string) string { return "" }

// freePort returns a loopback address nobody listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveProc is a userd serve started in-process on a real socket.
type serveProc struct {
	base           string
	stdout, stderr *syncBuffer
	stop           func() error
}

// startServer runs "userd serve" against db, with any extra flags, and
// waits until /healthz answers.
func startServer(t *testing.T, db string, flags ...string) *serveProc {
	t.Helper()
	return startServerEnv(t, db, noEnv, flags...)
}

// startServerEnv is startServer with the environment getenv.
func startServerEnv(t *testing.T, db string, getenv env, flags ...string) *serveProc {
	t.Helper()
	addr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	s := &serveProc{base: "http://" + addr, stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan error, 1)
	go func() {
		args := append([]string{"serve", "--addr", addr, "--db", db, "--log-format", "json"}, flags...)
		done <- run(ctx, args, getenv, strings.NewReader(""), s.stdout, s.stderr)
	}()
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(20 * time.Second):
				stopErr = errors.New("userd serve did not stop within 20 s of the signal")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { _ = s.stop() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("userd serve exited early: %v\nstderr:\n%s", err, s.stderr)
		default:
		}
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("userd serve not healthy after 20 s; stderr:\n%s", s.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// call sends a request and decodes the JSON answer into out (if not nil),
// failing the test unless the status is want.
func call(t *testing.T, method, url string, header map[string]string, body string, want int, out any) {
	t.Helper()
	status, data := send(t, method, url, header, body)
	if status != want {
		t.Fatalf("%s %s: got status %d, want %d; body: %s", method, url, status, want, data)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(data), out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, url, data, err)
		}
	}
}

// send sends a request and returns the answer's status and body, after
// checking the exchange against the OpenAPI document.
func send(t *testing.T, method, url string, header map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	apidoctest.Check(t, req, []byte(body), resp.StatusCode, resp.Header, data)
	return resp.StatusCode, string(data)
}

var credentialLine = regexp.MustCompile(`(client_id|client_secret):\s+(\S+)`)

// bootstrapToken returns the credentials of the admin client s printed at
// its first start, and an access token of that client.
func (s *serveProc) bootstrapToken(t *testing.T) (creds map[string]string, token string) {
	t.Helper()
	creds = map[string]string{}
	for _, m := range credentialLine.FindAllStringSubmatch(s.stdout.String(), -1) {
		creds[m[1]] = m[2]
	}
	var grant struct {
		AccessToken string `json:"access_token"`
	}
	call(t, "POST", s.base+"/oauth/token", map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		"grant_type=client_credentials&client_id="+creds["client_id"]+"&client_secret="+creds["client_secret"], 200, &grant)
	return creds, grant.AccessToken
}

// TestServeEndToEnd follows the README: start on an empty database, take the
// printed credentials, get a token, create a user and read and change it
// through every API.
func TestServeEndToEnd(t *testing.T) {
	for name, newDB := range pgtest.Engines() {
		t.Run(name, func(t *testing.T) {
			db := newDB(t)
			s := startServer(t, db)
			creds := map[string]string{}
			for _, m := range credentialLine.FindAllStringSubmatch(s.stdout.String(), -1) {
				creds[m[1]] = m[2]
			}
			if !strings.HasPrefix(creds["client_id"], "udc_") || !strings.HasPrefix(creds["client_secret"], "uds_") {
				t.Fatalf("first start printed no admin credentials; stdout:\n%s", s.stdout)
			}

			var grant struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
				Scope       string `json:"scope"`
			}
			form := "grant_type=client_credentials&client_id=" + creds["client_id"] + "&client_secret=" + creds["client_secret"]
			call(t, "POST", s.base+"/oauth/token", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form, 200, &grant)
			if grant.TokenType != "Bearer" || grant.ExpiresIn != 1800 || grant.Scope != "users:read users:write admin admin:read users:authenticate" {
				t.Fatalf("grant: got %+v, want a Bearer token for 1800 s with every scope", grant)
			}
			bearer := map[string]string{"Authorization": "Bearer " + grant.AccessToken, "Content-Type": "application/json"}

			// The native admin API is driven through the Go client, so the
			// client is exercised against both engines on every run.
			admin, err := client.New(s.base, client.WithClientCredentials(creds["client_id"], creds["client_secret"]),
				client.WithHTTPClient(&http.Client{Transport: apidoctest.Transport(t, nil)}))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			const password = "correct horse battery staple"
			created, err := admin.CreateUser(ctx, client.UserInput{Username: new("ada"), Email: new("ada@example.com"), Name: new("Ada"), Password: new(password)})
			if err != nil {
				t.Fatalf("create a user with the Go client: %v", err)
			}
			id := fmt.Sprint(created.ID)

			call(t, "PUT", s.base+"/openapi/v1/users/"+id, bearer, `{"phone":"5550100","is_active":false}`, 200, nil)

			var v1 map[string]any
			call(t, "GET", s.base+"/openapi/v1/users/"+id, bearer, "", 200, &v1)
			if v1["phone"] != "5550100" || v1["is_active"] != false || v1["email"] != "ada@example.com" {
				t.Errorf("openapi v1 after PUT: got %v", v1)
			}
			var v2 map[string]any
			call(t, "GET", s.base+"/api/v2/tenant/users/"+id, bearer, "", 200, &v2)
			if v2["user_id"] != id || v2["mobile"] != "5550100" || v2["disabled"] != true {
				t.Errorf("tenant v2 after PUT: got %v", v2)
			}
			var info struct {
				Result bool             `json:"result"`
				Data   []map[string]any `json:"data"`
			}
			call(t, "GET", s.base+"/v1/api/user/info?userIds="+id+",999999", map[string]string{"x-api-tenantId": "1", "x-api-token": grant.AccessToken}, "", 200, &info)
			if !info.Result || len(info.Data) != 1 || info.Data[0]["name"] != "Ada" {
				t.Errorf("user-info v1: got %+v, want Ada alone", info)
			}
			native, err := admin.User(ctx, created.ID)
			if err != nil {
				t.Fatalf("read the user with the Go client: %v", err)
			}
			if native.Phone != "5550100" || native.Active || native.Version != 2 {
				t.Errorf("native after PUT: got %+v, want phone 5550100, inactive, version 2", native)
			}
			call(t, "GET", s.base+"/readyz", nil, "", 200, nil)

			if err := s.stop(); err != nil {
				t.Fatalf("graceful shutdown: %v", err)
			}
			logs := s.stderr.String()
			for what, secret := range map[string]string{"client secret": creds["client_secret"], "password": password, "access token": grant.AccessToken} {
				if strings.Contains(logs, secret) {
					t.Errorf("the log holds the %s", what)
				}
			}
			if !strings.Contains(logs, `"request_id"`) {
				t.Errorf("access log lines carry no request_id:\n%s", logs)
			}

			again := startServer(t, db)
			if out := again.stdout.String(); strings.Contains(out, "client_secret") {
				t.Errorf("second start on the same database printed new credentials:\n%s", out)
			}
		})
	}
}

// cli runs one userd command in-process and returns its stdout.
func cli(t *testing.T, getenv env, stdin string, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &stdout, &stderr)
	return stdout.String(), err
}

// cliJSON runs a command with -o json and decodes its stdout, which must be
// exactly one JSON object.
func cliJSON(t *testing.T, getenv env, stdin string, out any, args ...string) {
	t.Helper()
	stdout, err := cli(t, getenv, stdin, append(args, "-o", "json")...)
	if err != nil {
		t.Fatalf("userd %s: %v", strings.Join(args, " "), err)
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("userd %s -o json: stdout is not a JSON object: %v\n%s", strings.Join(args, " "), err, stdout)
	}
	if dec.More() {
		t.Fatalf("userd %s -o json: stdout holds more than one JSON value:\n%s", strings.Join(args, " "), stdout)
	}
	if err := json.Unmarshal([]byte(stdout), out); err != nil {
		t.Fatal(err)
	}
}

func TestCLI(t *testing.T) {
	for name, newDB := range pgtest.Engines() {
		t.Run(name, func(t *testing.T) {
			db := newDB(t)
			getenv := func(k string) string {
				if k == "USERD_DB" {
					return db
				}
				return ""
			}
			var migrated map[string]any
			cliJSON(t, getenv, "", &migrated, "migrate")

			var tenant struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			}
			cliJSON(t, getenv, "", &tenant, "tenant", "create", "--name", "acme")
			if tenant.ID == 0 || tenant.Name != "acme" {
				t.Fatalf("tenant create: got %+v", tenant)
			}
			tid := fmt.Sprint(tenant.ID)

			var client struct {
				ClientID     string `json:"client_id"`
				ClientSecret string `json:"client_secret"`
				Scope        string `json:"scope"`
			}
			cliJSON(t, getenv, "", &client, "client", "create", "--tenant", tid, "--name", "crm", "--scope", "users:write users:read")
			if !strings.HasPrefix(client.ClientID, "udc_") || !strings.HasPrefix(client.ClientSecret, "uds_") || client.Scope != "users:read users:write" {
				t.Errorf("client create: got %+v", client)
			}

			var token struct {
				ID    int64  `json:"id"`
				Token string `json:"token"`
				Scope string `json:"scope"`
			}
			cliJSON(t, getenv, "", &token, "token", "create", "--tenant", "acme", "--name", "etl", "--scope", "users:read", "--expires", "720h")
			if token.ID == 0 || !strings.HasPrefix(token.Token, "udt_") || token.Scope != "users:read" {
				t.Errorf("token create: got %+v", token)
			}
			var revoked struct {
				RevokedAt *time.Time `json:"revoked_at"`
			}
			cliJSON(t, getenv, "", &revoked, "token", "revoke", fmt.Sprint(token.ID))
			if revoked.RevokedAt == nil {
				t.Errorf("token revoke: revoked_at is null")
			}

			var user struct {
				ID                int64   `json:"id"`
				Username          string  `json:"username"`
				Origin            string  `json:"origin"`
				PasswordChangedAt *string `json:"password_changed_at"`
			}
			cliJSON(t, getenv, "s3cret-passw0rd\n", &user, "user", "create", "--tenant", tid, "--username", "grace", "--email", "grace@example.com", "--password-stdin")
			if user.Username != "grace" || user.Origin != "cli" || user.PasswordChangedAt == nil {
				t.Errorf("user create: got %+v, want grace from the cli with a password", user)
			}

			file := filepath.Join(t.TempDir(), "users.jsonl")
			lines := `{"username":"u1","email":"u1@example.com"}
{"username":"u2","emial":"typo@example.com"}

{"username":"u3","extension":{"role_id":3}}
{"username":"GRACE"}
`
			if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, err := cli(t, getenv, "", "user", "import", "--tenant", tid, file, "-o", "json")
			if err == nil {
				t.Errorf("import with bad lines: got no error, want one naming them")
			}
			var res importResult
			if jerr := json.Unmarshal([]byte(stdout), &res); jerr != nil {
				t.Fatalf("import -o json: %v\n%s", jerr, stdout)
			}
			if res.Imported != 2 || res.Failed != 2 || len(res.Errors) != 2 || res.Errors[0].Line != 2 || res.Errors[1].Line != 5 {
				t.Errorf("import: got %+v, want u1 and u3 imported, lines 2 (unknown field) and 5 (duplicate username) reported", res)
			}

			csvFile := filepath.Join(t.TempDir(), "users.csv")
			csvData := "username,email,active,extension\nc1,c1@example.com,false,\"{\"\"level_id\"\":6}\"\nc2,,true,\n"
			if err := os.WriteFile(csvFile, []byte(csvData), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := cli(t, getenv, "", "user", "import", "--tenant", tid, csvFile); err != nil {
				t.Fatalf("import csv: %v", err)
			}

			stdout, err = cli(t, getenv, "", "user", "export", "--tenant", tid)
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			if strings.Contains(stdout, "argon2id") || strings.Contains(stdout, `"password"`) {
				t.Errorf("export holds a password or its hash:\n%s", stdout)
			}
			var names []string
			sc := bufio.NewScanner(strings.NewReader(stdout))
			for sc.Scan() {
				var u map[string]any
				if err := json.Unmarshal(sc.Bytes(), &u); err != nil {
					t.Fatalf("export line %q: %v", sc.Text(), err)
				}
				names = append(names, u["username"].(string))
			}
			if got, want := strings.Join(names, ","), "grace,u1,u3,c1,c2"; got != want {
				t.Errorf("export: got users %s, want %s", got, want)
			}
		})
	}
}

func TestCLIErrors(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "userd.db")
	tests := []struct {
		name   string
		getenv env
		args   []string
		want   string
	}{
		{"no command", noEnv, nil, "no command"},
		{"unknown command", noEnv, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"bad env duration", func(k string) string {
			if k == "USERD_TOKEN_TTL" {
				return "soon"
			}
			return ""
		}, []string{"serve", "--db", db}, `USERD_TOKEN_TTL="soon"`},
		{"bad db url", noEnv, []string{"migrate", "--db", "mysql://x"}, "use sqlite:PATH or postgres://"},
		{"bad output", noEnv, []string{"tenant", "list", "--db", db, "-o", "yaml"}, `-o must be "json"`},
		{"weak argon2", noEnv, []string{"user", "create", "--db", db, "--argon2-memory", "1024"}, "at least 19456"},
		{"bad timezone", noEnv, []string{"serve", "--db", db, "--timezone", "Mars/Olympus"}, "not an IANA time zone"},
		{"no database", noEnv, []string{"tenant", "list", "--db", db}, "run userd migrate --db " + db + " to create it"},
		{"serve not migrated", noEnv, []string{"serve", "--db", db, "--no-migrate"}, "run userd migrate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cli(t, tt.getenv, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
