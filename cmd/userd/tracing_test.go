package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver is an OTLP/HTTP collector that keeps what it is sent.
type otlpReceiver struct {
	mu     sync.Mutex
	bodies [][]byte
	spans  []*tracepb.Span
	// service is the service.name of the last batch.
	service string
}

// newOTLPReceiver starts a receiver of POST /v1/traces for the test.
func newOTLPReceiver(t *testing.T) (*otlpReceiver, string) {
	t.Helper()
	rcv := &otlpReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" {
			t.Errorf("OTLP receiver: got %s %s, want POST /v1/traces", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("OTLP receiver: read: %v", err)
			return
		}
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			t.Errorf("OTLP receiver: decode %s body: %v", r.Header.Get("Content-Type"), err)
			http.Error(w, "bad protobuf", http.StatusBadRequest)
			return
		}
		rcv.mu.Lock()
		rcv.bodies = append(rcv.bodies, body)
		for _, rs := range req.GetResourceSpans() {
			for _, a := range rs.GetResource().GetAttributes() {
				if a.GetKey() == "service.name" {
					rcv.service = a.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				rcv.spans = append(rcv.spans, ss.GetSpans()...)
			}
		}
		rcv.mu.Unlock()
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return rcv, srv.URL
}

// attr returns the span attribute key as text, or "".
func attr(s *tracepb.Span, key string) string {
	for _, a := range s.GetAttributes() {
		if a.GetKey() == key {
			v := a.GetValue()
			if v.GetStringValue() != "" {
				return v.GetStringValue()
			}
			return fmt.Sprint(v.GetIntValue())
		}
	}
	return ""
}

// TestTracing starts serve with OTEL_EXPORTER_OTLP_ENDPOINT set, reads a
// user with a W3C traceparent, and checks the receiver got the request's
// server span in the caller's trace, named by route, with a child span for
// the store read, and that no id, email or credential is in any span.
func TestTracing(t *testing.T) {
	rcv, url := newOTLPReceiver(t)
	environ := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": url, "OTEL_SERVICE_NAME": "userd-test"}
	s := startServerEnv(t, "sqlite:"+t.TempDir()+"/userd.db", func(k string) string { return environ[k] })
	creds, token := s.bootstrapToken(t)
	bearer := map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}
	var user struct {
		ID int64 `json:"id"`
	}
	call(t, "POST", s.base+"/admin/v1/users", bearer, `{"username":"ada-lovelace","email":"ada.lovelace@example.com","name":"Ada"}`, 201, &user)
	userPath := fmt.Sprintf("/admin/v1/users/%d", 4000+user.ID)
	call(t, "GET", s.base+userPath, bearer, "", 404, nil)

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	bearer["traceparent"] = "00-" + traceID + "-" + parentID + "-01"
	call(t, "GET", s.base+fmt.Sprintf("/admin/v1/users/%d?fields=secret-query", user.ID), bearer, "", 200, nil)
	if err := s.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if rcv.service != "userd-test" {
		t.Errorf("service.name: got %q, want userd-test (OTEL_SERVICE_NAME)", rcv.service)
	}
	var server *tracepb.Span
	for _, sp := range rcv.spans {
		if hex.EncodeToString(sp.GetTraceId()) == traceID && sp.GetKind() == tracepb.Span_SPAN_KIND_SERVER {
			server = sp
		}
	}
	if server == nil {
		t.Fatalf("no server span in trace %s among %d spans exported", traceID, len(rcv.spans))
	}
	for key, want := range map[string]string{"name": "GET /admin/v1/users/{id}", "parent": parentID,
		"http.request.method": "GET", "http.route": "/admin/v1/users/{id}", "http.response.status_code": "200"} {
		got := attr(server, key)
		switch key {
		case "name":
			got = server.GetName()
		case "parent":
			got = hex.EncodeToString(server.GetParentSpanId())
		}
		if got != want {
			t.Errorf("server span %s: got %q, want %q", key, got, want)
		}
	}
	var store bool
	for _, sp := range rcv.spans {
		if string(sp.GetParentSpanId()) == string(server.GetSpanId()) && sp.GetName() == "store.User" {
			store = true
		}
	}
	if !store {
		t.Errorf("the server span has no child span store.User")
	}
	var notFound bool
	for _, sp := range rcv.spans {
		if sp.GetName() == "store.User" && attr(sp, "error.type") == "not_found" {
			notFound = true
		}
	}
	if !notFound {
		t.Errorf("no store.User span has error.type not_found for the missing user")
	}

	secrets := map[string]string{"user path": userPath, "read path": fmt.Sprintf("/admin/v1/users/%d", user.ID), "query": "secret-query", "email": "ada.lovelace@example.com",
		"username": "ada-lovelace", "client id": creds["client_id"], "client secret": creds["client_secret"], "access token": token}
	for _, body := range rcv.bodies {
		for what, secret := range secrets {
			if strings.Contains(string(body), secret) {
				t.Errorf("the exported spans hold the %s %q", what, secret)
			}
		}
	}
}
