package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/userd/userd/internal/apidoc/apidoctest"
)

// userdBin is the userd binary TestMain builds for every test.
var userdBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "userd-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	userdBin = filepath.Join(dir, "userd")
	build := exec.Command("go", "build", "-o", userdBin, "github.com/userd/userd/cmd/userd")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build userd:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

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

// syncBuffer collects a process's output while the test reads it.
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

// proc is one running `userd serve`.
type proc struct {
	base           string
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	exited         chan struct{}
}

// start runs `userd serve` on db with extra flags and waits until /healthz
// answers. The process is killed when the test ends.
func start(t *testing.T, db string, flags ...string) *proc {
	t.Helper()
	return startEnv(t, nil, db, flags...)
}

// startEnv is start with env (NAME=value) added to the environment.
func startEnv(t *testing.T, env []string, db string, flags ...string) *proc {
	t.Helper()
	addr := freePort(t)
	p := &proc{base: "http://" + addr, stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	args := append([]string{"serve", "--addr", addr, "--db", db, "--log-format", "json", "--log-level", "warn"}, flags...)
	p.cmd = exec.Command(userdBin, args...)
	p.cmd.Env = append(append(os.Environ(), "USERD_ARGON2_MEMORY=19456"), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start userd: %v", err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(p.kill)
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-p.exited:
			t.Fatalf("userd serve exited early: %v\nstderr:\n%s", p.cmd.ProcessState, p.stderr)
		default:
		}
		resp, err := http.Get(p.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("userd serve not healthy after 30 s; stderr:\n%s", p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill sends SIGKILL, as a power cut or the OOM killer would, and waits for
// the process to be gone.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

var credentialLine = regexp.MustCompile(`(client_id|client_secret):\s+(\S+)`)

// credentials returns the client_id and client_secret of the admin client
// that the first start on an empty database printed.
func (p *proc) credentials(t *testing.T) map[string]string {
	t.Helper()
	// The process prints them before it serves, but its output reaches
	// the buffer through a pipe, maybe after /healthz answered.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		creds := map[string]string{}
		for _, m := range credentialLine.FindAllStringSubmatch(p.stdout.String(), -1) {
			creds[m[1]] = m[2]
		}
		if creds["client_secret"] != "" {
			return creds
		}
		if time.Now().After(deadline) {
			t.Fatalf("userd printed no admin credentials; stdout:\n%s", p.stdout)
		}
	}
}

// token returns an access token with every scope for the admin client.
func (p *proc) token(t *testing.T) string {
	t.Helper()
	creds := p.credentials(t)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {creds["client_id"]}, "client_secret": {creds["client_secret"]}}
	var grant struct {
		AccessToken string `json:"access_token"`
	}
	postForm(t, p.base, form, http.StatusOK, &grant)
	return grant.AccessToken
}

// postForm asks base's token endpoint for an access token with form and
// fails the test unless it answers want; it decodes the answer into out
// when out is not nil.
func postForm(t *testing.T, base string, form url.Values, want int, out any) {
	t.Helper()
	resp, err := http.PostForm(base+"/oauth/token", form)
	if err != nil {
		t.Fatalf("POST /oauth/token on %s: %v", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("POST /oauth/token on %s: got status %d, want %d", base, resp.StatusCode, want)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("POST /oauth/token on %s: decode: %v", base, err)
		}
	}
}

// client talks to one userd with one credential.
type client struct {
	base  string
	token string
	http  *http.Client
	// trusted skips must's check against the OpenAPI document, for loops
	// that repeat exchanges already checked: under -race the check costs
	// tens of milliseconds a request.
	trusted bool
}

func newClient(base, token string) *client {
	return &client{base: base, token: token, http: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 128},
	}}
}

// response is what a request got back, and the request that got it.
type response struct {
	status int
	header http.Header
	body   []byte
	req    *http.Request
}

// checkDocumented checks the exchange that got r, whose request body was
// body, against the OpenAPI document.
func checkDocumented(t *testing.T, r response, body string) {
	t.Helper()
	apidoctest.Check(t, r.req, []byte(body), r.status, r.header, r.body)
}

// do sends a request with the client's bearer token and header, pairs of
// name and value; a nil error means an answer arrived, whatever its status.
func (c *client) do(method, path, body string, header ...string) (response, error) {
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if req.Header.Get("Authorization") == "" { // a header "Authorization", "" sends none
		req.Header.Del("Authorization")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: data, req: req}, err
}

// must sends a request and fails the test unless it answers want; it
// decodes a JSON answer into out when out is not nil.
func (c *client) must(t *testing.T, want int, out any, method, path, body string, header ...string) response {
	t.Helper()
	r, err := c.do(method, path, body, header...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if !c.trusted {
		checkDocumented(t, r, body)
	}
	if r.status != want {
		t.Fatalf("%s %s: got status %d, want %d; body: %s", method, path, r.status, want, r.body)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, r.body, err)
		}
	}
	return r
}

// user is the part of the admin API's user object the tests look at.
type user struct {
	ID        int64          `json:"id"`
	Username  string         `json:"username"`
	Phone     string         `json:"phone"`
	Version   int64          `json:"version"`
	Extension map[string]any `json:"extension"`
}

// createUsers creates n users named prefix0, prefix1, ...
func (c *client) createUsers(t *testing.T, prefix string, n int) []user {
	t.Helper()
	users := make([]user, n)
	for i := range users {
		c.must(t, http.StatusCreated, &users[i], "POST", "/admin/v1/users", fmt.Sprintf(`{"username":"%s%d"}`, prefix, i))
	}
	return users
}

// getUser reads a user through the admin API.
func (c *client) getUser(t *testing.T, id int64) user {
	t.Helper()
	var u user
	c.must(t, http.StatusOK, &u, "GET", fmt.Sprintf("/admin/v1/users/%d", id), "")
	return u
}

// updateEvents counts the user.update audit events of each user.
func (c *client) updateEvents(t *testing.T) map[string]int64 {
	t.Helper()
	counts := map[string]int64{}
	path := "/admin/v1/audit-events?limit=1000"
	for {
		var page struct {
			Events []struct {
				Action   string `json:"action"`
				ObjectID string `json:"object_id"`
			} `json:"events"`
			NextCursor *string `json:"next_cursor"`
		}
		c.must(t, http.StatusOK, &page, "GET", path, "")
		for _, e := range page.Events {
			if e.Action == "user.update" {
				counts[e.ObjectID]++
			}
		}
		if page.NextCursor == nil {
			return counts
		}
		path = "/admin/v1/audit-events?limit=1000&cursor=" + url.QueryEscape(*page.NextCursor)
	}
}

// checkAudit asserts that every change of users is in the audit log: the
// change and its record are written in one transaction, so a user at
// version v has exactly v-1 update events.
func (c *client) checkAudit(t *testing.T, users []user) {
	t.Helper()
	events := c.updateEvents(t)
	for _, u := range users {
		got := c.getUser(t, u.ID)
		if n := events[fmt.Sprint(u.ID)]; n != got.Version-1 {
			t.Errorf("user %d: at version %d with %d update events, want %d", u.ID, got.Version, n, got.Version-1)
		}
	}
}
