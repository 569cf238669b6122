package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/userd/userd/internal/postgres/pgtest"
)

// artifactsDir is where the browser tests keep their screenshots: under
// USERD_TEST_ARTIFACTS, else artifacts/ at the repository's root (ignored
// by git).
func artifactsDir(t *testing.T, engine string) string {
	t.Helper()
	base := os.Getenv("USERD_TEST_ARTIFACTS")
	if base == "" {
		base = filepath.Join("..", "..", "artifacts")
	}
	dir := filepath.Join(base, "console", engine)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// chromium returns the path of Debian's Chromium. The browser tests fail,
// never skip, without it: .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("the console's browser tests need Chromium: apt-get install -y chromium")
	return ""
}

// browserCtx starts a fresh headless Chromium for t.
func browserCtx(t *testing.T) context.Context {
	t.Helper()
	// A profile directory of our own, removed after the browser has gone:
	// Chromium's helpers may still be writing to it when the test's own
	// temporary directory would be cleaned up.
	profile, err := os.MkdirTemp("", "userd-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	// Start the browser now, on this context: a step's shorter deadline
	// must not end the browser with the step.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// tour drives one browser through the console.
type tour struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
}

func (tr *tour) run(what string, actions ...chromedp.Action) {
	tr.t.Helper()
	ctx, cancel := context.WithTimeout(tr.ctx, 30*time.Second)
	defer cancel()
	start := time.Now()
	defer func() { tr.t.Logf("%s: %s", what, time.Since(start).Round(time.Millisecond)) }()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var page string
		_ = chromedp.Run(tr.ctx, chromedp.OuterHTML("main", &page, chromedp.ByQuery))
		tr.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		tr.t.Fatalf("%s: %v\npage main:\n%s", what, err, page)
	}
}

// shot keeps a screenshot of the whole page as name.png.
func (tr *tour) shot(name string) {
	tr.t.Helper()
	var png []byte
	if err := chromedp.Run(tr.ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		tr.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(tr.shots, name+".png"), png, 0o644); err != nil {
		tr.t.Error(err)
	}
}

// waitTrue polls a JavaScript expression until it is true.
func waitTrue(expr string) chromedp.Action {
	return chromedp.Poll(expr, nil, chromedp.WithPollingTimeout(30*time.Second))
}

// TestConsoleInBrowser drives Debian's Chromium, headless, through the
// console of a real userd serve on each engine: the first-start link, an
// import with its progress bar, search as you type, an edit that meets
// another admin's change, the org tree, an API client, a webhook
// subscription and its delivery log, sign-out, a forced
// password change and a lockout. Screenshots go to the artifacts
// directory.
func TestConsoleInBrowser(t *testing.T) {
	chromium(t)
	for name, newDB := range pgtest.Engines() {
		t.Run(name, func(t *testing.T) {
			db := newDB(t)
			s := startServer(t, db, "--signin-account-failures", "3")
			tr := &tour{t: t, ctx: browserCtx(t), base: s.base, shots: artifactsDir(t, name)}
			_, token := s.bootstrapToken(t)
			tr.firstAdmin(s)
			tr.importUsers()
			if _, err := cli(t, noEnv, "", "user", "role", "newbie", "admin", "--db", db); err != nil {
				t.Fatalf("userd user role newbie admin: %v", err)
			}
			tr.search()
			tr.editConflict(token)
			tr.orgTree(token)
			tr.createClient()
			tr.webhooks()
			tr.signOut()
			tr.forcedChange()
			tr.lockout()
		})
	}
}

