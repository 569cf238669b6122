package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// withOptions replaces e's Authenticator by one built with opts on e's
// store and clock.
func (e *env) withOptions(t *testing.T, opts Options) {
	t.Helper()
	opts.CacheTTL, opts.Now = testCacheTTL, e.clock.now
	a, err := NewAuthenticator(context.Background(), e.store, opts)
	if err != nil {
		t.Fatalf("NewAuthenticator: %v", err)
	}
	t.Cleanup(a.failures.wg.Wait)
	e.authn = a
}

// credCall is a token request with client_id and secret in the body, from
// remote.
func credCall(id, secret, remote string) tokenCall {
	return tokenCall{remote: remote, body: form("grant_type", "client_credentials", "client_id", id, "client_secret", secret)}
}

// errorCode returns the error_code of an error answer.
func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil {
		t.Fatalf("body %s: %v", w.Body, err)
	}
	return eb.ErrorCode
}

// burst sends n copies of call at once and counts the answers by status.
func (e *env) burst(t *testing.T, n int, call tokenCall) map[int]int {
	t.Helper()
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			w := e.post(t, call)
			mu.Lock()
			counts[w.Code]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return counts
}

// TestFailureLimitBurst checks that 50 concurrent wrong secrets for one
// client get exactly the limit evaluated and the rest 429, while another
// client keeps succeeding, unslowed, during and after the burst.
func TestFailureLimitBurst(t *testing.T) {
	for _, limit := range []int{1, 10, 49, 50} {
		t.Run("limit_"+strconv.Itoa(limit), func(t *testing.T) {
			e := newEnv(t)
			e.withOptions(t, Options{MaxClientFailures: limit})
			victim, _ := e.client(t, directory.ScopeUsersRead)
			other, otherSecret := e.client(t, directory.ScopeUsersRead)
			wrong := credCall(victim.ClientID, directory.NewSecret(directory.ClientSecretPrefix).Reveal(), "198.51.100.1:1000")

			var wg sync.WaitGroup
			var good map[int]int
			wg.Go(func() { good = e.burst(t, 50, credCall(other.ClientID, otherSecret.Reveal(), "198.51.100.2:1000")) })
			got := e.burst(t, 50, wrong)
			wg.Wait()

			wantRefused := max(50-limit, 0)
			if got[400] != min(limit, 50) || got[429] != wantRefused {
				t.Errorf("got %v, want %d × 400 and %d × 429", got, min(limit, 50), wantRefused)
			}
			if good[200] != 50 {
				t.Errorf("other client during the burst: got %v, want 50 × 200", good)
			}
			if w := e.post(t, credCall(other.ClientID, otherSecret.Reveal(), "198.51.100.1:1000")); w.Code != 200 {
				t.Errorf("other client from the attacker's address: got %d %s, want 200", w.Code, w.Body)
			}
		})
	}
}

