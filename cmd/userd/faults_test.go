package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/userd/userd/internal/postgres/pgtest"
)

// faultProxy is a TCP proxy between userd and PostgreSQL that can delay the
// server's answers, reset every connection, and cut a connection right
// after the server has answered a COMMIT, so the client cannot know whether
// its transaction committed. (Toxiproxy does the first two, but as a library
// it brings some fifteen modules, Prometheus and protobuf among them, into
// go.mod for one test; these three faults take a hundred lines.)
type faultProxy struct {
	ln      net.Listener
	target  string
	latency atomic.Int64 // nanoseconds added before each chunk the server sends
	cutNext atomic.Bool  // cut the next connection that sends COMMIT
	commits atomic.Int64 // COMMITs sent by clients
	mu      sync.Mutex
	conns   map[*proxyPair]bool
	wg      sync.WaitGroup
}

// proxyPair is one client connection and its connection to the server.
type proxyPair struct {
	client, server *net.TCPConn
	cut            atomic.Bool // drop the server's answers, then reset the client
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, conns: map[*proxyPair]bool{}}
	p.wg.Go(p.accept)
	t.Cleanup(func() {
		ln.Close()
		p.resetAll()
		p.wg.Wait()
	})
	return p
}

func (p *faultProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		pair := &proxyPair{client: c.(*net.TCPConn), server: s.(*net.TCPConn)}
		p.mu.Lock()
		p.conns[pair] = true
		p.mu.Unlock()
		p.wg.Go(func() { p.upstream(pair) })
		p.wg.Go(func() { p.downstream(pair) })
	}
}

// commitMessage matches the COMMIT of a transaction as the client sends it:
// a simple-protocol query ('Q', its length, the text), which pgx.Tx sends,
// or the Bind (to the unnamed portal) of the statement pgx prepared for
// "COMMIT", which the committer's pipeline sends; pgx's statement cache
// names a statement "stmtcache_" and the first 24 bytes of its text's
// SHA-256 in hex. A Parse that prepares "COMMIT" matches neither.
var commitMessage = regexp.MustCompile(`(?s)Q.{4}(?i:commit)\x00|\x00` + pgxStatementName("COMMIT") + `\x00`)

func pgxStatementName(sql string) string {
	digest := sha256.Sum256([]byte(sql))
	return "stmtcache_" + hex.EncodeToString(digest[:24])
}