func (tr *tour) firstAdmin(s *serveProc) {
	m := setupLink.FindStringSubmatch(s.stdout.String())
	if m == nil {
		tr.t.Fatalf("userd serve printed no first-start link:\n%s", s.stdout)
	}
	tr.run("open the first-start link",
		chromedp.Navigate(m[0]),
		chromedp.WaitVisible("#username", chromedp.ByQuery),
		waitTrue(`document.querySelector("#code").value.startsWith("udsetup_") && location.hash === ""`),
		chromedp.SendKeys("#username", "admin", chromedp.ByQuery),
		chromedp.SendKeys("#new-password", "first admin password", chromedp.ByQuery),
		chromedp.SendKeys("#confirm", "first admin password", chromedp.ByQuery),
	)
	tr.shot("01-setup")
	tr.run("create the first administrator",
		chromedp.Click("#setup", chromedp.ByQuery),
		chromedp.WaitVisible("#q", chromedp.ByQuery),
	)
}

// importUsers uploads a JSON Lines file large enough to go in several
// parts, with two bad lines, and waits for the progress bar to finish.
func (tr *tour) importUsers() {
	var b strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&b, `{"username":"user-%04d","email":"user-%04d@example.com","name":"User %04d","city":"Town %d"}`+"\n", i, i, i, i%7)
		if i == 500 {
			b.WriteString(`{"username":"user-0001"}` + "\n") // line 502: taken
		}
		if i == 1500 {
			b.WriteString(`{"username":"bad-email","email":"not an address"}` + "\n") // line 1503
		}
	}
	b.WriteString(`{"username":"newbie","password":"temporary password","must_change_password":true}` + "\n")
	file := filepath.Join(tr.t.TempDir(), "users.jsonl")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		tr.t.Fatal(err)
	}
	tr.run("import",
		chromedp.Navigate(tr.base+"/console/import"),
		chromedp.WaitVisible("#import-file", chromedp.ByQuery),
		chromedp.SetUploadFiles("#import-file", []string{file}, chromedp.ByQuery),
		chromedp.Click("#import-start", chromedp.ByQuery),
		waitTrue(`document.querySelector("#import-progress").value > 0`),
		waitTrue(`document.querySelector("#import-status").textContent.includes("Imported 2001 users; 2 lines failed.")`),
	)
	var progress float64
	var errs string
	tr.run("read the import's result",
		chromedp.Evaluate(`document.querySelector("#import-progress").value`, &progress),
		chromedp.Text("#import-errors", &errs, chromedp.ByQuery),
	)
	if progress != 100 || !strings.Contains(errs, "Line 502:") || !strings.Contains(errs, "Line 1503:") {
		tr.t.Errorf("import: progress %v, errors %q; want 100 and lines 502 and 1503", progress, errs)
	}
	tr.shot("02-import")
}

// search types a prefix and waits for the rows to follow, without a
// page load.
func (tr *tour) search() {
	tr.run("search as you type",
		chromedp.Navigate(tr.base+"/console/users"),
		chromedp.WaitVisible("#q", chromedp.ByQuery),
		chromedp.Evaluate(`window.samePage = true`, nil),
		chromedp.SendKeys("#q", "user-019", chromedp.ByQuery),
		waitTrue(`(() => { const t = document.querySelector("#user-rows").textContent;
			return t.includes("user-0190") && t.includes("user-0199") && !t.includes("user-0200") && !t.includes("user-0189"); })()`),
		waitTrue(`window.samePage === true && location.search === "?q=user-019"`),
	)
	tr.shot("03-users-search")
}

