package delivery

import (
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/webhook"
)

func TestCheckURL(t *testing.T) {
	c := Checker{Client: webhook.NewClient(webhook.Options{AllowPrivate: true})}
	for _, enc := range []string{"", "fedcba9876543210"} {
		app := &oneAccessApp{token: "tok", signKey: "0123456789abcdef", encKey: enc}
		sub := directory.Subscription{TenantID: 1, URL: startOneAccessApp(t, app), Format: directory.FormatOneAccess,
			Secret: "0123456789abcdef", Token: "tok", EncryptionKey: directory.Secret(enc)}
		if err := c.CheckSubscription(t.Context(), sub); err != nil {
			t.Errorf("encryption key %q: %v", enc, err)
		}
		app.echoWrong = true
		if err := c.CheckSubscription(t.Context(), sub); err == nil || !strings.Contains(err.Error(), "not the random string") {
			t.Errorf("wrong echo: got %v, want it refused", err)
		}
		app.echoWrong = false
		sub.Token = "other"
		if err := c.CheckSubscription(t.Context(), sub); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("wrong token: got %v, want the app's 401", err)
		}
	}
}
