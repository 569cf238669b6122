package main

import "testing"

// TestStatusKB reads the anonymous resident size, not VmRSS, from a
// /proc/PID/status of a server mapping a large SQLite file: the table's
// memory column must show what the server holds, not the file's pages.
func TestStatusKB(t *testing.T) {
	status := []byte("Name:\tuserd\nVmRSS:\t 1785432 kB\nRssAnon:\t   81234 kB\nRssFile:\t 1704198 kB\nRssShmem:\t       0 kB\n")
	got, err := statusKB(status, "RssAnon")
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(81234) << 10; got != want {
		t.Errorf("RssAnon: got %d bytes, want %d", got, want)
	}
	if _, err := statusKB([]byte("Name:\tuserd\nVmRSS:\t 1 kB\n"), "RssAnon"); err == nil {
		t.Error("a status without RssAnon: got no error")
	}
	if _, err := statusKB([]byte("RssAnon:\t many kB\n"), "RssAnon"); err == nil {
		t.Error("an unreadable RssAnon: got no error")
	}
}