// TestFailureLimitEdges checks the limits at one below and one above, the
// answer's shape and Retry-After, that unknown client_ids count like wrong
// secrets, and that successes and the passing window give failures back.
func TestFailureLimitEdges(t *testing.T) {
	const limit = 5
	e := newEnv(t)
	e.withOptions(t, Options{MaxClientFailures: limit, MaxAddressFailures: 2 * limit, FailureWindow: time.Hour})
	c, secret := e.client(t, directory.ScopeUsersRead)
	bad := directory.NewSecret(directory.ClientSecretPrefix).Reveal()
	addr := "203.0.113.9:5555"

	for name, id := range map[string]string{"wrong secret": c.ClientID, "unknown client": directory.NewClientID()} {
		t.Run(name, func(t *testing.T) {
			for i := range limit {
				if w := e.post(t, credCall(id, bad, addr)); w.Code != 400 || errorCode(t, w) != errClientAuth.code {
					t.Fatalf("failure %d of %d: got %d %s, want 400 %s", i+1, limit, w.Code, w.Body, errClientAuth.code)
				}
			}
			w := e.post(t, credCall(id, bad, addr))
			if w.Code != 429 || errorCode(t, w) != errRateLimited.code || w.Header().Get("Retry-After") != "3600" {
				t.Fatalf("failure %d: got %d %v %s, want 429 %s with Retry-After 3600", limit+1, w.Code, w.Header(), w.Body, errRateLimited.code)
			}
			checkGolden(t, "error_rate_limited", maskedBody(t, w.Body.Bytes()))
		})
	}
	// Both subtests used one address: 2×limit failures, its limit.
	other, otherSecret := e.client(t, directory.ScopeUsersRead)
	if w := e.post(t, credCall(other.ClientID, otherSecret.Reveal(), addr)); w.Code != 429 {
		t.Errorf("right credentials from an address at its limit: got %d, want 429", w.Code)
	}
	if w := e.post(t, credCall(other.ClientID, otherSecret.Reveal(), "[2001:db8::1]:1")); w.Code != 200 {
		t.Errorf("right credentials from another address: got %d %s, want 200", w.Code, w.Body)
	}

	e.clock.advance(40 * time.Minute)
	if w := e.post(t, credCall(c.ClientID, secret.Reveal(), "[2001:db8::2]:1")); w.Code != 429 || w.Header().Get("Retry-After") != "1200" {
		t.Errorf("after 40 minutes: got %d Retry-After %q, want 429 1200", w.Code, w.Header().Get("Retry-After"))
	}
	e.clock.advance(20 * time.Minute)
	if w := e.post(t, credCall(c.ClientID, secret.Reveal(), "[2001:db8::2]:1")); w.Code != 200 {
		t.Errorf("after the window: got %d %s, want 200", w.Code, w.Body)
	}

	// Successes give their reservation back: many do not use up the limit.
	for range 3 * limit {
		if w := e.post(t, credCall(c.ClientID, secret.Reveal(), "[2001:db8::3]:1")); w.Code != 200 {
			t.Fatalf("success: got %d %s, want 200", w.Code, w.Body)
		}
	}
	for i := range limit - 1 {
		if w := e.post(t, credCall(c.ClientID, bad, "[2001:db8::3]:1")); w.Code != 400 {
			t.Fatalf("failure %d after successes: got %d, want 400", i+1, w.Code)
		}
	}
	if w := e.post(t, credCall(c.ClientID, secret.Reveal(), "[2001:db8::3]:1")); w.Code != 200 {
		t.Errorf("right secret one failure under the limit: got %d, want 200", w.Code)
	}
}

func TestFailureLimitOff(t *testing.T) {
	e := newEnv(t)
	e.withOptions(t, Options{MaxClientFailures: -1, MaxAddressFailures: -1})
	for i := range DefaultMaxClientFailures + 1 {
		if w := e.post(t, credCall(directory.NewClientID(), "uds_x", "")); w.Code != 400 {
			t.Fatalf("failure %d with limits off: got %d, want 400", i+1, w.Code)
		}
	}
}

func TestAddressKey(t *testing.T) {
	tests := []struct{ remote, want string }{
		{"192.0.2.1:1234", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:1", "192.0.2.1"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2::9]:443", "2001:db8:1:2::/64"},
		{"@", "@"},
	}
	for _, tt := range tests {
		if got := addressKey(tt.remote); got != tt.want {
			t.Errorf("addressKey(%q): got %q, want %q", tt.remote, got, tt.want)
		}
	}
}

// failedEvents returns tenantID's audit events of action, checking that
// none holds secret.
func (e *env) failedEvents(t *testing.T, tenantID int64, action, secret string) []directory.Event {
	t.Helper()
	evs, err := e.store.AuditEvents(context.Background(), tenantID, 0, 100)
	if err != nil {
		t.Fatalf("AuditEvents: %v", err)
	}
	var out []directory.Event
	for _, ev := range evs {
		if ev.Action == action {
			out = append(out, ev)
		}
		if strings.Contains(ev.Actor+ev.ObjectID+strings.Join(ev.Fields, ","), secret) {
			t.Errorf("event %+v holds the secret", ev)
		}
	}
	return out
}

