package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestServeNATS starts userd serve with --nats-url on the real NATS at
// 127.0.0.1:4222 and checks a user created through the API arrives on the
// tenant's subject with the tenant and position as its message id.
func TestServeNATS(t *testing.T) {
	name := fmt.Sprintf("serve%d", time.Now().UnixNano())
	prefix, stream := "userdtest."+name, "USERDTEST_"+name
	nc, err := nats.Connect(nats.DefaultURL)
	if err != nil {
		t.Fatalf("%v (the test needs NATS with JetStream at %s)", err, nats.DefaultURL)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	defer js.DeleteStream(context.Background(), stream)

	s := startServer(t, "sqlite:"+filepath.Join(t.TempDir(), "userd.db"), "--nats-url", nats.DefaultURL, "--nats-subject-prefix", prefix, "--nats-stream", stream)
	_, token := s.bootstrapToken(t)
	call(t, "POST", s.base+"/admin/v1/users", map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}, `{"username":"ada"}`, 201, nil)

	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := js.Stream(t.Context(), stream)
		if err == nil {
			if msg, err := st.GetLastMsgForSubject(t.Context(), prefix+".>"); err == nil {
				if msg.Subject != prefix+".1.user.created" || msg.Header.Get(jetstream.MsgIDHeader) != "1:1" || !bytes.Contains(msg.Data, []byte(`"position":1`)) {
					t.Errorf("got %s id %s %s; want %s.1.user.created id 1:1", msg.Subject, msg.Header.Get(jetstream.MsgIDHeader), msg.Data, prefix)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message on %s.>; userd's log:\n%s", prefix, s.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeNATSUnreachable: a --nats-url nothing answers stops userd serve
// at start with the reason, rather than serving without publishing.
func TestServeNATSUnreachable(t *testing.T) {
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve", "--addr", freePort(t), "--db", "sqlite:" + filepath.Join(t.TempDir(), "userd.db"), "--nats-url", "nats://127.0.0.1:1"}, noEnv, strings.NewReader(""), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--nats-url") {
		t.Errorf("got %v, want serve to stop naming --nats-url", err)
	}
}
