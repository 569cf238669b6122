package dialecttest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/userd/userd/internal/admission"
	"github.com/userd/userd/internal/apidoc/apidoctest"
	"github.com/userd/userd/internal/directory"
)

// LargeUsers adds n users to tenant acme, each as large as userd lets a
// user be (a full comment, extension and profile, some 30 KiB as JSON), and returns
// them. The tests of list and batch answers use them to tell an answer
// streamed item by item from one built whole.
func (e *Env) LargeUsers(t testing.TB, n int) []directory.User {
	t.Helper()
	comment := strings.Repeat("c", directory.MaxCommentLen)
	blob := strings.Repeat("x", directory.MaxExtensionBytes-64)
	patches := make([]directory.UserPatch, n)
	for i := range patches {
		patches[i] = directory.UserPatch{
			Username: ptr(fmt.Sprintf("large%05d", i)), Comment: &comment,
			Extension: map[string]any{"blob": blob}, ProfilePatch: largeProfile(i),
		}
		patches[i].Email, patches[i].Phone = ptr(fmt.Sprintf("large%05d@example.com", i)), ptr(strings.Repeat("5", 32))
	}
	users, err := e.Service.ImportUsers(context.Background(), e.Principal(), patches)
	if err != nil {
		t.Fatalf("import %d large users: %v", n, err)
	}
	return users
}

// LargestWrite wraps h and reports the largest single Write any of its
// handlers made to a response: what a handler had gathered in memory at
// once before sending it.
func LargestWrite(h http.Handler) (http.Handler, func() int) {
	var largest atomic.Int64
	wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&writeSizer{ResponseWriter: w, largest: &largest}, r)
	})
	return wrapped, func() int { return int(largest.Load()) }
}

type writeSizer struct {
	http.ResponseWriter
	largest *atomic.Int64
}