// TestFailedAuthAudited checks that failures become auth.failed events
// naming the client_id and address but never the secret, that unknown
// client_ids land in tenant 0, and that at most the configured number a
// minute are recorded.
func TestFailedAuthAudited(t *testing.T) {
	const perMinute = 3
	e := newEnv(t)
	e.withOptions(t, Options{AuditFailuresPerMinute: perMinute})
	c, secret := e.client(t, directory.ScopeUsersRead)
	bad := directory.NewSecret(directory.ClientSecretPrefix).Reveal()
	unknown := directory.NewClientID()

	e.post(t, credCall(unknown, bad, "198.51.100.7:9"))
	for range 10 {
		e.post(t, credCall(c.ClientID, bad, "198.51.100.7:9"))
	}
	e.post(t, credCall(c.ClientID, secret.Reveal(), "198.51.100.7:9"))
	e.authn.failures.wait()

	if got := e.failedEvents(t, 0, "auth.failed", bad); len(got) != 1 || got[0].Actor != "client:"+unknown || got[0].ClientIP != "198.51.100.7" {
		t.Errorf("tenant 0: got %+v, want one auth.failed by client:%s from 198.51.100.7", got, unknown)
	}
	if got := e.failedEvents(t, e.tenant.ID, "auth.failed", bad); len(got) != perMinute || got[0].Actor != "client:"+c.ClientID {
		t.Errorf("tenant: got %+v, want %d auth.failed by client:%s", got, perMinute, c.ClientID)
	}

	e.clock.advance(time.Minute)
	e.post(t, credCall(c.ClientID, bad, "198.51.100.7:9"))
	e.authn.failures.wait()
	if got := e.failedEvents(t, e.tenant.ID, "auth.failed", bad); len(got) != perMinute+1 {
		t.Errorf("a minute later: got %d events, want %d", len(got), perMinute+1)
	}
}

// TestAuditBudgetPerTenant checks that failures with made-up client_ids,
// or against another tenant's clients, cannot use up a tenant's audit
// budget; and that what a tenant's budget drops is recorded as a count in
// that tenant's log once its window reopens (or at Close), and counted for
// the metrics.
func TestAuditBudgetPerTenant(t *testing.T) {
	const perMinute = 3
	e := newEnv(t)
	obs := &recordingObserver{}
	e.withOptions(t, Options{AuditFailuresPerMinute: perMinute, Observer: obs})
	acme, _ := e.client(t, directory.ScopeUsersRead)
	other, err := e.svc.CreateTenant(context.Background(), "globex")
	if err != nil {
		t.Fatal(err)
	}
	globex, _, err := e.svc.CreateClient(context.Background(), directory.System(other.ID), "app", directory.Scopes{directory.ScopeUsersRead})
	if err != nil {
		t.Fatal(err)
	}
	bad := directory.NewSecret(directory.ClientSecretPrefix).Reveal()

	// A flood of made-up client_ids and of failures against globex, each
	// from its own address so no failure limit answers 429 first.
	for i := range 20 {
		e.post(t, credCall(directory.NewClientID(), bad, "198.51.100."+strconv.Itoa(i)+":9"))
		e.post(t, credCall(globex.ClientID, bad, "203.0.113."+strconv.Itoa(i)+":9"))
	}
	e.post(t, credCall(acme.ClientID, bad, "192.0.2.1:9"))
	e.authn.failures.wait()
	if got := e.failedEvents(t, e.tenant.ID, "auth.failed", bad); len(got) != 1 || got[0].Actor != "client:"+acme.ClientID {
		t.Errorf("acme after the flood: got %+v, want its one failure recorded", got)
	}
	for tenantID, name := range map[int64]string{0: "tenant 0", other.ID: "globex"} {
		if got := e.failedEvents(t, tenantID, "auth.failed", bad); len(got) != perMinute {
			t.Errorf("%s: got %d auth.failed, want %d", name, len(got), perMinute)
		}
	}
	if got := countCalls(obs.take(), "audit/not_recorded"); got != 2*(20-perMinute) {
		t.Errorf("metrics: got %d failures counted as not recorded, want %d", got, 2*(20-perMinute))
	}

	// globex's window reopens: its next failure is recorded after a
	// summary of what the last window dropped.
	e.clock.advance(time.Minute)
	e.post(t, credCall(globex.ClientID, bad, "203.0.113.99:9"))
	e.authn.failures.wait()
	summaries := e.failedEvents(t, other.ID, notRecordedAction, bad)
	if len(summaries) != 1 || !slices.Equal(summaries[0].Fields, []string{"17 not recorded"}) {
		t.Errorf("globex: got summaries %+v, want one saying 17 not recorded", summaries)
	}
	if got := e.failedEvents(t, other.ID, "auth.failed", bad); len(got) != perMinute+1 {
		t.Errorf("globex a minute later: got %d auth.failed, want %d", len(got), perMinute+1)
	}

	// Tenant 0's window has not been reopened by a failure: Close writes
	// its summary, readable by an operator as tenant 0's log.
	e.authn.Close()
	summaries = e.failedEvents(t, 0, notRecordedAction, bad)
	if len(summaries) != 1 || !slices.Equal(summaries[0].Fields, []string{"17 not recorded"}) {
		t.Errorf("tenant 0 after Close: got summaries %+v, want one saying 17 not recorded", summaries)
	}
}