// editConflict edits a user while another admin (through the API) changes
// it: the save shows the conflict, and saving again applies this edit.
func (tr *tour) editConflict(token string) {
	var href string
	tr.run("find a user", chromedp.Evaluate(`document.querySelector('#user-rows a[href^="/console/users/"]').getAttribute("href")`, &href))
	tr.run("open a user",
		chromedp.Navigate(tr.base+href),
		chromedp.WaitVisible("#f-city", chromedp.ByQuery),
		chromedp.Clear("#f-city", chromedp.ByQuery),
		chromedp.SendKeys("#f-city", "Paris", chromedp.ByQuery),
	)
	status, body := send(tr.t, "PATCH", tr.base+"/admin/v1/"+strings.TrimPrefix(href, "/console/"),
		map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/merge-patch+json"}, `{"city":"Berlin"}`)
	if status != http.StatusOK {
		tr.t.Fatalf("another admin's change: %d %s", status, body)
	}
	var yours, theirs string
	tr.run("save over the other change",
		chromedp.Click("#save", chromedp.ByQuery),
		chromedp.WaitVisible("#conflict", chromedp.ByQuery),
		chromedp.Text("#yours-city", &yours, chromedp.ByQuery),
		chromedp.Value("#f-city", &theirs, chromedp.ByQuery),
	)
	if !strings.Contains(yours, "Paris") || theirs != "Berlin" {
		tr.t.Errorf("conflict: form city %q, yours %q; want Berlin in the form and Paris beside it", theirs, yours)
	}
	tr.shot("04-user-conflict")
	var city string
	tr.run("save again",
		chromedp.Clear("#f-city", chromedp.ByQuery),
		chromedp.SendKeys("#f-city", "Paris", chromedp.ByQuery),
		chromedp.Click("#save", chromedp.ByQuery),
		chromedp.WaitVisible(".notice", chromedp.ByQuery),
		chromedp.Value("#f-city", &city, chromedp.ByQuery),
	)
	if city != "Paris" {
		tr.t.Errorf("after saving again the city is %q, want Paris", city)
	}
	tr.shot("05-user")
}

// orgTree creates an org in the console and a child through the API, and
// expands the tree to show it.
func (tr *tour) orgTree(token string) {
	tr.run("create an org",
		chromedp.Navigate(tr.base+"/console/orgs"),
		chromedp.WaitVisible("#org-name", chromedp.ByQuery),
		chromedp.SendKeys("#org-name", "Engineering", chromedp.ByQuery),
		chromedp.Click("#create-org", chromedp.ByQuery),
		chromedp.WaitVisible("#save-org", chromedp.ByQuery),
	)
	var loc string
	tr.run("read the org's address", chromedp.Location(&loc))
	u, _ := url.Parse(loc)
	id := strings.TrimPrefix(u.Path, "/console/orgs/")
	for _, name := range []string{"Platform", "Web"} {
		status, body := send(tr.t, "POST", tr.base+"/admin/v1/orgs",
			map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}, `{"name":"`+name+`","parent_id":`+id+`}`)
		if status != http.StatusCreated {
			tr.t.Fatalf("create org %s: %d %s", name, status, body)
		}
	}
	tr.run("expand the tree",
		chromedp.Navigate(tr.base+"/console/orgs"),
		chromedp.WaitVisible(`button.toggle[data-children$="parent=`+id+`"]`, chromedp.ByQuery),
		chromedp.Click(`button.toggle[data-children$="parent=`+id+`"]`, chromedp.ByQuery),
		waitTrue(`document.querySelector("#org-tree").textContent.includes("Platform") && document.querySelector("#org-tree").textContent.includes("Web")`),
	)
	tr.shot("06-orgs")
}

// createClient makes an API client and checks that the secret shown once
// works.
func (tr *tour) createClient() {
	var secret, heading string
	tr.run("create a client",
		chromedp.Navigate(tr.base+"/console/clients"),
		chromedp.WaitVisible("#client-name", chromedp.ByQuery),
		chromedp.SendKeys("#client-name", "billing", chromedp.ByQuery),
		chromedp.Click(`#new-client input[value="users:read"]`, chromedp.ByQuery),
		chromedp.Click("#create-client", chromedp.ByQuery),
		chromedp.WaitVisible("#secret", chromedp.ByQuery),
		chromedp.Text("#secret", &secret, chromedp.ByQuery),
		chromedp.Text("#created h2", &heading, chromedp.ByQuery),
	)
	clientID := regexp.MustCompile(`udc_\S+`).FindString(heading)
	status, body := send(tr.t, "POST", tr.base+"/oauth/token", map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		"grant_type=client_credentials&client_id="+clientID+"&client_secret="+url.QueryEscape(secret))
	if status != http.StatusOK {
		tr.t.Errorf("the new client's secret does not work: %d %s", status, body)
	}
	tr.shot("07-clients")
}

