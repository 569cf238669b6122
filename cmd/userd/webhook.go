package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/userd/userd/internal/directory"
)

func init() {
	groups["webhook"] = group{"create, list, disable, enable or delete webhook subscriptions", []string{"create", "list", "disable", "enable", "delete"}}
	helps["webhook create"] = commandHelp{
		summary: "subscribe a URL to the tenant's changes; the secret is printed only now",
		details: "--format is standard-webhooks (signed per the Standard Webhooks convention) or oneaccess (OneAccess sync callbacks; a CHECK_URL callback must succeed first). " +
			"--events is a comma-separated list of user.created, user.updated, user.deleted, org.created, org.updated, org.deleted; empty: all. " +
			"Secrets left out are generated. The URL must resolve to public addresses unless --webhook-allow-private is given (as userd serve takes it). See docs/api/webhooks.md.\n\n" + tenantRule,
		examples: []string{"userd webhook create --tenant acme --url https://hr.example.com/hooks/userd --events user.created,user.deleted"},
	}
	helps["webhook list"] = commandHelp{summary: "list the webhook subscriptions of a tenant (never a secret)", details: tenantRule,
		examples: []string{"userd webhook list --tenant acme"}}
	for _, sub := range []string{"disable", "enable", "delete"} {
		h := commandHelp{summary: sub + " a webhook subscription", args: "WEBHOOK_ID",
			details: "WEBHOOK_ID is the subscription's id, as webhook create and webhook list print it.\n\n" + tenantRule, examples: []string{"userd webhook " + sub + " --tenant acme 1"}}
		if sub == "enable" {
			h.summary = "enable a webhook subscription, also one marked failing: its kept backlog is delivered from where it stopped"
		}
		helps["webhook "+sub] = h
	}
}

