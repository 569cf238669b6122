package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var shownSecret = regexp.MustCompile(`<code id="secret">(whsec_[^<]+)</code>`)

// TestWebhooksPage checks the webhooks page over the Service: create shows
// the secret once, the list shows the state, disable and enable and delete
// change it, each form needs the CSRF token, and the delivery log opens.
func TestWebhooksPage(t *testing.T) {
	e := newEnv(t, false)
	b := e.browser(t)
	b.signInRoot()
	resp, body := b.get("/console/webhooks")
	wantStatus(t, "webhooks page", resp, http.StatusOK)
	if !strings.Contains(body, `id="new-webhook"`) {
		t.Fatalf("the webhooks page lacks the create form:\n%s", body)
	}

	resp, body = b.post("/console/webhooks/new", url.Values{"url": {"ftp://example.com/"}})
	wantStatus(t, "create with a bad URL", resp, http.StatusBadRequest)
	if !strings.Contains(body, `value="ftp://example.com/"`) || !strings.Contains(body, `role="alert"`) {
		t.Errorf("a refused create does not keep the URL and say why:\n%s", body)
	}

	const hook = "https://93.184.215.14/hooks/userd"
	resp, body = b.post("/console/webhooks/new", url.Values{"url": {hook}, "format": {"standard-webhooks"}, "event_type": {"user.created", "user.deleted"}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: status %d, want 201:\n%s", resp.StatusCode, body)
	}
	m := shownSecret.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the created subscription's secret is not shown:\n%s", body)
	}
	subs, _, err := e.Service.Subscriptions(t.Context(), e.Principal(), 0, 10)
	if err != nil || len(subs) != 1 || subs[0].URL != hook || strings.Join(subs[0].EventTypes, ",") != "user.created,user.deleted" {
		t.Fatalf("after create: subscriptions %+v, %v; want one to %s for user.created and user.deleted", subs, err, hook)
	}
	id := itoa(subs[0].ID)
	_, body = b.get("/console/webhooks")
	if strings.Contains(body, m[1]) || !strings.Contains(body, hook) {
		t.Errorf("the list must show the subscription and never its secret again")
	}

	resp, _ = b.post("/console/webhooks/"+id+"/disabled", url.Values{"disabled": {"on"}, "csrf": {"forged"}})
	wantStatus(t, "disable without the CSRF token", resp, http.StatusForbidden)
	resp, _ = b.post("/console/webhooks/"+id+"/disabled", url.Values{"disabled": {"on"}})
	wantStatus(t, "disable", resp, http.StatusSeeOther)
	if s, _ := e.Service.Subscription(t.Context(), e.Principal(), subs[0].ID); !s.Disabled {
		t.Errorf("after disable: the subscription is not disabled")
	}
	_, body = b.get("/console/webhooks")
	if !strings.Contains(body, "badge off") {
		t.Errorf("the list does not show the subscription disabled:\n%s", body)
	}
	resp, _ = b.post("/console/webhooks/"+id+"/disabled", url.Values{})
	wantStatus(t, "enable", resp, http.StatusSeeOther)
	if s, _ := e.Service.Subscription(t.Context(), e.Principal(), subs[0].ID); s.Disabled {
		t.Errorf("after enable: the subscription is still disabled")
	}

	resp, body = b.get("/console/webhooks/" + id)
	wantStatus(t, "delivery log", resp, http.StatusOK)
	if !strings.Contains(body, `id="deliveries"`) || !strings.Contains(body, hook) {
		t.Errorf("the delivery log page lacks the log or the subscription:\n%s", body)
	}

	resp, _ = b.post("/console/webhooks/"+id+"/delete", url.Values{})
	wantStatus(t, "delete", resp, http.StatusSeeOther)
	if subs, _, _ := e.Service.Subscriptions(t.Context(), e.Principal(), 0, 10); len(subs) != 0 {
		t.Errorf("after delete: %d subscriptions, want 0", len(subs))
	}
	resp, _ = b.get("/console/webhooks/" + id)
	wantStatus(t, "the deleted subscription's log", resp, http.StatusNotFound)
}