// webhooks subscribes an endpoint, sees its secret once, disables it and
// opens its delivery log.
func (tr *tour) webhooks() {
	var secret string
	tr.run("create a webhook subscription",
		chromedp.Navigate(tr.base+"/console/webhooks"),
		chromedp.WaitVisible("#webhook-url", chromedp.ByQuery),
		chromedp.SendKeys("#webhook-url", "https://93.184.215.14/hooks/userd", chromedp.ByQuery),
		chromedp.Click(`#new-webhook input[value="user.created"]`, chromedp.ByQuery),
		chromedp.Click("#create-webhook", chromedp.ByQuery),
		chromedp.WaitVisible("#secret", chromedp.ByQuery),
		chromedp.Text("#secret", &secret, chromedp.ByQuery),
	)
	if !strings.HasPrefix(secret, "whsec_") {
		tr.t.Errorf("the new subscription's secret is %q, want a whsec_ secret", secret)
	}
	tr.shot("10-webhooks")
	tr.run("disable a subscription and open its delivery log",
		chromedp.Navigate(tr.base+"/console/webhooks"),
		chromedp.WaitVisible("#webhooks", chromedp.ByQuery),
		chromedp.Click(`#webhooks form[action$="/disabled"] button`, chromedp.ByQuery),
		chromedp.WaitVisible("#webhooks .badge.off", chromedp.ByQuery),
		chromedp.Click(`#webhooks td a`, chromedp.ByQuery),
		chromedp.WaitVisible("#deliveries", chromedp.ByQuery),
	)
}

func (tr *tour) signOut() {
	tr.run("sign out",
		chromedp.Click("#signout", chromedp.ByQuery),
		chromedp.WaitVisible("#login", chromedp.ByQuery),
		chromedp.Navigate(tr.base+"/console/users"),
		chromedp.WaitVisible("#login", chromedp.ByQuery),
	)
}

// signIn fills the sign-in form.
func (tr *tour) signIn(login, password string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Navigate(tr.base + "/console/signin"),
		chromedp.WaitVisible("#login", chromedp.ByQuery),
		chromedp.SendKeys("#login", login, chromedp.ByQuery),
		chromedp.SendKeys("#password", password, chromedp.ByQuery),
		chromedp.Click("#signin", chromedp.ByQuery),
	}
}

// forcedChange signs in as an imported user who must change the password:
// the console offers nothing else until it is changed.
func (tr *tour) forcedChange() {
	tr.run("sign in with a password to change",
		tr.signIn("newbie", "temporary password"),
		chromedp.WaitVisible("#current", chromedp.ByQuery),
		chromedp.Navigate(tr.base+"/console/users"),
		chromedp.WaitVisible("#current", chromedp.ByQuery),
		chromedp.SendKeys("#current", "temporary password", chromedp.ByQuery),
		chromedp.SendKeys("#new-password", "newbie's own password", chromedp.ByQuery),
		chromedp.SendKeys("#confirm", "newbie's own password", chromedp.ByQuery),
	)
	tr.shot("08-forced-password-change")
	tr.run("change the password",
		chromedp.Click("#change-password", chromedp.ByQuery),
		chromedp.WaitVisible("#q", chromedp.ByQuery),
	)
	tr.signOut()
}

// lockout fails to sign in until the account locks: then the right
// password fails too.
func (tr *tour) lockout() {
	for range 3 {
		tr.run("a wrong password", tr.signIn("newbie", "wrong password"), chromedp.WaitVisible(".error", chromedp.ByQuery))
	}
	var msg string
	tr.run("the right password on a locked account",
		tr.signIn("newbie", "newbie's own password"),
		chromedp.WaitVisible(".error", chromedp.ByQuery),
		chromedp.Text(".error", &msg, chromedp.ByQuery),
	)
	if !strings.Contains(msg, "Wrong username or password") {
		tr.t.Errorf("locked account: the page says %q", msg)
	}
	tr.shot("09-locked")
}
