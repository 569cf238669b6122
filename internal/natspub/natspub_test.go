package natspub

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// natsURL is the real NATS server with JetStream; .ci/run makes sure it
// runs. USERD_TEST_NATS_URL overrides it.
func natsURL() string {
	if u := os.Getenv("USERD_TEST_NATS_URL"); u != "" {
		return u
	}
	return nats.DefaultURL
}

// connect returns a publisher on a stream of its own, deleted after the test.
func connect(t *testing.T) (*Publisher, Options) {
	t.Helper()
	name := fmt.Sprintf("t%d", time.Now().UnixNano())
	opts := Options{SubjectPrefix: "userdtest." + name, Stream: "USERDTEST_" + name}
	p, err := Connect(t.Context(), natsURL(), opts)
	if err != nil {
		t.Fatalf("%v (the tests need NATS with JetStream at %s)", err, natsURL())
	}
	t.Cleanup(func() {
		js, _ := jetstream.New(p.nc)
		js.DeleteStream(context.Background(), opts.Stream)
		p.Close()
	})
	return p, p.opts
}

func TestPublishInOrderWithoutDuplicates(t *testing.T) {
	p, opts := connect(t)
	ctx := t.Context()
	for pos := int64(1); pos <= 5; pos++ {
		if err := p.Publish(ctx, 7, pos, "user.updated", []byte(`{"position":`+strconv.FormatInt(pos, 10)+`}`)); err != nil {
			t.Fatal(err)
		}
	}
	// A node taking over publishes 4 and 5 again: JetStream drops them.
	for pos := int64(4); pos <= 5; pos++ {
		if err := p.Publish(ctx, 7, pos, "user.updated", []byte(`{"position":`+strconv.FormatInt(pos, 10)+`}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Publish(ctx, 8, 1, "org.created", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	info, err := p.stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 6 {
		t.Errorf("the stream holds %d messages, want 6 (5 of tenant 7, 1 of tenant 8, no duplicate)", info.State.Msgs)
	}
	cons, err := p.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{opts.SubjectPrefix + ".7.>"}})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.FetchNoWait(10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for m := range batch.Messages() {
		got = append(got, m.Headers().Get(jetstream.MsgIDHeader)+" "+m.Subject())
	}
	for i, g := range got {
		want := fmt.Sprintf("7:%d %s.7.user.updated", i+1, opts.SubjectPrefix)
		if g != want {
			t.Errorf("message %d: got %q, want %q", i, g, want)
		}
	}
	if len(got) != 5 {
		t.Errorf("tenant 7's subjects hold %d messages, want 5", len(got))
	}
	for tenant, want := range map[int64]int64{7: 5, 8: 1, 9: 0} {
		if pos, err := p.Published(ctx, tenant); err != nil || pos != want {
			t.Errorf("Published(%d): got %d, %v; want %d", tenant, pos, err, want)
		}
	}
}

func TestConnectRefusesUnreachable(t *testing.T) {
	_, err := Connect(t.Context(), "nats://127.0.0.1:1", Options{Timeout: time.Second})
	if err == nil {
		t.Fatal("Connect to a closed port succeeded")
	}
}
