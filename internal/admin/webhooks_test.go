package admin_test

import (
	"net/http"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
)

func TestWebhooksGolden(t *testing.T) {
	e, h := newEnv(t)
	auth := func(cred string) string { return "Authorization: Bearer {{" + cred + "}}" }
	const asJSON, asMergePatch = "Content-Type: application/json", "Content-Type: application/merge-patch+json"
	// 93.184.216.34 is a public address given as a literal, so no DNS is
	// asked and the SSRF guard passes it.
	exchanges := []dialecttest.Exchange{
		{Name: "webhooks-create", Method: "POST", Target: "/admin/v1/webhooks", Header: []string{auth("admin"), asJSON},
			Body: `{"url":"https://93.184.216.34/hooks/userd","event_types":["user.deleted","user.created"],"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}`},
		{Name: "webhooks-create-oneaccess", Method: "POST", Target: "/admin/v1/webhooks", Header: []string{auth("admin"), asJSON},
			Body: `{"url":"https://93.184.216.34/oneaccess","format":"oneaccess","secret":"0123456789abcdef","token":"app-security-token","encryption_key":"fedcba9876543210"}`},
		{Name: "webhooks-create-private-url", Method: "POST", Target: "/admin/v1/webhooks", Header: []string{auth("admin"), asJSON},
			Body: `{"url":"http://10.0.0.7/hook"}`},
		{Name: "webhooks-create-unknown-event", Method: "POST", Target: "/admin/v1/webhooks", Header: []string{auth("admin"), asJSON},
			Body: `{"url":"https://93.184.216.34/hook","event_types":["user.renamed"]}`},
		{Name: "webhooks-create-bad-secret", Method: "POST", Target: "/admin/v1/webhooks", Header: []string{auth("admin"), asJSON},
			Body: `{"url":"https://93.184.216.34/hook","secret":"hunter2"}`},
		{Name: "webhooks-create-missing-scope", Method: "POST", Target: "/admin/v1/webhooks", Header: []string{auth("rw"), asJSON},
			Body: `{"url":"https://93.184.216.34/hook"}`},
		{Name: "webhooks-list", Method: "GET", Target: "/admin/v1/webhooks", Header: []string{auth("admin")}},
		{Name: "webhooks-get", Method: "GET", Target: "/admin/v1/webhooks/1", Header: []string{auth("admin")}},
		{Name: "webhooks-get-missing", Method: "GET", Target: "/admin/v1/webhooks/99", Header: []string{auth("admin")}},
		{Name: "webhooks-disable", Method: "PATCH", Target: "/admin/v1/webhooks/1", Header: []string{auth("admin"), asMergePatch},
			Body: `{"disabled":true,"event_types":[]}`},
		{Name: "webhooks-deliveries", Method: "GET", Target: "/admin/v1/webhooks/1/deliveries", Header: []string{auth("admin")}},
		{Name: "webhooks-delete", Method: "DELETE", Target: "/admin/v1/webhooks/2", Header: []string{auth("admin")}},
		{Name: "webhooks-delete-again", Method: "DELETE", Target: "/admin/v1/webhooks/2", Header: []string{auth("admin")}},
	}
	for _, x := range exchanges {
		t.Run(x.Name, func(t *testing.T) { e.Golden(t, h, x, *update, mask) })
	}
}

func TestWebhookSecretShownOnce(t *testing.T) {
	e, h := newEnv(t)
	created := want(t, send(t, e, h, "POST", "/admin/v1/webhooks", "admin", `{"url":"https://93.184.216.34/hook"}`), http.StatusCreated)
	if s, _ := created["secret"].(string); len(s) < 30 {
		t.Fatalf("created: secret %q, want a generated whsec_ secret", s)
	}
	got := want(t, send(t, e, h, "GET", "/admin/v1/webhooks/1", "admin", ""), http.StatusOK)
	if _, ok := got["secret"]; ok {
		t.Errorf("read back: %v holds the secret", got)
	}
}
