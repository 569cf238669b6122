package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServePrunesChangeLog runs userd serve with a tiny retention and
// checks that the background pruning deletes old changes and the feed then
// tells a reader at the beginning to resync, while after=now still answers.
func TestServePrunesChangeLog(t *testing.T) {
	s := startServer(t, "sqlite:"+filepath.Join(t.TempDir(), "userd.db"), "--change-retention", "1ms", "--change-prune-interval", "50ms")
	_, bearer := adminSession(t, s)
	call(t, "POST", s.base+"/admin/v1/users", bearer, `{"username":"ada"}`, http.StatusCreated, nil)
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, body := send(t, "GET", s.base+"/admin/v1/changes?after=0", bearer, "")
		if status == http.StatusGone && strings.Contains(body, "#resync") {
			break
		}
		if status != http.StatusOK {
			t.Fatalf("GET /admin/v1/changes?after=0: got %d %s, want 200 until pruned, then 410", status, body)
		}
		if time.Now().After(deadline) {
			t.Fatal("the change log was never pruned")
		}
		time.Sleep(20 * time.Millisecond)
	}
	var page struct {
		NextAfter int64 `json:"next_after"`
	}
	call(t, "GET", s.base+"/admin/v1/changes?after=now", bearer, "", http.StatusOK, &page)
	if page.NextAfter != 1 {
		t.Errorf("after=now: got next_after %d, want 1", page.NextAfter)
	}
}

// TestServeRefusesBadChangeLogSettings checks the change-log settings are
// checked before serving.
func TestServeRefusesBadChangeLogSettings(t *testing.T) {
	for _, flags := range [][]string{
		{"--change-retention", "0s"},
		{"--change-prune-interval", "-1s"},
		{"--change-poll", "0s"},
	} {
		var stdout, stderr strings.Builder
		err := run(t.Context(), append([]string{"serve", "--db", "sqlite:" + filepath.Join(t.TempDir(), "u.db")}, flags...), noEnv, strings.NewReader(""), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), flags[0]) {
			t.Errorf("serve %v: got %v, want an error naming %s", flags, err, flags[0])
		}
	}
}
