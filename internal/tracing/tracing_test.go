package tracing

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/userd/userd/internal/directory"
)

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// TestNew checks when the OTEL_* variables turn tracing on, and that off
// means nil: nothing installed, nothing wrapped.
func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		on      bool
		wantErr string
	}{
		{"no variables", nil, false, ""},
		{"service name alone", map[string]string{"OTEL_SERVICE_NAME": "x", "OTEL_TRACES_SAMPLER": "always_on"}, false, ""},
		{"endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true, ""},
		{"traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true, ""},
		{"exporter otlp", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true, ""},
		{"exporter none", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, false, ""},
		{"sdk disabled", map[string]string{"OTEL_SDK_DISABLED": "TRUE", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, false, ""},
		{"http/protobuf", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, true, ""},
		{"grpc", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, false, "http/protobuf"},
		{"traces grpc", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc"}, false, "http/protobuf"},
		{"zipkin", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, false, "only with otlp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			global := otel.GetTracerProvider()
			tr, err := New(context.Background(), envOf(tt.env), "v1.2.3")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got := tr != nil; got != tt.on {
				t.Fatalf("tracing on: got %v, want %v", got, tt.on)
			}
			if otel.GetTracerProvider() != global {
				t.Errorf("New installed a global TracerProvider")
			}
			if err := tr.Shutdown(context.Background()); err != nil {
				t.Errorf("shutdown: %v", err)
			}
		})
	}
}

// TestOffReturnsWhatItIsGiven checks that nil Tracing adds nothing to the
// request path: the same handler, observer and store come back.
func TestOffReturnsWhatItIsGiven(t *testing.T) {
	var tr *Tracing
	h := http.NewServeMux()
	if got := tr.Handler(h); got != http.Handler(h) {
		t.Errorf("Handler: got %v, want the handler given", got)
	}
	if got := tr.Observe(nil); got != nil {
		t.Errorf("Observe(nil): got a function, want nil")
	}
	called := false
	tr.Observe(func(*http.Request, int, time.Duration) { called = true })(nil, 200, 0)
	if !called {
		t.Errorf("Observe: the observer given was not called")
	}
	var st directory.Store
	if got := tr.WatchStore(st); got != st {
		t.Errorf("WatchStore: got %v, want the store given", got)
	}
}
