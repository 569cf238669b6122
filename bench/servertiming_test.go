package main

import (
	"testing"
	"time"
)

func TestServerTime(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"app;dur=1.250", 1250 * time.Microsecond},
		{"app;desc=\"x\";dur=12", 12 * time.Millisecond},
		{"app;dur=3, db;dur=1", 3 * time.Millisecond},
		{"", 0},
		{"app", 0},
		{"app;dur=", 0},
		{"app;dur=-1", 0},
		{"app;dur=abc", 0},
	}
	for _, tc := range tests {
		if got := serverTime(tc.header); got != tc.want {
			t.Errorf("serverTime(%q): got %s, want %s", tc.header, got, tc.want)
		}
	}
}

func FuzzServerTime(f *testing.F) {
	f.Add("app;dur=1.250")
	f.Add("a;b;dur=1e308,c")
	f.Fuzz(func(t *testing.T, h string) {
		if d := serverTime(h); d < 0 {
			t.Errorf("serverTime(%q) = %s, want no negative time", h, d)
		}
	})
}
