package console_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/userd/userd/internal/console"
	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// env is a console over a real Service on a fresh store, served over real
// HTTP, and a token holding every scope of tenant acme to sign in with.
type env struct {
	*dialecttest.Env
	srv   *httptest.Server
	admin string
}

func newEnv(t *testing.T, tlsOn bool) *env {
	t.Helper()
	e := &env{Env: dialecttest.New(t)}
	_, secret, err := e.Service.CreateAPIToken(context.Background(), e.Principal(), "console", directory.AllScopes, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.admin = secret.Reveal()
	h := console.New(e.Deps())
	mux := http.NewServeMux()
	mux.Handle("GET /console/", h)
	mux.Handle("POST /console/", h)
	if tlsOn {
		e.srv = httptest.NewTLSServer(mux)
	} else {
		e.srv = httptest.NewServer(mux)
	}
	t.Cleanup(e.srv.Close)
	return e
}

// browser is a cookie-keeping client that does not follow redirects, so
// each answer can be checked.
type browser struct {
	t    *testing.T
	e    *env
	c    *http.Client
	jar  http.CookieJar
	csrf string
}

func (e *env) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	c := *e.srv.Client() // a copy: each browser keeps its own cookies
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, e: e, c: &c, jar: jar}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.e.srv.URL+path, nil)
	return b.do(req)
}

// post sends form with the page's CSRF token unless form sets its own.
func (b *browser) post(path string, form url.Values, header ...string) (*http.Response, string) {
	b.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest("POST", b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

func (b *browser) signIn(credential string) *http.Response {
	b.t.Helper()
	b.get("/console/signin")
	resp, _ := b.post("/console/signin", url.Values{"token": {credential}})
	return resp
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.e.srv.URL + "/console/")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func wantStatus(t *testing.T, what string, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: got status %d, want %d", what, resp.StatusCode, want)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

var (
	inputValue    = regexp.MustCompile(`<input id="[^"]*" name="([^"]+)"(?: type="(?:text|email|tel|number)")? value="([^"]*)"`)
	hiddenValue   = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	textareaValue = regexp.MustCompile(`(?s)<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>`)
	checkedBox    = regexp.MustCompile(`<input id="[^"]*" name="([^"]+)" type="checkbox" checked>`)
	formStart     = regexp.MustCompile(`(?s)<form method="post" action="/console/users/\d+" id="user-form">(.*?)</form>`)
)

// formOf returns the user page's main form as the browser would submit it.
func formOf(t *testing.T, page string) url.Values {
	t.Helper()
	m := formStart.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no user form on the page:\n%s", page)
	}
	v := userForm(t, m[1])
	for _, h := range hiddenValue.FindAllStringSubmatch(m[1], -1) {
		v.Set(h[1], htmlUnescape(h[2]))
	}
	return v
}

func htmlUnescape(s string) string { return html.UnescapeString(s) }
