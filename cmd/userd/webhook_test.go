package main

import (
	"strings"
	"testing"

	"github.com/userd/userd/internal/postgres/pgtest"
)

func TestWebhookCLI(t *testing.T) {
	for name, newDB := range pgtest.Engines() {
		t.Run(name, func(t *testing.T) {
			db := newDB(t)
			getenv := func(k string) string {
				if k == "USERD_DB" {
					return db
				}
				return ""
			}
			var migrated map[string]any
			cliJSON(t, getenv, "", &migrated, "migrate")
			var tenant struct{ ID int64 }
			cliJSON(t, getenv, "", &tenant, "tenant", "create", "--name", "acme")

			if _, err := cli(t, getenv, "", "webhook", "create", "--url", "http://127.0.0.1:9/hook"); err == nil || !strings.Contains(err.Error(), "--webhook-allow-private") {
				t.Errorf("loopback URL without --webhook-allow-private: got %v, want it refused naming the flag", err)
			}
			var created struct {
				ID         int64    `json:"id"`
				Secret     string   `json:"secret"`
				EventTypes []string `json:"event_types"`
			}
			cliJSON(t, getenv, "", &created, "webhook", "create", "--url", "http://127.0.0.1:9/hook", "--webhook-allow-private", "--events", "user.deleted,user.created")
			if created.ID == 0 || !strings.HasPrefix(created.Secret, "whsec_") || strings.Join(created.EventTypes, ",") != "user.created,user.deleted" {
				t.Errorf("webhook create: got %+v", created)
			}
			var state struct {
				Disabled bool   `json:"disabled"`
				Secret   string `json:"secret"`
			}
			cliJSON(t, getenv, "", &state, "webhook", "disable", "1")
			if !state.Disabled || state.Secret != "" {
				t.Errorf("webhook disable: got %+v, want disabled and no secret", state)
			}
			cliJSON(t, getenv, "", &state, "webhook", "enable", "1")
			if state.Disabled {
				t.Errorf("webhook enable: still disabled")
			}
			out, err := cli(t, getenv, "", "webhook", "list")
			if err != nil || !strings.Contains(out, "enabled") || !strings.Contains(out, "user.created,user.deleted") || strings.Contains(out, "whsec_") {
				t.Errorf("webhook list: %v\n%s", err, out)
			}
			if _, err := cli(t, getenv, "", "webhook", "delete", "1"); err != nil {
				t.Errorf("webhook delete: %v", err)
			}
			if _, err := cli(t, getenv, "", "webhook", "delete", "1"); err == nil || !strings.Contains(err.Error(), "no such webhook subscription") {
				t.Errorf("webhook delete again: got %v", err)
			}
			if _, err := cli(t, getenv, "", "webhook", "enable", "x"); err == nil || !strings.Contains(err.Error(), "WEBHOOK_ID") {
				t.Errorf("webhook enable x: got %v", err)
			}
		})
	}
}
