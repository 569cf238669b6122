package webhook_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/webhook"
)

// receiver example: begin
// verifyWebhook checks a userd delivery per the Standard Webhooks
// convention and returns its body. secret is the subscription's whsec_
// secret, shown once when it was created.
func verifyWebhook(secret string, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return nil, err
	}
	id := r.Header.Get("webhook-id")
	ts := r.Header.Get("webhook-timestamp")
	sent, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || math.Abs(time.Since(time.Unix(sent, 0)).Seconds()) > 300 {
		return nil, errors.New("missing or stale webhook-timestamp")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(r.Header.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return body, nil // de-duplicate on id: a retry carries the same one
		}
	}
	return nil, errors.New("no valid signature")
}

// receiver example: end

var exampleBlock = regexp.MustCompile(`(?s)// receiver example: begin\n(.*?)\n// receiver example: end`)

// TestReceiverExampleIsDocumented keeps docs/api/webhooks.md's receiver
// example the very code TestReceiverExampleVerifies runs.
func TestReceiverExampleIsDocumented(t *testing.T) {
	src, err := os.ReadFile("receiver_test.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/api/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	code := exampleBlock.FindSubmatch(src)
	if code == nil {
		t.Fatal("receiver_test.go has no receiver example block")
	}
	if !bytes.Contains(doc, code[1]) {
		t.Errorf("docs/api/webhooks.md does not hold the receiver example of receiver_test.go verbatim:\n%s", code[1])
	}
}

// TestReceiverExampleVerifies sends a signed delivery through the real
// client to a receiver running the documented example.
func TestReceiverExampleVerifies(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	got := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := verifyWebhook(secret, r)
		got <- err
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	body := []byte(`{"type":"user.created","timestamp":"2026-01-02T03:04:05.000000Z","data":{"position":1}}`)
	c := webhook.NewClient(webhook.Options{AllowPrivate: true})
	for _, tc := range []struct {
		name string
		key  []byte
		ok   bool
	}{{"signed with the secret", key, true}, {"signed with another key", []byte("another key of twenty-four"), false}} {
		h := http.Header{}
		webhook.SetHeaders(h, tc.key, "msg_1_1", time.Now(), body)
		resp := c.Post(t.Context(), 1, srv.URL, h, body)
		if err := <-got; (err == nil) != tc.ok || (resp.Err == nil) != tc.ok {
			t.Errorf("%s: the example said %v, the client %v; want accepted %v", tc.name, err, resp.Err, tc.ok)
		}
	}
}
