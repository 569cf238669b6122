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
// HTTP, with administrator "root" of tenant acme to sign in as.
type env struct {
	*dialecttest.Env
	srv  *httptest.Server
	root directory.User
}

// rootPassword is root's password.
const rootPassword = "root password 1"

// maxFailures is how many failed sign-ins in a row lock an account here.
const maxFailures = 3

func newEnv(t *testing.T, tlsOn bool) *env {
	t.Helper()
	e := &env{Env: dialecttest.New(t)}
	e.Service.SetSignInLimits(directory.SignInLimits{MaxAccountFailures: maxFailures})
	e.root = e.consoleUser(t, "root", rootPassword, directory.RoleAdmin, false)
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

// consoleUser creates a user of tenant acme with a console role.
func (e *env) consoleUser(t *testing.T, name, password string, role directory.Role, mustChange bool) directory.User {
	t.Helper()
	ctx := context.Background()
	u, err := e.Service.CreateUser(ctx, e.Principal(), directory.OriginAdmin, directory.UserPatch{Username: &name, Password: &password, MustChangePassword: &mustChange})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Service.SetConsoleRole(ctx, e.Principal(), u.ID, role); err != nil {
		t.Fatal(err)
	}
	return u
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

// signIn signs in to tenant acme and returns the answer and its page.
func (b *browser) signIn(login, password string) (*http.Response, string) {
	b.t.Helper()
	b.get("/console/signin")
	return b.post("/console/signin", url.Values{"tenant": {"acme"}, "login": {login}, "password": {password}})
}

// signInRoot signs in as root and fails the test unless that works.
func (b *browser) signInRoot() {
	b.t.Helper()
	resp, body := b.signIn("root", rootPassword)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/users" {
		b.t.Fatalf("sign in as root: status %d to %q; page:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
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