// upstream copies what the client sends, counting COMMITs.
func (p *faultProxy) upstream(pair *proxyPair) {
	defer p.drop(pair)
	buf := make([]byte, 32<<10)
	for {
		n, err := pair.client.Read(buf)
		if n > 0 {
			if commitMessage.Match(buf[:n]) {
				p.commits.Add(1)
				if p.cutNext.CompareAndSwap(true, false) {
					pair.cut.Store(true)
				}
			}
			if _, werr := pair.server.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// downstream copies what the server sends, after the configured latency.
// On a cut connection the server's answer is dropped and the client reset.
func (p *faultProxy) downstream(pair *proxyPair) {
	defer p.drop(pair)
	buf := make([]byte, 32<<10)
	for {
		n, err := pair.server.Read(buf)
		if n > 0 {
			if pair.cut.Load() {
				return // the server has answered the COMMIT; the client never hears it
			}
			time.Sleep(time.Duration(p.latency.Load()))
			if _, werr := pair.client.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// drop resets both sides of pair, as a failing network would.
func (p *faultProxy) drop(pair *proxyPair) {
	_ = pair.client.SetLinger(0)
	_ = pair.server.SetLinger(0)
	pair.client.Close()
	pair.server.Close()
	p.mu.Lock()
	delete(p.conns, pair)
	p.mu.Unlock()
}

// resetAll resets every open connection.
func (p *faultProxy) resetAll() {
	p.mu.Lock()
	pairs := make([]*proxyPair, 0, len(p.conns))
	for pair := range p.conns {
		pairs = append(pairs, pair)
	}
	p.mu.Unlock()
	for _, pair := range pairs {
		p.drop(pair)
	}
}

// open returns the number of connections through the proxy.
func (p *faultProxy) open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// faultClient sends admin API requests and reports how long each took.
type faultClient struct {
	base, token string
	http        *http.Client
}

func (c *faultClient) do(method, path, body string) (status int, data []byte, took time.Duration, err error) {
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	began := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, time.Since(began), err
	}
	defer resp.Body.Close()
	data, err = io.ReadAll(resp.Body)
	return resp.StatusCode, data, time.Since(began), err
}

// TestNetworkFaults runs userd in-process against PostgreSQL through a
// proxy that resets connections, adds 2 s of latency and loses the answer
// to a COMMIT. Requests end by their deadline with 200 or 503, the pool and
// the goroutines come back to what they were, and a write whose commit
// outcome is unknown is not run again.
func TestNetworkFaults(t *testing.T) {
	base := os.Getenv("USERD_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("USERD_TEST_POSTGRES_URL is not set")
	}
	const requestTimeout, poolSize = time.Second, 4
	u, err := url.Parse(pgtest.Fresh(t, base))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newFaultProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	q := u.Query()
	q.Set("pool_max_conns", fmt.Sprint(poolSize))
	u.RawQuery = q.Encode()
	s := startServer(t, u.String(), "--request-timeout", requestTimeout.String())

	c := &faultClient{base: s.base, token: accessToken(t, s), http: &http.Client{Timeout: 30 * time.Second}}
	status, data, _, err := c.do("POST", "/admin/v1/users", `{"username":"faulty"}`)
	if err != nil || status != http.StatusCreated {
		t.Fatalf("create a user: %v %d %s", err, status, data)
	}
	var created struct{ ID int64 }
	if err := json.Unmarshal(data, &created); err != nil {
		t.Fatal(err)
	}
	userPath := fmt.Sprintf("/admin/v1/users/%d", created.ID)
	settle := func() int {
		c.http.CloseIdleConnections()
		time.Sleep(200 * time.Millisecond)
		return runtime.NumGoroutine()
	}
	// load sends reads and writes from 8 clients for d and checks each
	// answer: one of ok (or 409 to a PATCH), within the request timeout
	// (plus scheduling slack).
	load := func(phase string, d time.Duration, ok ...int) (answered map[int]int) {
		answered = map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		stop := time.Now().Add(d)
		for i := range 8 {
			wg.Go(func() {
				for j := 0; time.Now().Before(stop); j++ {
					method, body := "GET", ""
					if i%2 == 1 {
						method, body = "PATCH", fmt.Sprintf(`{"name":"client %d, %d"}`, i, j)
					}
					status, data, took, err := c.do(method, userPath, body)
					mu.Lock()
					answered[status]++
					mu.Unlock()
					switch {
					case err != nil:
						t.Errorf("%s: %s: %v", phase, method, err)
						return
					case took > requestTimeout+900*time.Millisecond:
						// Under the 2 s latency, one that ignored its deadline takes 2 s or more.
						t.Errorf("%s: %s answered %d after %v, past the %v request timeout", phase, method, status, took, requestTimeout)
					case !slices.Contains(ok, status) && (method != "PATCH" || status != http.StatusConflict):
						// 409: a PATCH without If-Match that lost the race to the others too often.
						t.Errorf("%s: %s: got %d (%s), want one of %v", phase, method, status, data, ok)
					}
				}
			})
		}
		wg.Wait()
		return answered
	}

	load("warm-up", 500*time.Millisecond, http.StatusOK)
	baseline := settle()

	stopResets := make(chan struct{})
	resetsDone := make(chan struct{})
	go func() {
		defer close(resetsDone)
		for {
			select {
			case <-stopResets:
				return
			case <-time.After(50 * time.Millisecond):
				proxy.resetAll()
			}
		}
	}()
	got := load("connection resets", 2*time.Second, http.StatusOK, http.StatusServiceUnavailable)
	close(stopResets)
	<-resetsDone
	t.Logf("connection resets: answers by status %v", got)

	proxy.latency.Store(int64(2 * time.Second))
	got = load("2 s latency", 3*time.Second, http.StatusOK, http.StatusServiceUnavailable)
	proxy.latency.Store(0)
	t.Logf("2 s latency: answers by status %v", got)
	if got[http.StatusServiceUnavailable] == 0 {
		t.Errorf("2 s latency with a %v request timeout: no 503, want requests cut at their deadline", requestTimeout)
	}

	deadline := time.Now().Add(20 * time.Second)
	for {
		status, _, _, err := c.do("GET", userPath, "")
		if err == nil && status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("20 s after the faults ended: %v %d, want 200", err, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	load("after the faults", 500*time.Millisecond, http.StatusOK)
	for {
		n := settle()
		if n <= baseline+10 && proxy.open() <= poolSize {
			t.Logf("goroutines: %d before the faults, %d after; %d database connections", baseline, n, proxy.open())
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d before the faults, %d after; %d database connections (pool size %d)\n%s",
				baseline, n, proxy.open(), poolSize, buf[:runtime.Stack(buf, true)])
		}
	}

	// The answer to a COMMIT is lost: userd must answer an error and not
	// run the transaction again, and the write happened exactly once.
	var before struct{ Version int64 }
	_, data, _, _ = c.do("GET", userPath, "")
	if err := json.Unmarshal(data, &before); err != nil {
		t.Fatal(err)
	}
	commits := proxy.commits.Load()
	proxy.cutNext.Store(true)
	status, data, _, err = c.do("PATCH", userPath, `{"name":"committed once"}`)
	if err != nil || status != http.StatusServiceUnavailable {
		t.Errorf("PATCH whose COMMIT answer is lost: got %d %s (%v), want 503", status, data, err)
	}
	if n := proxy.commits.Load() - commits; n != 1 {
		t.Errorf("PATCH whose COMMIT answer is lost: sent %d COMMITs, want 1 (no blind retry)", n)
	}
	var after struct {
		Name    string
		Version int64
	}
	_, data, _, _ = c.do("GET", userPath, "")
	if err := json.Unmarshal(data, &after); err != nil {
		t.Fatal(err)
	}
	if after.Name != "committed once" || after.Version != before.Version+1 {
		t.Errorf("after the lost COMMIT answer: got %+v, want name %q at version %d", after, "committed once", before.Version+1)
	}
}

// accessToken returns an access token for the admin client whose
// credentials the first start of s printed.
func accessToken(t *testing.T, s *serveProc) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	for _, m := range credentialLine.FindAllStringSubmatch(s.stdout.String(), -1) {
		form.Set(m[1], m[2])
	}
	var grant struct {
		AccessToken string `json:"access_token"`
	}
	call(t, "POST", s.base+"/oauth/token", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form.Encode(), http.StatusOK, &grant)
	return grant.AccessToken
}
