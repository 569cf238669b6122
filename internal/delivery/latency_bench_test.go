package delivery

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// BenchmarkChangeToWebhook measures how long a change takes from its
// timestamp (set just before its transaction commits) to its signed
// delivery arriving at a real HTTP receiver, with changes written at a
// steady 200/s and 1000/s by 16 writers (-benchtime is the number of
// changes). It
// reports the p50, p99 and max latencies.
//
//	go test -run '^$' -bench ChangeToWebhook -benchtime 2000x ./internal/delivery
func BenchmarkChangeToWebhook(b *testing.B) {
	for name, open := range engines() {
		for _, rate := range []int{200, 1000} {
			b.Run(fmt.Sprintf("%s/%d-per-s", name, rate), func(b *testing.B) { benchLatency(b, open(b), rate) })
		}
	}
}

func benchLatency(b *testing.B, st directory.Store, rate int) {
	svc := directory.NewService(st, plainHasher{})
	svc.SetWebhookPolicy(directory.WebhookPolicy{AllowPrivate: true})
	tn, err := svc.CreateTenant(b.Context(), "acme")
	if err != nil {
		b.Fatal(err)
	}
	p := directory.System(tn.ID)
	var mu sync.Mutex
	var lat []time.Duration
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev eventJSON
		json.Unmarshal(body, &ev)
		at, _ := time.Parse(time.RFC3339Nano, ev.Timestamp)
		mu.Lock()
		lat = append(lat, time.Since(at))
		mu.Unlock()
	}))
	defer srv.Close()
	if _, err := svc.CreateSubscription(b.Context(), p, directory.SubscriptionInput{URL: srv.URL}); err != nil {
		b.Fatal(err)
	}
	e := &env{svc: svc, p: p}
	stop := e.run(fast)
	defer stop()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	b.ResetTimer()
	began := time.Now()
	// Several writers, as an API under load has: one alone waits for each
	// commit and writes a few hundred a second at most.
	due := make(chan int)
	var writers sync.WaitGroup
	for range 16 {
		writers.Go(func() {
			for i := range due {
				name := fmt.Sprintf("bench%d", i)
				if _, err := svc.CreateUser(b.Context(), p, directory.OriginAPI, directory.UserPatch{Username: &name}); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range b.N {
		<-tick.C
		due <- i
	}
	close(due)
	writers.Wait()
	// The rate reached: writers slower than the ticker write less.
	b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "changes/s")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(lat)
		mu.Unlock()
		if n >= b.N {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d changes delivered", n, b.N)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	q := func(f float64) float64 { return float64(lat[int(f*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
	b.ReportMetric(0, "ns/op")
}
