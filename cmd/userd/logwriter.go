package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logFlushInterval is the longest a log line waits in logWriter's buffer.
const logFlushInterval = 100 * time.Millisecond

// logWriter buffers log lines and writes them out at most every
// logFlushInterval, or sooner when 64 KiB have piled up, so a busy server
// makes one write system call per batch of access-log lines rather than one
// per request. Each Write is one whole line from slog and stays whole.
// Close writes out what is left; a crash loses at most the last interval's
// lines.
type logWriter struct {
	mu      sync.Mutex
	buf     *bufio.Writer
	closed  bool // after Close, every Write goes straight through
	stop    chan struct{}
	stopped chan struct{}
}

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), stopped: make(chan struct{})}
	go l.flushEvery(logFlushInterval)
	return l
}

// Write buffers p.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.buf.Write(p)
	if err == nil && l.closed {
		err = l.buf.Flush()
	}
	return n, err
}

func (l *logWriter) flushEvery(d time.Duration) {
	defer close(l.stopped)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.flush()
		case <-l.stop:
			return
		}
	}
}

func (l *logWriter) flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Flush()
}

// Close stops the periodic flushing and writes out the buffered lines;
// lines written after it are written at once.
func (l *logWriter) Close() error {
	close(l.stop)
	<-l.stopped
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return l.buf.Flush()
}
