package dialecttest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// pageBenchUsers is how many users BenchmarkPages seeds: enough for pages
// deep in a B-tree of realistic depth, few enough to seed in seconds.
const pageBenchUsers = 20_000

// BenchmarkPages serves the answers of 100 users that bench/ loads, one
// per op, through the real handlers, Service and store (each engine): a batch
// of 100 random ids (userinfo-batch100), a page of an email prefix that
// 1,000 users match (admin-list) and a random page by page number of
// every user (tenantv2-list). The users are bench/'s: every column a
// typical directory fills and a two-key extension. Besides the wall time
// it reports the process's CPU time per page (cpu-µs/op), which the load
// of a shared machine disturbs far less.
func BenchmarkPages(b *testing.B) { dialecttest.BenchOnEngines(b, benchPages) }

func benchPages(b *testing.B) {
	e := dialecttest.New(b)
	ids := make([]int64, 0, pageBenchUsers)
	for start := 0; start < pageBenchUsers; start += 5000 {
		patches := make([]directory.UserPatch, 0, 5000)
		for i := start; i < start+5000; i++ {
			patches = append(patches, pageBenchUser(i))
		}
		users, err := e.Service.ImportUsers(context.Background(), e.Principal(), patches)
		if err != nil {
			b.Fatal(err)
		}
		for _, u := range users {
			ids = append(ids, u.ID)
		}
	}
	h := server(e)
	r := rand.New(rand.NewPCG(1, 2))
	bearer := "Bearer " + e.Credentials["ro"]
	run := func(b *testing.B, target func() string, header func(*http.Request)) {
		b.ReportAllocs()
		w := &discard{header: http.Header{}}
		cpu := processCPU()
		for b.Loop() {
			req := httptest.NewRequest("GET", target(), nil)
			header(req)
			clear(w.header)
			w.status = 0
			h.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("GET %s: status %d", req.URL, w.status)
			}
		}
		b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	}
	b.Run("userinfo-batch100", func(b *testing.B) {
		var list strings.Builder
		seen := map[int]bool{}
		run(b, func() string {
			list.Reset()
			clear(seen)
			for len(seen) < 100 {
				j := r.IntN(len(ids))
				if seen[j] {
					continue
				}
				if len(seen) > 0 {
					list.WriteByte(',')
				}
				seen[j] = true
				list.WriteString(strconv.FormatInt(ids[j], 10))
			}
			return "/v1/api/user/info?userIds=" + list.String()
		}, func(req *http.Request) {
			req.Header.Set("x-api-token", e.Credentials["ro"])
			req.Header.Set("x-api-tenantId", strconv.FormatInt(e.Tenant.ID, 10))
		})
	})
	b.Run("admin-list", func(b *testing.B) {
		run(b, func() string {
			// A prefix of 5 of the 8 digits matches 1,000 users.
			return "/admin/v1/users?limit=100&email=" + pageBenchName(r.IntN(pageBenchUsers))[:len("user")+5]
		}, func(req *http.Request) { req.Header.Set("Authorization", bearer) })
	})
	b.Run("tenantv2-list", func(b *testing.B) {
		run(b, func() string {
			return "/api/v2/tenant/users?org_id=&limit=100&offset=" + strconv.Itoa(r.IntN(pageBenchUsers/100))
		}, func(req *http.Request) { req.Header.Set("Authorization", bearer) })
	})
}

// pageBenchUser is bench/'s i-th seeded user.
func pageBenchUser(i int) directory.UserPatch {
	name, n, grade := pageBenchName(i), strconv.Itoa(i), i%10
	str := func(s string) *string { return &s }
	return directory.UserPatch{
		Username: str(name), Name: str("User " + n), NickName: str("u" + n), Email: str(name + "@bench.example"),
		Phone: str(fmt.Sprintf("555%07d", i)), PhoneCountryCode: str("+1"), EnterpriseID: str("ent-" + strconv.Itoa(i%100)),
		Grade: &grade, EmployeeNumber: str("E" + n), City: str("Springfield"), Country: str("US"),
		Extension: map[string]any{"role_id": 2, "level_id": grade},
	}
}

func pageBenchName(i int) string { return fmt.Sprintf("user%08d", i) }

// discard is a ResponseWriter that keeps only the status, as a network
// connection costs a handler no more than its writes.
type discard struct {
	header http.Header
	status int
}

func (d *discard) Header() http.Header { return d.header }

func (d *discard) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(p), nil
}

func (d *discard) WriteHeader(status int) {
	if d.status == 0 {
		d.status = status
	}
}
