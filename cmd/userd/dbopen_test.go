package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeRefusesSecondServerOnSQLiteFile runs two userd serve on one
// SQLite file: the second stops at once and says why, while admin commands
// still work beside the first, and once the first stops a new one starts.
func TestServeRefusesSecondServerOnSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "userd.db")
	db := "sqlite:" + path
	first := startServer(t, db)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stderr syncBuffer
	err := run(ctx, []string{"serve", "--addr", freePort(t), "--db", db}, noEnv, strings.NewReader(""), &syncBuffer{}, &stderr)
	if err == nil {
		t.Fatal("second userd serve on the same file: got no error, want a refusal")
	}
	for _, want := range []string{path + ".lock", fmt.Sprintf("process %d", os.Getpid()), "one userd serve per SQLite file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got error %q, want it to contain %q", err, want)
		}
	}

	if _, err := cli(t, dbEnv(db), "", "tenant", "list"); err != nil {
		t.Errorf("tenant list beside the running server: %v", err)
	}
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	startServer(t, db)
}
