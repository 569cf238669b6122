// Package tracing sends OpenTelemetry traces of userd's requests and store
// operations to an OTLP/HTTP collector when the standard OTEL_* environment
// variables ask for it. Off, it is a nil *Tracing whose methods return what
// they are given, so the request path is exactly what it is without it.
//
// Spans carry route patterns, methods, statuses and operation names only:
// never paths, query strings, ids, emails or credentials.
package tracing

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/storewatch"
)

// Tracing makes spans and exports them. A nil *Tracing is tracing off.
type Tracing struct {
	provider   *sdktrace.TracerProvider
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
}

// New returns tracing configured by the OTEL_* variables getenv reads, or
// nil (off) unless OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_TRACES_EXPORTER=otlp is set, or if
// OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. OTEL_SERVICE_NAME
// defaults to "userd". The exporter and the SDK read the other standard
// variables (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION,
// _CERTIFICATE, OTEL_TRACES_SAMPLER and _ARG, OTEL_BSP_*,
// OTEL_RESOURCE_ATTRIBUTES) from the process environment themselves.
func New(ctx context.Context, getenv func(string) string, version string) (*Tracing, error) {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return nil, nil
	}
	traces, base := getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	switch exp := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exp {
	case "none":
		return nil, nil
	case "":
		if traces == "" && base == "" {
			return nil, nil
		}
	case "otlp":
	default:
		return nil, fmt.Errorf("OTEL_TRACES_EXPORTER=%q: userd exports traces only with otlp (or none)", exp)
	}
	protocol := getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if protocol == "" {
		protocol = getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	if protocol != "" && protocol != "http/protobuf" {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%q: userd sends traces only with http/protobuf (port 4318 on most collectors)", protocol)
	}
	var opts []otlptracehttp.Option
	switch {
	case traces != "":
		opts = append(opts, otlptracehttp.WithEndpointURL(traces))
	case base != "":
		opts = append(opts, otlptracehttp.WithEndpointURL(strings.TrimRight(base, "/")+"/v1/traces"))
	}
	exporter, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("start the OTLP trace exporter: %w (check the OTEL_EXPORTER_OTLP_* variables)", err)
	}
	name := getenv("OTEL_SERVICE_NAME")
	if name == "" {
		name = "userd"
	}
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", name), attribute.String("service.version", version)))
	if err != nil {
		return nil, fmt.Errorf("describe the traced service: %w (check OTEL_RESOURCE_ATTRIBUTES)", err)
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	return &Tracing{
		provider:   provider,
		tracer:     provider.Tracer("github.com/userd/userd"),
		propagator: propagation.TraceContext{},
	}, nil
}

// Shutdown sends the spans not yet exported and stops exporting. Call it
// once the HTTP server has stopped.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}

// Handler starts a server span for every request next serves, continuing
// the trace of an incoming W3C traceparent header. The span is named for
// the method until Observe names it for the route.
func (t *Tracing) Handler(next http.Handler) http.Handler {
	if t == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := t.propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		method := methodOf(r)
		ctx, span := t.tracer.Start(ctx, method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", method)))
		defer span.End()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Observe returns a request observer (server.Config.Observe) that calls
// next, if not nil, and completes the request's span: named
// "METHOD /route/{pattern}", with http.route and
// http.response.status_code, and an error status for 5xx answers.
func (t *Tracing) Observe(next func(*http.Request, int, time.Duration)) func(*http.Request, int, time.Duration) {
	if t == nil {
		return next
	}
	return func(r *http.Request, status int, elapsed time.Duration) {
		if next != nil {
			next(r, status, elapsed)
		}
		span := trace.SpanFromContext(r.Context())
		if !span.IsRecording() {
			return
		}
		if route := r.Pattern; route != "" {
			if _, path, ok := strings.Cut(route, " "); ok {
				route = path
			}
			span.SetName(methodOf(r) + " " + route)
			span.SetAttributes(attribute.String("http.route", route))
		}
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if status >= 500 {
			span.SetStatus(codes.Error, "")
		}
	}
}

// knownMethods are the methods named in spans; any other is "_OTHER", as
// the HTTP semantic conventions say.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

func methodOf(r *http.Request) string {
	if knownMethods[r.Method] {
		return r.Method
	}
	return "_OTHER"
}

// WatchStore returns st with a child span for every store operation but
// Close, named "store." and the Store method's name.
func (t *Tracing) WatchStore(st directory.Store) directory.Store {
	if t == nil {
		return st
	}
	return storewatch.Wrap(st, storeSpans{t.tracer})
}

// storeSpans gives each store operation a span.
type storeSpans struct{ tracer trace.Tracer }

// Begin starts the operation's span.
func (s storeSpans) Begin(ctx context.Context, op string) context.Context {
	ctx, _ = s.tracer.Start(ctx, "store."+op, trace.WithSpanKind(trace.SpanKindInternal))
	return ctx
}

// End ends it, with the failure's kind (never its message, which may name
// what was looked up) as error.type; not found and conflict are answers,
// not errors of the operation, so only the other kinds set an error status.
func (s storeSpans) End(ctx context.Context, _ string, _ time.Duration, err error) {
	span := trace.SpanFromContext(ctx)
	if err != nil {
		kind := directory.KindOf(err)
		span.SetAttributes(attribute.String("error.type", kind.String()))
		if kind == directory.Unavailable || kind == directory.Internal {
			span.SetStatus(codes.Error, kind.String())
		}
	}
	span.End()
}
