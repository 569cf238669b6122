package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/userd/userd/internal/postgres/pgtest"
)

// appendPatch is a merge patch that sets the user's extension.log to log
// with i appended: a change that only comes out right if it is applied to
// the version it was computed from.
func appendPatch(log []int, i int) string {
	b, _ := json.Marshal(map[string]any{"extension": map[string]any{"log": append(slices.Clone(log), i)}})
	return string(b)
}

// logOf reads extension.log of a user. It may run outside the test's
// goroutine, so it reports a bad log without stopping the test.
func logOf(t *testing.T, u user) []int {
	t.Helper()
	raw, _ := json.Marshal(u.Extension["log"])
	var log []int
	if err := json.Unmarshal(raw, &log); err != nil {
		t.Errorf("extension.log of user %d: %v", u.ID, err)
	}
	return log
}

// TestIfMatchConcurrency: 50 clients PATCH one user with If-Match. For each
// version exactly one wins and the others get 412, and the stored user is
// the winners' changes applied in order, so no update is lost.
func TestIfMatchConcurrency(t *testing.T) {
	const clients = 50
	for name, newDB := range pgtest.Engines() {
		t.Run(name, func(t *testing.T) {
			p := start(t, newDB(t))
			c := newClient(p.base, p.token(t))
			target := c.createUsers(t, "target", 1)[0]
			path := fmt.Sprintf("/admin/v1/users/%d", target.ID)

			// Round one: everybody sends the same If-Match at once.
			var (
				mu      sync.Mutex
				wins    = map[int64]int{} // version produced -> client
				refused int
				start   = make(chan struct{})
				wg      sync.WaitGroup
			)
			for i := range clients {
				wg.Go(func() {
					<-start
					r, err := c.do("PATCH", path, appendPatch(nil, i), "If-Match", fmt.Sprintf(`"%d"`, target.Version))
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err != nil:
						t.Errorf("client %d: %v", i, err)
					case r.status == http.StatusPreconditionFailed:
						refused++
					case r.status == http.StatusOK:
						var u user
						if err := json.Unmarshal(r.body, &u); err != nil {
							t.Errorf("client %d: decode %s: %v", i, r.body, err)
						}
						wins[u.Version] = i
					default:
						t.Errorf("client %d: got status %d (%s), want 200 or 412", i, r.status, r.body)
					}
				})
			}
			close(start)
			wg.Wait()
			if len(wins) != 1 || refused != clients-1 {
				t.Fatalf("one shared If-Match: got %d winners and %d refusals, want 1 and %d", len(wins), refused, clients-1)
			}

			// Round two: each client reads, patches with If-Match and tries
			// again on 412 until its change is in.
			for i := range clients {
				wg.Go(func() {
					for attempt := 0; attempt < 10*clients; attempt++ {
						u, err := c.do("GET", path, "")
						if err != nil || u.status != http.StatusOK {
							t.Errorf("client %d: read: %v %d", i, err, u.status)
							return
						}
						var cur user
						if err := json.Unmarshal(u.body, &cur); err != nil {
							t.Errorf("client %d: decode: %v", i, err)
							return
						}
						r, err := c.do("PATCH", path, appendPatch(logOf(t, cur), i), "If-Match", u.header.Get("ETag"))
						switch {
						case err != nil:
							t.Errorf("client %d: %v", i, err)
							return
						case r.status == http.StatusPreconditionFailed:
							continue
						case r.status != http.StatusOK:
							t.Errorf("client %d: got status %d (%s), want 200 or 412", i, r.status, r.body)
							return
						}
						var won user
						if err := json.Unmarshal(r.body, &won); err != nil {
							t.Errorf("client %d: decode %s: %v", i, r.body, err)
							return
						}
						mu.Lock()
						defer mu.Unlock()
						if prev, dup := wins[won.Version]; dup {
							t.Errorf("version %d: won by clients %d and %d", won.Version, prev, i)
						}
						if won.Version != cur.Version+1 {
							t.Errorf("client %d: patch of version %d made version %d, want %d", i, cur.Version, won.Version, cur.Version+1)
						}
						wins[won.Version] = i
						return
					}
					t.Errorf("client %d: no win in %d attempts", i, 10*clients)
				})
			}
			wg.Wait()

			versions := make([]int64, 0, len(wins))
			for v := range wins {
				versions = append(versions, v)
			}
			sort.Slice(versions, func(a, b int) bool { return versions[a] < versions[b] })
			var want []int
			for _, v := range versions {
				want = append(want, wins[v])
			}
			final := c.getUser(t, target.ID)
			if got := logOf(t, final); !slices.Equal(got, want) {
				t.Errorf("extension.log: got %v, want the winners in version order %v", got, want)
			}
			if wantVersion := target.Version + int64(len(wins)); final.Version != wantVersion || len(wins) != clients+1 {
				t.Errorf("final version: got %d after %d wins, want %d after %d", final.Version, len(wins), wantVersion, clients+1)
			}

			// Round three: the same crowd without If-Match. Each change is
			// applied or, after losing the race too often, refused with 409;
			// never 412, as no precondition was sent.
			var applied int64
			for i := range clients {
				wg.Go(func() {
					r, err := c.do("PATCH", path, fmt.Sprintf(`{"name":"client %d"}`, i))
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err != nil:
						t.Errorf("client %d: %v", i, err)
					case r.status == http.StatusOK:
						applied++
					case r.status != http.StatusConflict:
						t.Errorf("client %d without If-Match: got status %d (%s), want 200 or 409", i, r.status, r.body)
					}
				})
			}
			wg.Wait()
			if got := c.getUser(t, target.ID).Version; got != final.Version+applied {
				t.Errorf("after %d PATCHes without If-Match applied: version %d, want %d", applied, got, final.Version+applied)
			}
			c.checkAudit(t, []user{target})
		})
	}
}
