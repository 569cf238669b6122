package delivery

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/postgres"
	"github.com/userd/userd/internal/postgres/pgtest"
	"github.com/userd/userd/internal/sqlite"
	"github.com/userd/userd/internal/webhook"
)

// plainHasher stores passwords unhashed: these tests never set one.
type plainHasher struct{}

func (plainHasher) HashPassword(_ context.Context, pw string) (string, error) { return pw, nil }

// engines opens a fresh, migrated store of each engine (PostgreSQL when
// USERD_TEST_POSTGRES_URL is set).
func engines() map[string]func(t testing.TB) directory.Store {
	out := map[string]func(t testing.TB) directory.Store{
		"sqlite": func(t testing.TB) directory.Store {
			st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "userd.db"), sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			if err := st.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			return st
		},
	}
	if base := os.Getenv(pgtest.URLVar); base != "" {
		out["postgres"] = func(t testing.TB) directory.Store {
			st, err := postgres.Open(t.Context(), pgtest.Fresh(t, base))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			if err := st.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			return st
		}
	}
	return out
}

// env is a directory with one tenant and a running Deliverer.
type env struct {
	svc *directory.Service
	p   directory.Principal
}

// fast are options that retry quickly, for tests.
var fast = Options{LeaseTTL: 2 * time.Second, RenewEvery: 200 * time.Millisecond, Refresh: 50 * time.Millisecond,
	RetryFor: 400 * time.Millisecond, BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond}