// webhookJSON is a subscription as the CLI prints it; the secrets are set
// only on create.
type webhookJSON struct {
	ID            int64     `json:"id"`
	TenantID      int64     `json:"tenant_id"`
	URL           string    `json:"url"`
	Format        string    `json:"format"`
	EventTypes    []string  `json:"event_types"`
	Disabled      bool      `json:"disabled"`
	Failing       bool      `json:"failing"`
	LastError     string    `json:"last_error,omitempty"`
	Position      int64     `json:"position"`
	Secret        string    `json:"secret,omitempty"`
	Token         string    `json:"token,omitempty"`
	EncryptionKey string    `json:"encryption_key,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

func newWebhookJSON(s directory.Subscription) webhookJSON {
	types := s.EventTypes
	if types == nil {
		types = []string{}
	}
	return webhookJSON{ID: s.ID, TenantID: s.TenantID, URL: s.URL, Format: string(s.Format), EventTypes: types, Disabled: s.Disabled,
		Failing: s.Failing, LastError: s.LastError, Position: s.Position, Secret: s.Secret.Reveal(), Token: s.Token.Reveal(),
		EncryptionKey: s.EncryptionKey.Reveal(), CreatedAt: s.CreatedAt}
}

func runWebhook(ctx context.Context, args []string, getenv env, std streams) error {
	sub, args, err := subcommand("webhook", args, std)
	if err != nil {
		return err
	}
	c := newFlags("webhook "+sub, getenv, std)
	c.dbFlag()
	c.outputFlag()
	c.tenantFlag()
	if sub != "list" {
		c.syncFlag()
	}
	var in directory.SubscriptionInput
	var format, events, secret, token, encKey string
	var allowPrivate bool
	if sub == "create" {
		c.flags.StringVar(&in.URL, "url", "", "the `URL` deliveries are POSTed to")
		c.flags.StringVar(&format, "format", string(directory.FormatStandard), "`FORMAT`: standard-webhooks or oneaccess")
		c.flags.StringVar(&events, "events", "", "comma-separated event `TYPES`; empty: all")
		c.flags.StringVar(&secret, "secret", "", "the whsec_ `SECRET` (oneaccess: the 16-character signing key); generated if empty")
		c.flags.StringVar(&token, "token", "", "oneaccess: the security `TOKEN`; generated if empty")
		c.flags.StringVar(&encKey, "encryption-key", "", "oneaccess: a 16-character `KEY` that turns on AES-GCM encryption of data")
		c.flags.BoolVar(&allowPrivate, "webhook-allow-private", false, "allow a URL that resolves to loopback, private or link-local addresses")
		c.fromEnv("webhook-allow-private", "USERD_WEBHOOK_ALLOW_PRIVATE")
	}
	if err := c.parse(args); err != nil {
		return err
	}
	want := 1
	if sub == "create" || sub == "list" {
		want = 0
	}
	if err := c.args(want); err != nil {
		return err
	}
	var id int64
	if want == 1 {
		if id, err = strconv.ParseInt(c.positional[0], 10, 64); err != nil || id <= 0 {
			return usageError(fmt.Sprintf("WEBHOOK_ID must be a positive number, as webhook list shows it, not %q", c.positional[0]))
		}
	}
	st, svc, p, err := c.openTenant(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	svc.SetWebhookPolicy(directory.WebhookPolicy{AllowPrivate: allowPrivate})
	switch sub {
	case "create":
		in.Format = directory.SubscriptionFormat(format)
		if events != "" {
			in.EventTypes = strings.Split(events, ",")
		}
		in.Secret, in.Token, in.EncryptionKey = directory.Secret(secret), directory.Secret(token), directory.Secret(encKey)
		s, err := svc.CreateSubscription(ctx, p, in)
		if err != nil {
			return fmt.Errorf("create webhook: %w", err)
		}
		return c.print(std, newWebhookJSON(s), func(w io.Writer) {
			fmt.Fprintf(w, "id:     %d\nurl:    %s\nformat: %s\nsecret: %s\n", s.ID, s.URL, s.Format, s.Secret.Reveal())
			if s.Token != "" {
				fmt.Fprintf(w, "token:  %s\n", s.Token.Reveal())
			}
			if s.EncryptionKey != "" {
				fmt.Fprintf(w, "encryption key: %s\n", s.EncryptionKey.Reveal())
			}
			fmt.Fprintln(w, "\nThe secrets are shown only now; give them to the receiver.")
		})
	case "list":
		subs, err := directory.Collect(func(after int64) ([]directory.Subscription, int64, error) {
			return svc.Subscriptions(ctx, p, after, directory.MaxPageSize)
		})
		if err != nil {
			return fmt.Errorf("list webhooks: %w", err)
		}
		out := struct {
			Webhooks []webhookJSON `json:"webhooks"`
		}{Webhooks: []webhookJSON{}}
		for _, s := range subs {
			out.Webhooks = append(out.Webhooks, newWebhookJSON(s))
		}
		return c.print(std, out, func(w io.Writer) {
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tFORMAT\tSTATE\tPOSITION\tEVENTS\tURL")
			for _, s := range subs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", s.ID, s.Format, webhookState(s), s.Position, orAll(s.EventTypes), s.URL)
			}
			tw.Flush()
		})
	case "delete":
		if err := svc.DeleteSubscription(ctx, p, id); err != nil {
			return fmt.Errorf("delete webhook %d: %w", id, err)
		}
		return c.print(std, struct {
			ID      int64 `json:"id"`
			Deleted bool  `json:"deleted"`
		}{id, true}, func(w io.Writer) { fmt.Fprintf(w, "webhook %d deleted\n", id) })
	}
	disabled := sub == "disable"
	s, err := svc.UpdateSubscription(ctx, p, id, directory.SubscriptionPatch{Disabled: &disabled})
	if err != nil {
		return fmt.Errorf("%s webhook %d: %w", sub, id, err)
	}
	return c.print(std, newWebhookJSON(s), func(w io.Writer) { fmt.Fprintf(w, "webhook %d %s\n", id, webhookState(s)) })
}

func webhookState(s directory.Subscription) string {
	switch {
	case s.Disabled:
		return "disabled"
	case s.Failing:
		return "failing"
	}
	return "enabled"
}

func orAll(types []string) string {
	if len(types) == 0 {
		return "all"
	}
	return strings.Join(types, ",")
}
