package main

import (
	"io"
	"testing"

	"github.com/userd/userd/internal/admission"
)

// TestServeHeavyReadSettings checks that the bounds on heavy reads come
// from their flags and USERD_* variables, with the documented defaults.
func TestServeHeavyReadSettings(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want admission.Limits
	}{
		{"defaults", nil, nil, admission.Limits{Total: 16000, PerPrincipal: 8000}},
		{"flags", nil, []string{"--max-heavy-read-items", "40", "--max-heavy-read-items-per-credential", "0"}, admission.Limits{Total: 40}},
		{"environment", map[string]string{"USERD_MAX_HEAVY_READ_ITEMS": "7", "USERD_MAX_HEAVY_READ_ITEMS_PER_CREDENTIAL": "2"}, nil, admission.Limits{Total: 7, PerPrincipal: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFlags("serve", func(k string) string { return tt.env[k] }, streams{stdout: io.Discard, stderr: io.Discard})
			var cfg serveConfig
			cfg.define(c)
			if err := c.parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if cfg.heavyReads != tt.want {
				t.Errorf("got %+v, want %+v", cfg.heavyReads, tt.want)
			}
		})
	}
}
