package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/natspub"
	"github.com/userd/userd/internal/webhook"
)

// TestNATSPublishesEveryChangeOnce publishes through the real NATS at
// 127.0.0.1:4222, stops the deliverer, writes more, and starts another:
// the stream holds every change once, in order, on the tenant's subjects.
func TestNATSPublishesEveryChangeOnce(t *testing.T) {
	e := newEnv(t, engines()["sqlite"](t))
	name := fmt.Sprintf("d%d", time.Now().UnixNano())
	opts := natspub.Options{SubjectPrefix: "userdtest." + name, Stream: "USERDTEST_" + name}
	pub, err := natspub.Connect(t.Context(), nats.DefaultURL, opts)
	if err != nil {
		t.Fatalf("%v (the test needs NATS with JetStream at %s)", err, nats.DefaultURL)
	}
	defer pub.Close()
	nc, err := nats.Connect(nats.DefaultURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	defer js.DeleteStream(context.Background(), opts.Stream)

	run := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		d := New(e.svc, webhook.NewClient(webhook.Options{}), pub, fast)
		done := make(chan struct{})
		go func() { defer close(done); d.Run(ctx) }()
		return func() { cancel(); <-done }
	}
	count := func() uint64 {
		s, err := js.Stream(t.Context(), opts.Stream)
		if err != nil {
			t.Fatal(err)
		}
		info, _ := s.Info(t.Context())
		return info.State.Msgs
	}
	stop := run()
	for i := range 10 {
		e.createUser(t, fmt.Sprintf("nats%d", i))
	}
	waitFor(t, "10 messages", func() bool { return count() >= 10 })
	stop()
	for i := range 5 {
		e.createUser(t, fmt.Sprintf("later%d", i))
	}
	stop = run()
	defer stop()
	waitFor(t, "15 messages", func() bool { return count() >= 15 })
	time.Sleep(100 * time.Millisecond)

	stream, _ := js.Stream(t.Context(), opts.Stream)
	cons, err := stream.OrderedConsumer(t.Context(), jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.FetchNoWait(100)
	if err != nil {
		t.Fatal(err)
	}
	want := positions(t, e)
	i := 0
	for m := range batch.Messages() {
		var ev eventJSON
		json.Unmarshal(m.Data(), &ev)
		wantSubject := fmt.Sprintf("%s.%d.%s", opts.SubjectPrefix, e.p.TenantID, directory.EventUserCreated)
		if i >= len(want) || ev.Data.Position != want[i] || m.Subject() != wantSubject || m.Headers().Get(jetstream.MsgIDHeader) != natspub.MsgID(e.p.TenantID, want[i]) {
			t.Fatalf("message %d: position %d subject %s id %s; want position %v on %s", i, ev.Data.Position, m.Subject(), m.Headers().Get(jetstream.MsgIDHeader), want, wantSubject)
		}
		i++
	}
	if i != len(want) {
		t.Errorf("the stream holds %d messages, want %d", i, len(want))
	}
}