func countCalls(calls []string, want string) int {
	n := 0
	for _, c := range calls {
		if c == want {
			n++
		}
	}
	return n
}

// TestClientIDNotText checks that a client_id no engine can hold (a NUL
// character, invalid UTF-8) fails on every engine exactly like an unknown
// one: the same answer, counted against the failure limit and audited.
func TestClientIDNotText(t *testing.T) {
	for name, newEnv := range engines() {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.withOptions(t, Options{MaxClientFailures: 2, AuditFailuresPerMinute: 10})
			secret := directory.NewSecret(directory.ClientSecretPrefix).Reveal()
			unknown := e.post(t, credCall(directory.NewClientID(), secret, "198.51.100.7:9"))
			for _, id := range []string{directory.ClientIDPrefix + "a\x00b", directory.ClientIDPrefix + "a\xffb"} {
				for i := range 3 {
					w := e.post(t, credCall(id, secret, "198.51.100.7:9"))
					e.authn.failures.wait() // at most auditWriters records in flight
					switch {
					case i < 2 && (w.Code != unknown.Code || w.Body.String() != unknown.Body.String()):
						t.Errorf("client_id %q: got %d %s, want what an unknown client gets: %d %s", id, w.Code, w.Body, unknown.Code, unknown.Body)
					case i == 2 && w.Code != http.StatusTooManyRequests:
						t.Errorf("client_id %q, attempt 3: got %d %s, want 429 (failures counted)", id, w.Code, w.Body)
					}
				}
			}
			e.authn.failures.wait()
			evs, err := e.store.AuditEvents(context.Background(), 0, 0, 100)
			if err != nil {
				t.Fatalf("AuditEvents: %v", err)
			}
			if len(evs) != 5 {
				t.Errorf("audit events: got %d (%+v), want 5: one unknown client and 2 of each client_id", len(evs), evs)
			}
		})
	}
}

func TestLoggableClientID(t *testing.T) {
	for _, secret := range []string{
		directory.NewSecret(directory.ClientSecretPrefix).Reveal(),
		directory.NewSecret(directory.APITokenPrefix).Reveal(),
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1ZGNfeCJ9.c2lnbmF0dXJl",
		"correct horse battery staple",
	} {
		if got := loggableClientID(secret); strings.Contains(got, secret[:8]) {
			t.Errorf("got %q, want %q withheld", got, secret)
		}
	}
	if id := directory.NewClientID(); loggableClientID(id) != id {
		t.Errorf("got %q, want the client_id %q shown", loggableClientID(id), id)
	}
	if got := loggableClientID(directory.ClientIDPrefix + strings.Repeat("a", 100)); len(got) > 70 {
		t.Errorf("got %d bytes, want at most 64 and an ellipsis", len(got))
	}
}

// TestTokenBodyLimit checks a body of exactly maxTokenBody bytes is read and
// one byte more is 413.
func TestTokenBodyLimit(t *testing.T) {
	e := newEnv(t)
	c, secret := e.client(t, directory.ScopeUsersRead)
	base := form("grant_type", "client_credentials", "client_id", c.ClientID, "client_secret", secret.Reveal(), "pad", "")
	for _, tt := range []struct {
		size, status int
	}{{maxTokenBody, 200}, {maxTokenBody + 1, 413}} {
		body := base + strings.Repeat("a", tt.size-len(base))
		if w := e.post(t, tokenCall{body: body}); w.Code != tt.status {
			t.Errorf("body of %d bytes: got %d %s, want %d", len(body), w.Code, w.Body, tt.status)
		}
	}
}
