package console

import (
	"time"

	"github.com/userd/userd/internal/directory"
)

// formatTime shows a time in UTC to the second; the zero time as "".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// picker is what the "picker" template needs: the id of the input it
// fills, the URL it searches, and its label.
type picker struct{ ID, URL, Label string }

func pickerArgs(id, url, label string) picker { return picker{ID: id, URL: url, Label: label} }

// usable reports whether token t may authenticate at now.
func usable(t directory.APIToken, now time.Time) bool { return t.Usable(now) }