func (s *writeSizer) Write(b []byte) (int, error) {
	for n := int64(len(b)); ; {
		old := s.largest.Load()
		if n <= old || s.largest.CompareAndSwap(old, n) {
			break
		}
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *writeSizer) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Gate is a directory.Store whose reads of users wait, when their filter or
// ids say so, until the test opens the gate: a heavy read the test holds in
// flight for as long as it likes. Everything else goes straight to the
// store.
type Gate struct {
	directory.Store
	// Service reads and writes through the gate; it hashes no passwords.
	Service *directory.Service
	// Entered receives once for each read that starts waiting.
	Entered chan struct{}
	open    chan struct{}
	once    sync.Once
}

// Held are the marks of the reads a Gate holds: ListUsers with this
// username filter, UsersByID asking for this id first.
const (
	HeldUsername = "held"
	HeldID       = 9_000_000_001
)

// NewGate returns a closed gate in front of e's store, and in Service a
// directory.Service over it. Cleanup opens it.
func NewGate(t testing.TB, e *Env) *Gate {
	g := &Gate{Store: e.Service.Store(), Entered: make(chan struct{}, 64), open: make(chan struct{})}
	g.Service = directory.NewService(g, nil)
	t.Cleanup(g.Open)
	return g
}

// Open lets every held read, and every later one, through.
func (g *Gate) Open() { g.once.Do(func() { close(g.open) }) }

func (g *Gate) wait(ctx context.Context) error {
	g.Entered <- struct{}{}
	select {
	case <-g.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ListUsers waits at the gate when f filters on HeldUsername.
func (g *Gate) ListUsers(ctx context.Context, tenantID int64, f directory.UserFilter) ([]directory.User, error) {
	if f.Username == HeldUsername {
		if err := g.wait(ctx); err != nil {
			return nil, err
		}
	}
	return g.Store.ListUsers(ctx, tenantID, f)
}

// UsersByID waits at the gate when ids starts with HeldID.
func (g *Gate) UsersByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.User, error) {
	if len(ids) > 0 && ids[0] == HeldID {
		if err := g.wait(ctx); err != nil {
			return nil, err
		}
	}
	return g.Store.UsersByID(ctx, tenantID, ids)
}

// Get sends GET target to srv with header lines ("Name: value") and returns
// the response and its whole body, which must be one the OpenAPI document
// describes.
func Get(t testing.TB, srv *httptest.Server, target string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req := newGet(t, srv, target, header)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read the body: %v", target, err)
	}
	apidoctest.Check(t, req, nil, resp.StatusCode, resp.Header, body)
	return resp, body
}

// Hold sends GET target to srv, whose store is behind g, in the background:
// target must be a read the gate holds. It returns once the read waits at
// the gate; its status arrives on done when the gate opens (0 if the
// request failed).
func (g *Gate) Hold(t testing.TB, srv *httptest.Server, target string, done chan int, header ...string) {
	t.Helper()
	req := newGet(t, srv, target, header)
	go func() {
		resp, err := srv.Client().Do(req)
		if err != nil {
			done <- 0
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	select {
	case <-g.Entered:
	case status := <-done:
		t.Fatalf("GET %s was answered %d; want it held at the gate", target, status)
	case <-time.After(10 * time.Second):
		t.Fatalf("GET %s did not reach the gate in 10 s", target)
	}
}

func newGet(t testing.TB, srv *httptest.Server, target string, header []string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range header {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Set(name, strings.TrimSpace(value))
	}
	return req
}

// Occupy counts a heavy read of items items by credential cred as in
// flight in heavy, as if one were being answered, until t ends.
func (e *Env) Occupy(t testing.TB, heavy *admission.Limiter, cred string, items int) {
	t.Helper()
	p, err := e.Authn.Authenticate(context.Background(), e.Credentials[cred])
	if err != nil {
		t.Fatalf("authenticate %s: %v", cred, err)
	}
	release, err := heavy.Admit(p, items)
	if err != nil {
		t.Fatalf("admit a heavy read of %s: %v", cred, err)
	}
	t.Cleanup(release)
}

// Drain opens the gate, checks that each of the n reads held with done
// was answered 200, and waits until heavy counts none in flight: their
// handlers have returned.
func (g *Gate) Drain(t testing.TB, done chan int, n int, heavy *admission.Limiter) {
	t.Helper()
	g.Open()
	for range n {
		if status := <-done; status != http.StatusOK {
			t.Errorf("held read: got %d, want 200 once let through", status)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); heavy.InFlight() > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d heavy reads still in flight 5 s after every answer", heavy.InFlight())
		}
	}
}

// largeProfile returns a profile with every field as long as userd lets it
// be, for the i-th large user.
func largeProfile(i int) directory.ProfilePatch {
	text := ptr(strings.Repeat("t", directory.MaxTextFieldLen))
	code := ptr(strings.Repeat("c", directory.MaxCodeLen))
	typ := ptr(strings.Repeat("y", directory.MaxContactTypeLen))
	date := ptr("2000-01-01")
	var emails, phones []directory.Contact
	for j := range directory.MaxContacts - 1 {
		local := fmt.Sprintf("%05d.%d.", i, j)
		emails = append(emails, directory.Contact{Value: local + strings.Repeat("e", 64-len(local)) + "@" + strings.Repeat("d", directory.MaxEmailLen-69) + ".com", Type: *typ})
		phones = append(phones, directory.Contact{Value: fmt.Sprintf("%032d", j), Type: *typ})
	}
	return directory.ProfilePatch{
		ExternalID: ptr(strings.Repeat("x", directory.MaxExternalIDLen)), GivenName: text, MiddleName: text, FamilyName: text,
		HonorificPrefix: text, HonorificSuffix: text, DisplayName: text, Title: text, UserType: text,
		PreferredLanguage: code, Locale: code, Timezone: code, ProfileURL: ptr(strings.Repeat("u", directory.MaxProfileURLLen)),
		EmailType: typ, PhoneType: typ, OtherEmails: &emails, OtherPhones: &phones, PostalCode: code, AddressType: typ,
		Organization: text, Division: text, Department: text, CostCenter: text, Gender: code, Birthday: date,
		IdentityType: code, IdentityNumber: ptr(strings.Repeat("n", directory.MaxIdentityNumberLen)), Area: text,
		HireDate: date, WorkPlace: text,
	}
}
