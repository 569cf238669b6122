package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestServeLimits checks the limits of a running userd serve at a value
// just under and just over each: the request body in every API that takes
// one (413 in that API's format), the request header (431), and a client
// sending its header too slowly (cut off by --read-header-timeout).
func TestServeLimits(t *testing.T) {
	const maxBody = 4096
	db := "sqlite:" + filepath.Join(t.TempDir(), "userd.db")
	s := startServer(t, db, "--max-body-bytes", fmt.Sprint(maxBody), "--read-header-timeout", "300ms", "--read-body-timeout", "300ms")
	creds := map[string]string{}
	for _, m := range credentialLine.FindAllStringSubmatch(s.stdout.String(), -1) {
		creds[m[1]] = m[2]
	}
	tokenForm := "grant_type=client_credentials&client_id=" + creds["client_id"] + "&client_secret=" + creds["client_secret"]
	formType := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	var grant struct {
		AccessToken string `json:"access_token"`
	}
	call(t, "POST", s.base+"/oauth/token", formType, tokenForm, 200, &grant)
	bearer := map[string]string{"Authorization": "Bearer " + grant.AccessToken, "Content-Type": "application/json"}
	var user struct{ ID int64 }
	call(t, "POST", s.base+"/admin/v1/users", bearer, `{"username":"ada"}`, 201, &user)

	// pad makes body exactly n bytes with what each format ignores.
	pad := func(body string, n int, filler string) string { return body + strings.Repeat(filler, n-len(body)) }
	bodies := []struct {
		name, method, path string
		header             map[string]string
		body, filler       string
		okStatus           int
		tooLarge           string // in the 413 body
	}{
		{"admin", "POST", "/admin/v1/users", bearer, `{"username":"grace"}`, " ", 201, `"status":413,"detail":"the request body is larger than 4096 bytes"`},
		{"openapiv1", "PUT", fmt.Sprintf("/openapi/v1/users/%d", user.ID), bearer, `{"phone":"5550100"}`, " ", 200, `"code":"body_too_large","message":"the request body is larger than 4096 bytes`},
		{"token", "POST", "/oauth/token", formType, tokenForm + "&pad=", "a", 200, `"error_code":"TOKEN.1002"`},
	}
	for _, b := range bodies {
		t.Run("body_"+b.name, func(t *testing.T) {
			call(t, b.method, s.base+b.path, b.header, pad(b.body, maxBody, b.filler), b.okStatus, nil)
			status, got := send(t, b.method, s.base+b.path, b.header, pad(b.body, maxBody+1, b.filler))
			if status != http.StatusRequestEntityTooLarge || !strings.Contains(got, b.tooLarge) {
				t.Errorf("body of %d bytes: got %d %s, want 413 with %s", maxBody+1, status, got, b.tooLarge)
			}
		})
	}

	t.Run("header", func(t *testing.T) {
		// Go's server reads up to MaxHeaderBytes (64 KiB) plus 4 KiB of
		// buffer slack before refusing; each request on a fresh connection,
		// as a kept-alive one has a little more buffered.
		fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		for _, tt := range []struct{ size, status int }{{64 << 10, 200}, {68<<10 + 1, 431}} {
			req, err := http.NewRequest("GET", s.base+"/healthz", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Pad", strings.Repeat("h", tt.size))
			resp, err := fresh.Do(req)
			if err != nil {
				t.Fatalf("header of %d bytes: %v", tt.size, err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("header of %d bytes: got %d, want %d", tt.size, resp.StatusCode, tt.status)
			}
		}
	})

	t.Run("slow_body", func(t *testing.T) {
		addr := strings.TrimPrefix(s.base, "http://")
		body := `{"username":"slow"}`
		request := "POST /admin/v1/users HTTP/1.1\r\nHost: userd\r\nAuthorization: Bearer " + grant.AccessToken +
			"\r\nContent-Type: application/json\r\n" + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		if _, err := conn.Write([]byte(request)); err != nil {
			t.Fatal(err)
		}
		// One byte every 100 ms would take 2 s; --read-body-timeout is 300 ms.
		go func() {
			for i := range len(body) {
				if _, err := conn.Write([]byte{body[i]}); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		line, _ := bufio.NewReader(conn).ReadString('\n')
		if strings.Contains(line, " 201 ") || time.Since(start) > 1500*time.Millisecond {
			t.Errorf("body sent byte by byte: got %q after %v; want the request ended after about 300 ms", strings.TrimSpace(line), time.Since(start))
		}
	})

	t.Run("slow_header", func(t *testing.T) {
		addr := strings.TrimPrefix(s.base, "http://")
		request := "GET /healthz HTTP/1.1\r\nHost: userd\r\nX-Slow: abcdefghij\r\n\r\n"
		// Under the 300 ms limit: the whole header in about 100 ms.
		if status, err := slowRequest(addr, request, 100*time.Millisecond/time.Duration(len(request))); err != nil || status != "HTTP/1.1 200 OK" {
			t.Errorf("header sent within the timeout: got %q, %v; want 200", status, err)
		}
		// Over it: one byte every 50 ms would take about 3 s.
		start := time.Now()
		status, err := slowRequest(addr, request, 50*time.Millisecond)
		if status == "HTTP/1.1 200 OK" || time.Since(start) > 2*time.Second {
			t.Errorf("header sent byte by byte: got %q, %v after %v; want the connection cut after about 300 ms", status, err, time.Since(start))
		}
	})
}

// TestServeRefusesAmbiguousFraming sends userd serve, over raw TCP, a
// request with both Content-Length and Transfer-Encoding: it answers 400 and
// closes the connection, so the request hidden in the body is not served.
func TestServeRefusesAmbiguousFraming(t *testing.T) {
	s := startServer(t, "sqlite:"+filepath.Join(t.TempDir(), "userd.db"))
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	smuggled := "GET /healthz HTTP/1.1\r\nHost: userd\r\n\r\n"
	request := "POST /oauth/token HTTP/1.1\r\nHost: userd\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n", len("0\r\n\r\n")+len(smuggled)) +
		"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled
	if _, err := conn.Write([]byte(request)); err != nil {
		t.Fatal(err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	answer, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("read the answer: %v (want the connection closed after it)", err)
	}
	if !strings.HasPrefix(string(answer), "HTTP/1.1 400 ") || strings.Count(string(answer), "HTTP/1.1 ") != 1 {
		t.Errorf("got %q, want one answer, 400", answer)
	}
}

// slowRequest writes request to addr one byte per gap and returns the
// status line of the answer, or the error that ended the exchange.
func slowRequest(addr, request string, gap time.Duration) (string, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	for i := range len(request) {
		if _, err := conn.Write([]byte{request[i]}); err != nil {
			return "", err
		}
		time.Sleep(gap)
	}
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return "", fmt.Errorf("no answer: %w", err)
		}
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// TestImportLineLimit checks that an import line of maxImportLine bytes
// (its newline included) is read and one byte more is refused.
func TestImportLineLimit(t *testing.T) {
	for _, tt := range []struct {
		size int
		ok   bool
	}{{maxImportLine, true}, {maxImportLine + 1, false}} {
		line := `{"username":"a","comment":"` + strings.Repeat("c", tt.size-len(`{"username":"a","comment":""}`)-1) + "\"}\n"
		var got int
		err := readJSONLines(strings.NewReader(line), func(_ int, obj []byte, _ error) error { got = len(obj); return nil })
		if (err == nil) != tt.ok || (tt.ok && got != tt.size-1) {
			t.Errorf("line of %d bytes: got %v, %d bytes read; want ok=%v", len(line), err, got, tt.ok)
		}
	}
}

// hugeCell is a CSV file generated as it is read: a header, one good row,
// then a row whose quoted cell holds size bytes, then another good row.
type hugeCell struct {
	head, tail string
	size       int
	off        int
}

func (h *hugeCell) Read(p []byte) (int, error) {
	total := len(h.head) + h.size + len(h.tail)
	if h.off >= total {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && h.off < total {
		switch {
		case h.off < len(h.head):
			p[n] = h.head[h.off]
		case h.off < len(h.head)+h.size:
			p[n] = 'x'
		default:
			p[n] = h.tail[h.off-len(h.head)-h.size]
		}
		n++
		h.off++
	}
	return n, nil
}

// TestImportCSVRecordLimit checks the 1 MiB line limit holds per CSV record:
// a record with a 64 MiB cell is refused naming its line, without reading
// the cell into memory, and the rows before it are read.
func TestImportCSVRecordLimit(t *testing.T) {
	in := &hugeCell{head: "username,comment\nada,hi\nbob,\"", size: 64 << 20, tail: "\"\ncyd,ok\n"}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var lines []int
	err := readCSV(in, func(line int, _ []byte, _ error) error { lines = append(lines, line); return nil })
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("got error %v, want one naming line 3 and the 1 MiB limit", err)
	}
	if fmt.Sprint(lines) != "[2]" {
		t.Errorf("got rows at lines %v, want the one before the huge record, line 2", lines)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("reading a 64 MiB cell allocated %d MiB, want at most 8 MiB", alloc>>20)
	}

	// A record of exactly the limit, its line ending included, is read.
	cell := maxImportLine - len("ada,\"\"\n")
	in = &hugeCell{head: "username,comment\nada,\"", size: cell, tail: "\"\n"}
	if err := readCSV(in, func(int, []byte, error) error { return nil }); err != nil {
		t.Errorf("a record of exactly %d bytes: got %v, want it read", maxImportLine, err)
	}
}
