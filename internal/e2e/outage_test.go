package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// pgCluster is a PostgreSQL server the test owns, in a temporary directory,
// so the test can stop and start it.
type pgCluster struct {
	bin  string // the directory of initdb, pg_ctl, ...
	dir  string
	port string
	// owner runs the server: initdb refuses to run as root, so a root test
	// runs PostgreSQL's tools as the postgres user.
	owner *osuser.User
}

// newCluster creates a cluster on a free loopback port and starts it.
func newCluster(t *testing.T) *pgCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if os.Getenv("USERD_TEST_POSTGRES_URL") != "" {
			t.Fatal("no /usr/lib/postgresql/*/bin/initdb, so the test cannot run a PostgreSQL server of its own; install the postgresql package")
		}
		t.Skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
	}
	sort.Strings(bins)
	c := &pgCluster{bin: filepath.Dir(bins[len(bins)-1])}
	_, port, _ := net.SplitHostPort(freePort(t))
	c.port = port
	dir, err := os.MkdirTemp("", "userd-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	if os.Geteuid() == 0 {
		if c.owner, err = osuser.Lookup("postgres"); err != nil {
			t.Fatalf("running as root, PostgreSQL needs the postgres user: %v", err)
		}
		if out, err := exec.Command("chown", c.owner.Username+":", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown %s: %v %s", dir, err, out)
		}
	}
	t.Cleanup(func() {
		_ = c.pgCtl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if out, err := c.command("initdb", "-D", c.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.start(t)
	return c
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

// url is the database URL of the cluster's postgres database.
func (c *pgCluster) url() string {
	return "postgres://postgres@127.0.0.1:" + c.port + "/postgres?sslmode=disable"
}

// command runs one of PostgreSQL's tools, as the cluster's owner.
func (c *pgCluster) command(tool string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, tool)
	if c.owner != nil {
		return exec.Command("runuser", append([]string{"-u", c.owner.Username, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func (c *pgCluster) pgCtl(action string, args ...string) error {
	args = append([]string{action, "-D", c.data(), "-w", "-t", "60"}, args...)
	out, err := c.command("pg_ctl", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %w\n%s", action, err, out)
	}
	return nil
}

func (c *pgCluster) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, c.dir)
	if err := c.pgCtl("start", "-l", filepath.Join(c.dir, "log"), "-o", opts); err != nil {
		t.Fatal(err)
	}
}

func (c *pgCluster) stop(t *testing.T) {
	t.Helper()
	if err := c.pgCtl("stop", "-m", "fast"); err != nil {
		t.Fatal(err)
	}
}

// dialectRequest is one request of one API and how its answer must look
// when the database is down.
type dialectRequest struct {
	name, method, path, body string
	header                   []string
	check                    func(body []byte) error // the 503's body is in the API's error format
}

// jsonField returns a check that body is a JSON object whose key holds want.
func jsonField(key string, want any) func([]byte) error {
	return func(body []byte) error {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return fmt.Errorf("not a JSON object: %v", err)
		}
		if m[key] != want {
			return fmt.Errorf("%s: got %v, want %v", key, m[key], want)
		}
		return nil
	}
}

// TestDatabaseOutage: with PostgreSQL stopped, /readyz answers 503 and
// every API answers 503 in its own error format within two seconds; when
// PostgreSQL is back, the same userd process serves again.
func TestDatabaseOutage(t *testing.T) {
	pg := newCluster(t)
	p := start(t, pg.url(), "--request-timeout", "5s")
	creds := p.credentials(t)
	token := p.token(t)
	c := newClient(p.base, token)
	u := c.createUsers(t, "outage", 1)[0]
	id := fmt.Sprint(u.ID)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {creds["client_id"]}, "client_secret": {creds["client_secret"]}}.Encode()

	requests := []dialectRequest{
		{name: "admin GET", method: "GET", path: "/admin/v1/users/" + id, check: jsonField("status", float64(503))},
		{name: "admin PATCH", method: "PATCH", path: "/admin/v1/users/" + id, body: `{"name":"x"}`, check: jsonField("status", float64(503))},
		{name: "openapi v1 GET", method: "GET", path: "/openapi/v1/users/" + id, check: jsonField("code", "unavailable")},
		{name: "openapi v1 PUT", method: "PUT", path: "/openapi/v1/users/" + id, body: `{"phone":"1"}`, check: jsonField("code", "unavailable")},
		{name: "tenant v2 GET", method: "GET", path: "/api/v2/tenant/users/" + id, check: jsonField("error_code", "SYSTEM.0004")},
		{name: "user-info v1", method: "GET", path: "/v1/api/user/info?userIds=" + id, header: []string{"x-api-tenantId", "1", "x-api-token", token}, check: jsonField("mcode", "-1")},
		{name: "token endpoint", method: "POST", path: "/oauth/token", body: form, header: []string{"Content-Type", "application/x-www-form-urlencoded", "Authorization", ""}, check: jsonField("error", "temporarily_unavailable")},
	}
	for _, r := range requests {
		c.must(t, http.StatusOK, nil, r.method, r.path, r.body, r.header...)
	}

	pg.stop(t)
	// Twice: first while the authenticator may still trust its cached
	// client status, then after that cache has expired.
	for _, round := range []string{"cached credentials", "expired credential cache"} {
		if round == "expired credential cache" {
			time.Sleep(11 * time.Second) // auth.DefaultCacheTTL is 10 s
		}
		assertDown(t, c, round, requests)
	}
	if r, _ := c.do("GET", "/readyz", ""); r.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database down: got %d, want 503", r.status)
	}

	pg.start(t)
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := c.do("GET", "/readyz", "")
		if err == nil && r.status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz 30 s after PostgreSQL came back: %v %d, want 200", err, r.status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, r := range requests {
		c.must(t, http.StatusOK, nil, r.method, r.path, r.body, r.header...)
	}
	select {
	case <-p.exited:
		t.Errorf("userd exited during the outage: %v", p.cmd.ProcessState)
	default:
	}
}

// assertDown sends every request and checks that each answers 503 in its
// API's format well before the request timeout.
func assertDown(t *testing.T, c *client, round string, requests []dialectRequest) {
	t.Helper()
	for _, r := range requests {
		began := time.Now()
		resp, err := c.do(r.method, r.path, r.body, r.header...)
		took := time.Since(began)
		switch {
		case err != nil:
			t.Errorf("%s, %s: %v", round, r.name, err)
		case resp.status != http.StatusServiceUnavailable:
			t.Errorf("%s, %s: got status %d (%s), want 503", round, r.name, resp.status, resp.body)
		case took > 2*time.Second:
			t.Errorf("%s, %s: answered after %v, want under 2 s", round, r.name, took)
		default:
			checkDocumented(t, resp, r.body)
			if err := r.check(resp.body); err != nil {
				t.Errorf("%s, %s: body %s: %v", round, r.name, resp.body, err)
			}
			if ct := resp.header.Get("Content-Type"); !strings.Contains(ct, "json") {
				t.Errorf("%s, %s: Content-Type %q, want JSON", round, r.name, ct)
			}
		}
	}
}
