package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// writeCert writes a new self-signed certificate for 127.0.0.1 with the
// given serial number to certFile and keyFile.
func writeCert(t *testing.T, certFile, keyFile string, serial int64) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "userd test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// servedSerial returns the serial number of the certificate addr serves,
// or -1 if the handshake fails.
func servedSerial(addr string) int64 {
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		return -1
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// waitSerial polls addr until it serves the certificate numbered want.
func waitSerial(t *testing.T, addr string, want int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for got := servedSerial(addr); got != want; got = servedSerial(addr) {
		if time.Now().After(deadline) {
			t.Fatalf("got certificate serial %d, want %d", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeTLSReloadsOnSIGHUP serves HTTPS with one certificate, replaces
// the files, sends SIGHUP and sees the new certificate served; a broken
// replacement keeps the previous one. Metrics are on their own plain
// listener and not on the HTTPS one.
func TestServeTLSReloadsOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeCert(t, certFile, keyFile, 1)
	addr, metricsAddr := freePort(t), freePort(t)
	// The TLS and metrics settings come from the environment, as under systemd.
	vars := map[string]string{"USERD_TLS_CERT": certFile, "USERD_TLS_KEY": keyFile, "USERD_METRICS_ADDR": metricsAddr}
	getenv := func(name string) string { return vars[name] }
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--db", "sqlite:" + filepath.Join(dir, "userd.db"), "--log-format", "json"},
			getenv, strings.NewReader(""), &syncBuffer{}, stderr)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v\nstderr:\n%s", err, stderr)
		}
	}()
	waitSerial(t, addr, 1)

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}}
	for url, want := range map[string]int{
		"https://" + addr + "/healthz":       http.StatusOK,
		"https://" + addr + "/metrics":       http.StatusNotFound,
		"http://" + metricsAddr + "/metrics": http.StatusOK,
	} {
		resp, err := client.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: got %d, want %d", url, resp.StatusCode, want)
		}
		if strings.HasPrefix(url, "https:") && resp.ProtoMajor != 2 {
			t.Errorf("GET %s: got %s, want HTTP/2", url, resp.Proto)
		}
	}

	writeCert(t, certFile, keyFile, 2)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitSerial(t, addr, 2)

	if err := os.WriteFile(certFile, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), "TLS certificate not reloaded") {
		if time.Now().After(deadline) {
			t.Fatalf("a broken certificate file logged no error; stderr:\n%s", stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := servedSerial(addr); got != 2 {
		t.Errorf("after a failed reload: got certificate serial %d, want the previous one, 2", got)
	}
}

// TestServeTLSFlagsGoTogether checks a certificate without a key (or the
// reverse) is a usage error, not a plain-HTTP server.
func TestServeTLSFlagsGoTogether(t *testing.T) {
	dir := t.TempDir()
	for _, flag := range []string{"--tls-cert", "--tls-key"} {
		t.Run(flag, func(t *testing.T) {
			err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", "sqlite:" + filepath.Join(dir, "userd.db"), flag, filepath.Join(dir, "x.pem")},
				noEnv, strings.NewReader(""), &syncBuffer{}, &syncBuffer{})
			if got := exitCode(err); err == nil || got != 2 {
				t.Errorf("got %v (exit %d), want a usage error (exit 2)", err, got)
			}
		})
	}
}

// TestServeTLSHandshakeFailuresAreCounted connects to an HTTPS node the
// way a port scan does (connect, close) and with plain HTTP: neither may
// write a warning to the log, and each is counted in
// userd_tls_handshake_failures_total. At debug level each is logged.
func TestServeTLSHandshakeFailuresAreCounted(t *testing.T) {
	for _, level := range []string{"info", "debug"} {
		t.Run(level, func(t *testing.T) {
			dir := t.TempDir()
			certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
			writeCert(t, certFile, keyFile, 1)
			addr, metricsAddr := freePort(t), freePort(t)
			ctx, cancel := context.WithCancel(context.Background())
			stderr := &syncBuffer{}
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"serve", "--addr", addr, "--db", "sqlite:" + filepath.Join(dir, "userd.db"), "--log-format", "json",
					"--log-level", level, "--tls-cert", certFile, "--tls-key", keyFile, "--metrics-addr", metricsAddr},
					noEnv, strings.NewReader(""), &syncBuffer{}, stderr)
			}()
			stop := sync.OnceFunc(func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("serve: %v\nstderr:\n%s", err, stderr)
				}
			})
			defer stop()
			waitSerial(t, addr, 1)

			const scans, plain = 5, 2
			for range scans {
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				conn.Close()
			}
			for range plain {
				resp, err := http.Get("http://" + addr + "/healthz")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("plain HTTP to the HTTPS port: got status %d, want 400", resp.StatusCode)
				}
			}

			const series = "userd_tls_handshake_failures_total"
			var got float64
			for deadline := time.Now().Add(10 * time.Second); ; {
				got = scrape(t, "http://"+metricsAddr)[series]
				if got == scans+plain || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if got != scans+plain {
				t.Errorf("got %s %v, want %d", series, got, scans+plain)
			}
			stop() // the log is complete once serve has returned
			logs := stderr.String()
			if strings.Contains(logs, `"level":"WARN"`) {
				t.Errorf("failed handshakes logged a warning:\n%s", logs)
			}
			lines := strings.Count(logs, `"msg":"TLS handshake failed"`)
			if want := map[string]int{"info": 0, "debug": scans + plain}[level]; lines != want {
				t.Errorf("got %d log lines about failed handshakes, want %d:\n%s", lines, want, logs)
			}
		})
	}
}
