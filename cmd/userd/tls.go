package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/userd/userd/internal/server"
)

// tlsConfig is where serve finds its certificate; both empty means plain
// HTTP.
type tlsConfig struct {
	cert, key string
}

func (t *tlsConfig) define(f *flag.FlagSet) {
	f.StringVar(&t.cert, "tls-cert", "", "PEM certificate chain file; with --tls-key, serve HTTPS and reload both files on SIGHUP")
	f.StringVar(&t.key, "tls-key", "", "PEM private key file of --tls-cert")
}

// listen listens on addr, with TLS when a certificate is configured, and
// returns the listener and its base URL. The certificate files are read
// again on each SIGHUP until ctx ends; a failed reload is logged and the
// current certificate kept.
func (t tlsConfig) listen(ctx context.Context, addr string, maxConns int, logger *slog.Logger) (net.Listener, string, error) {
	if (t.cert == "") != (t.key == "") {
		return nil, "", usageError("--tls-cert and --tls-key go together: give both or neither")
	}
	var certs *certReloader
	if t.cert != "" {
		var err error
		if certs, err = loadCert(t.cert, t.key); err != nil {
			return nil, "", err
		}
	}
	ln, err := listenTCP(addr, "--addr", "USERD_ADDR")
	if err != nil {
		return nil, "", err
	}
	// The connection cap counts TCP connections, before any TLS handshake.
	ln = server.Listen(ln, maxConns)
	if certs == nil {
		return ln, "http://" + ln.Addr().String(), nil
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		certs.reloadOn(ctx, hup, logger)
	}()
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.get, NextProtos: []string{"h2", "http/1.1"}}
	return tls.NewListener(ln, cfg), "https://" + ln.Addr().String(), nil
}

// listenTCP listens on addr, which flag (or variable env) set; when it
// cannot, the error names them, so the reader knows what to change.
func listenTCP(addr, flag, env string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("%s %s: the address is in use by another program (another userd?); choose another with %s or %s, e.g. %s 127.0.0.1:8081", flag, addr, flag, env, flag)
	case err != nil:
		return nil, fmt.Errorf("%s %s: cannot listen there: %w; set another address with %s or %s", flag, addr, err, flag, env)
	}
	return ln, nil
}

// certReloader holds the serving certificate and swaps it atomically, so a
// reload never disturbs handshakes in progress.
type certReloader struct {
	certFile, keyFile string
	cert              atomic.Pointer[tls.Certificate]
}

func loadCert(certFile, keyFile string) (*certReloader, error) {
	c := &certReloader{certFile: certFile, keyFile: keyFile}
	if err := c.reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// reload reads the files again and, if they hold a valid pair, serves it.
func (c *certReloader) reload() error {
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("load --tls-cert %s and --tls-key %s: %w (check both are PEM and belong together)", c.certFile, c.keyFile, err)
	}
	c.cert.Store(&cert)
	return nil
}

func (c *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) { return c.cert.Load(), nil }

// reloadOn reloads the certificate each time sig delivers, until ctx ends.
func (c *certReloader) reloadOn(ctx context.Context, sig <-chan os.Signal, logger *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			if err := c.reload(); err != nil {
				logger.Error("TLS certificate not reloaded; still serving the previous one", "err", err)
				continue
			}
			logger.Info("TLS certificate reloaded", "cert", c.certFile)
		}
	}
}

// handshakeErrorPrefix starts the line net/http logs when a TLS handshake
// fails.
const handshakeErrorPrefix = "http: TLS handshake error from "

// serverErrorLog returns the ErrorLog of the API's http.Server. A failed
// TLS handshake, which every port scan and every plain-HTTP client of the
// HTTPS port causes, calls handshakeFailed and is logged at debug level
// only; anything else net/http reports is logged as a warning.
func serverErrorLog(logger *slog.Logger, handshakeFailed func()) *log.Logger {
	return log.New(serverErrorWriter{logger: logger, handshakeFailed: handshakeFailed}, "", 0)
}

type serverErrorWriter struct {
	logger          *slog.Logger
	handshakeFailed func()
}

// Write takes one line from net/http's server.
func (w serverErrorWriter) Write(p []byte) (int, error) {
	msg := strings.TrimSuffix(string(p), "\n")
	if rest, ok := strings.CutPrefix(msg, handshakeErrorPrefix); ok {
		w.handshakeFailed()
		remote, reason, _ := strings.Cut(rest, ": ")
		w.logger.Debug("TLS handshake failed", "remote", remote, "err", reason)
		return len(p), nil
	}
	w.logger.Warn(msg)
	return len(p), nil
}
