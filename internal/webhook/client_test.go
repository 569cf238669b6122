package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPostBoundsWhatAReceiverDoes(t *testing.T) {
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 1<<20)) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(release)

	c := NewClient(Options{Timeout: 300 * time.Millisecond, MaxResponseBytes: 1024, AllowPrivate: true})
	tests := []struct {
		path   string
		status int
		reason string // "" for success
	}{
		{"/ok", 200, ""},
		{"/redirect", 302, "redirects are not followed"},
		{"/huge", 200, "over 1024 bytes"},
		{"/slow", 0, "Timeout"},
		{"/500", 500, "500 Internal Server Error"},
	}
	for _, tc := range tests {
		start := time.Now()
		r := c.Post(t.Context(), 1, srv.URL+tc.path, http.Header{}, []byte(`{}`))
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s: the attempt took %v, beyond its bound", tc.path, took)
		}
		if r.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, r.StatusCode, tc.status)
		}
		switch {
		case tc.reason == "" && r.Err != nil:
			t.Errorf("%s: %v, want success", tc.path, r.Err)
		case tc.reason != "" && (r.Err == nil || !strings.Contains(r.Err.Error(), tc.reason)):
			t.Errorf("%s: error %v, want one saying %q", tc.path, r.Err, tc.reason)
		}
	}
}

func TestPostRefusesNonPublicAddresses(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
	defer srv.Close()
	c := NewClient(Options{})
	// localhost resolves to loopback only at dial time: the check is the
	// dialer's, not the URL's.
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	r := c.Post(t.Context(), 1, url, http.Header{}, []byte(`{}`))
	if r.Err == nil || !strings.Contains(r.Err.Error(), "loopback") || hit {
		t.Errorf("got %v (receiver hit: %v), want the dial refused as loopback", r.Err, hit)
	}
}

// A tenant whose receiver hangs holds only its own slots: another tenant's
// deliveries go through at once.
func TestSlowTenantDoesNotSlowOthers(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer fast.Close()

	c := NewClient(Options{Timeout: 5 * time.Second, PerTenant: 2, AllowPrivate: true})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	for range 10 {
		go c.Post(ctx, 1, slow.URL, http.Header{}, nil)
	}
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if r := c.Post(t.Context(), 2, fast.URL, http.Header{}, nil); r.Err != nil {
		t.Fatal(r.Err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("tenant 2 waited %v behind tenant 1's slow receiver", took)
	}
	waitCtx, stop := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer stop()
	if r := c.Post(waitCtx, 1, fast.URL, http.Header{}, nil); r.Err == nil {
		t.Error("tenant 1 got a third call in flight past its bound of 2")
	}
}