func newEnv(t testing.TB, st directory.Store) *env {
	t.Helper()
	svc := directory.NewService(st, plainHasher{})
	svc.SetWebhookPolicy(directory.WebhookPolicy{AllowPrivate: true})
	tn, err := svc.CreateTenant(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	return &env{svc: svc, p: directory.System(tn.ID)}
}

func (e *env) start(t testing.TB, opts Options) {
	t.Helper()
	t.Cleanup(e.run(opts))
}

// run starts a Deliverer and returns the function that stops it.
func (e *env) run(opts Options) (stop func()) {
	client := webhook.NewClient(webhook.Options{AllowPrivate: true, Timeout: 2 * time.Second})
	e.svc.SetSubscriptionChecker(Checker{Client: client})
	ctx, cancel := context.WithCancel(context.Background())
	d := New(e.svc, client, nil, opts)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	return func() { cancel(); <-done }
}

func (e *env) createUser(t *testing.T, name string) directory.User {
	t.Helper()
	u, err := e.svc.CreateUser(t.Context(), e.p, directory.OriginAPI, directory.UserPatch{Username: &name})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// receiver is a Standard Webhooks endpoint that verifies every delivery
// and records it; fail makes it answer 500.
type receiver struct {
	secret string
	fail   atomic.Bool
	mu     sync.Mutex
	got    []received
}

type received struct {
	id       string
	position int64
	typ      string
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if r.fail.Load() {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	body, _ := io.ReadAll(req.Body)
	if err := webhook.Verify(r.secret, req.Header, body, time.Now()); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var ev eventJSON
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.got = append(r.got, received{req.Header.Get(webhook.HeaderID), ev.Data.Position, ev.Type})
	r.mu.Unlock()
}

func (r *receiver) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (e *env) subscribe(t *testing.T, in directory.SubscriptionInput) directory.Subscription {
	t.Helper()
	s, err := e.svc.CreateSubscription(t.Context(), e.p, in)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// inOrder checks got holds each position of want exactly once, in order,
// each with its stable webhook-id.
func inOrder(t *testing.T, sub int64, got []received, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("received %d deliveries, want %d: %v", len(got), len(want), got)
	}
	for i, g := range got {
		if g.position != want[i] || g.id != MessageID(sub, want[i]) {
			t.Fatalf("delivery %d: position %d id %s, want position %d id %s", i, g.position, g.id, want[i], MessageID(sub, want[i]))
		}
	}
}

func positions(t *testing.T, e *env) []int64 {
	t.Helper()
	cs, err := e.svc.Changes(t.Context(), e.p, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, c := range cs {
		out = append(out, c.Position)
	}
	return out
}

func TestWebhooksInOrderWithLog(t *testing.T) {
	for name, open := range engines() {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open(t))
			rcv := &receiver{secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
			srv := httptest.NewServer(rcv)
			defer srv.Close()
			sub := e.subscribe(t, directory.SubscriptionInput{URL: srv.URL, Secret: directory.Secret(rcv.secret)})
			e.start(t, fast)
			for i := range 30 {
				u := e.createUser(t, "user"+string(rune('a'+i%26))+strings.Repeat("x", i/26))
				if i%3 == 0 {
					name := "Renamed"
					if _, err := e.svc.UpdateUser(t.Context(), e.p, u.ID, 0, directory.UserPatch{Name: &name}); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := positions(t, e)
			waitFor(t, "every change delivered", func() bool { return len(rcv.received()) >= len(want) })
			inOrder(t, sub.ID, rcv.received(), want)

			waitFor(t, "the position stored", func() bool {
				s, _ := e.svc.Subscription(t.Context(), e.p, sub.ID)
				return s.Position == want[len(want)-1]
			})
			log, _, err := e.svc.Deliveries(t.Context(), e.p, sub.ID, 0, 1000)
			if err != nil || len(log) != len(want) {
				t.Fatalf("delivery log: %d entries, %v; want %d", len(log), err, len(want))
			}
			if d := log[0]; d.Status != directory.Delivered || d.StatusCode != 200 || d.Attempts != 1 || d.MessageID != MessageID(sub.ID, want[0]) || d.EventType != directory.EventUserCreated {
				t.Errorf("log entry: %+v", d)
			}
		})
	}
}

// A receiver that stays down past the retry period gets its subscription
// marked failing; the backlog waits, and re-enabling delivers all of it,
// in order, from the event that failed.
func TestFailingKeepsBacklog(t *testing.T) {
	for name, open := range engines() {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open(t))
			rcv := &receiver{secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
			srv := httptest.NewServer(rcv)
			defer srv.Close()
			sub := e.subscribe(t, directory.SubscriptionInput{URL: srv.URL, Secret: directory.Secret(rcv.secret)})
			e.start(t, fast)
			e.createUser(t, "first")
			waitFor(t, "the first delivery", func() bool { return len(rcv.received()) == 1 })
			rcv.fail.Store(true)
			e.createUser(t, "second")
			waitFor(t, "the subscription failing", func() bool {
				s, _ := e.svc.Subscription(t.Context(), e.p, sub.ID)
				return s.Failing
			})
			s, _ := e.svc.Subscription(t.Context(), e.p, sub.ID)
			if !strings.Contains(s.LastError, "503") {
				t.Errorf("last error %q, want the receiver's 503", s.LastError)
			}
			log, _, _ := e.svc.Deliveries(t.Context(), e.p, sub.ID, 0, 100)
			if last := log[len(log)-1]; last.Status != directory.Failed || last.Attempts < 2 || last.StatusCode != 503 {
				t.Errorf("last log entry: %+v, want failed after several attempts with 503", last)
			}
			e.createUser(t, "third") // the backlog grows while failing
			time.Sleep(100 * time.Millisecond)
			rcv.fail.Store(false)
			if n := len(rcv.received()); n != 1 {
				t.Fatalf("a failing subscription got %d deliveries, want none after the first", n-1)
			}
			enabled := false
			if _, err := e.svc.UpdateSubscription(t.Context(), e.p, sub.ID, directory.SubscriptionPatch{Disabled: &enabled}); err != nil {
				t.Fatal(err)
			}
			want := positions(t, e)
			waitFor(t, "the backlog delivered", func() bool { return len(rcv.received()) >= len(want) })
			inOrder(t, sub.ID, rcv.received(), want)
		})
	}
}

func TestOneAccessCallbacks(t *testing.T) {
	st := engines()["sqlite"](t)
	e := newEnv(t, st)
	app := &oneAccessApp{token: "security-token", signKey: "0123456789abcdef", encKey: "fedcba9876543210"}
	url := startOneAccessApp(t, app)
	e.start(t, fast)
	if _, err := e.svc.CreateSubscription(t.Context(), e.p, directory.SubscriptionInput{URL: url, Format: directory.FormatOneAccess,
		Secret: "0123456789abcdef", Token: "security-token", EncryptionKey: "fedcba9876543210"}); err != nil {
		t.Fatalf("create (CHECK_URL): %v", err)
	}
	orgName, code := "Engineering", "eng"
	org, err := e.svc.CreateOrg(t.Context(), e.p, directory.OrgPatch{Name: &orgName, Code: &code})
	if err != nil {
		t.Fatal(err)
	}
	username, email := "ada", "ada@example.com"
	u, err := e.svc.CreateUser(t.Context(), e.p, directory.OriginAPI, directory.UserPatch{Username: &username, Email: &email,
		Orgs: &[]directory.Membership{{OrgID: org.ID, Primary: true}}})
	if err != nil {
		t.Fatal(err)
	}
	// OneAccess data is the object as it is when sent: wait, so the
	// create is not overtaken by the delete.
	waitFor(t, "the creates", func() bool { return len(app.callbacks()) >= 2 })
	name := "Ada Lovelace"
	if _, err := e.svc.UpdateUser(t.Context(), e.p, u.ID, 0, directory.UserPatch{Name: &name}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the update", func() bool { return len(app.callbacks()) >= 3 })
	if err := e.svc.DeleteUser(t.Context(), e.p, u.ID, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "four callbacks", func() bool { return len(app.callbacks()) >= 4 })
	got := app.callbacks()
	wantTypes := []string{"CREATE_ORGANIZATION", "CREATE_USER", "UPDATE_USER", "DELETE_USER"}
	for i, cb := range got {
		if cb.EventType != wantTypes[i] {
			t.Fatalf("callback %d: %s, want %s (all: %v)", i, cb.EventType, wantTypes[i], got)
		}
	}
	if d := got[1].Data; d["username"] != "ada" || d["email"] != "ada@example.com" || d["organizationId"] != "app-1" || d["id"] != nil {
		t.Errorf("CREATE_USER data %v: want username, email and the app's org id app-1, no id yet", d)
	}
	if d := got[2].Data; d["id"] != "app-2" || d["name"] != "Ada Lovelace" {
		t.Errorf("UPDATE_USER data %v: want the app's id app-2 back", d)
	}
	if d := got[3].Data; d["id"] != "app-2" || d["username"] != nil {
		t.Errorf("DELETE_USER data %v: want only the ids", d)
	}
}
