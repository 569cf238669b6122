// Package metrics measures userd for Prometheus: requests by route pattern,
// method, status and dialect; refused credentials and token grants; store
// operation latency; password hashes running and waiting; database pool
// statistics; and the Go runtime and process. Everything is registered on
// one Registry owned by Metrics, never on prometheus's global one.
package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds userd's collectors and the registry they are on. Its
// methods are safe for concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	dialect      func(route string) string
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	authFailures *prometheus.CounterVec
	notAudited   prometheus.Counter
	grants       prometheus.Counter
	storeOps     *prometheus.HistogramVec
	storeErrors  *prometheus.CounterVec
	tlsFailures  prometheus.Counter

	// requestSeries holds the two series of each (pattern, method, status)
	// seen, so a request finds them with one map lookup rather than
	// formatting its status and hashing its label values twice in
	// prometheus. It is bounded as the series are: patterns are the
	// registered ones and methods a fixed set.
	seriesMu      sync.RWMutex
	requestSeries map[requestKey]requestSeries
	// opSeries is storeOps's series of each operation seen, for the same
	// reason.
	opMu     sync.RWMutex
	opSeries map[string]prometheus.Observer
}

// requestKey is what the series of a finished request depend on.
type requestKey struct {
	pattern, method string
	status          int
}

// requestSeries are the series a finished request is counted in.
type requestSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// New returns Metrics on a new registry holding the Go runtime and process
// collectors. dialect names the API a route path belongs to (the dialect
// label); it is only given paths of registered patterns.
func New(dialect func(route string) string) *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		reg:     reg,
		dialect: dialect,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "userd_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method, status and API dialect.",
		}, []string{"route", "method", "status", "dialect"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "userd_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern, method and API dialect.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "dialect"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "userd_auth_failures_total",
			Help: `Refused credentials, by where ("token_endpoint" or "bearer") and reason.`,
		}, []string{"where", "reason"}),
		notAudited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "userd_auth_failures_not_audited_total",
			Help: "Failed client authentications left out of the audit log because their tenant's budget for the minute was spent; each tenant's log records its count.",
		}),
		grants: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "userd_token_grants_total",
			Help: "Access tokens issued by the token endpoint.",
		}),
		storeOps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "userd_store_operation_duration_seconds",
			Help:    "Time of a store operation (one directory.Store method call), by operation.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"operation"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "userd_store_errors_total",
			Help: "Store operations that failed, by operation and error kind (not_found and conflict are normal answers).",
		}, []string{"operation", "kind"}),
		tlsFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "userd_tls_handshake_failures_total",
			Help: "Connections to the HTTPS port closed because the TLS handshake failed (port scans, plain-HTTP clients, TLS versions below 1.2); logged only at debug level.",
		}),
		requestSeries: map[requestKey]requestSeries{},
		opSeries:      map[string]prometheus.Observer{},
	}
	reg.MustRegister(m.requests, m.duration, m.authFailures, m.notAudited, m.grants, m.storeOps, m.storeErrors, m.tlsFailures)
	return m
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// knownMethods are the methods counted by name; any other is "OTHER", so a
// caller cannot make new series by inventing methods.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// ObserveRequest counts a finished request. Its route label is the path of
// the pattern that matched (r.Pattern, set by http.ServeMux), never the
// request's own path, so ids cannot make new series; a request no pattern
// matched is "unmatched".
func (m *Metrics) ObserveRequest(r *http.Request, status int, elapsed time.Duration) {
	method := r.Method
	if !knownMethods[method] {
		method = "OTHER"
	}
	key := requestKey{r.Pattern, method, status}
	m.seriesMu.RLock()
	s, ok := m.requestSeries[key]
	m.seriesMu.RUnlock()
	if !ok {
		s = m.newRequestSeries(key)
	}
	s.count.Inc()
	s.duration.Observe(elapsed.Seconds())
}

// newRequestSeries returns the series of requests of key, remembered for
// the next such request.
func (m *Metrics) newRequestSeries(key requestKey) requestSeries {
	route, dialect := "unmatched", "none"
	if key.pattern != "" {
		route = key.pattern
		if _, path, ok := strings.Cut(route, " "); ok {
			route = path
		}
		dialect = m.dialect(route)
	}
	s := requestSeries{
		count:    m.requests.WithLabelValues(route, key.method, strconv.Itoa(key.status), dialect),
		duration: m.duration.WithLabelValues(route, key.method, dialect),
	}
	m.seriesMu.Lock()
	m.requestSeries[key] = s
	m.seriesMu.Unlock()
	return s
}

// TokenGranted counts an access token issued; with AuthFailed it makes
// Metrics an auth.Observer.
func (m *Metrics) TokenGranted() { m.grants.Inc() }

// AuthFailed counts a refused credential.
func (m *Metrics) AuthFailed(where, reason string) {
	m.authFailures.WithLabelValues(where, reason).Inc()
}

// AuthFailureNotRecorded counts a failed authentication left out of the
// audit log.
func (m *Metrics) AuthFailureNotRecorded() { m.notAudited.Inc() }

// TLSHandshakeFailed counts a connection whose TLS handshake failed.
func (m *Metrics) TLSHandshakeFailed() { m.tlsFailures.Inc() }

// HashCounter is what a password hasher tells of its work (auth.Hasher).
type HashCounter interface {
	InFlight() int
	Queued() int
}

// WatchHasher exports h's hashes in flight and queued as gauges.
func (m *Metrics) WatchHasher(h HashCounter) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "userd_password_hashes_in_flight",
			Help: "Password hashes (argon2id) running now.",
		}, func() float64 { return float64(h.InFlight()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "userd_password_hashes_queued",
			Help: "Password hashes waiting for a free slot now; lasting values mean the hash concurrency or CPU is too small.",
		}, func() float64 { return float64(h.Queued()) }),
	)
}
