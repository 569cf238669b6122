package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/userd/userd/internal/delivery"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/natspub"
	"github.com/userd/userd/internal/webhook"
)

// deliveryConfig is the settings of change delivery: webhooks, OneAccess
// callbacks and NATS (docs/api/webhooks.md).
type deliveryConfig struct {
	allowPrivate     bool
	timeout          time.Duration
	maxResponseBytes int64
	perTenant        int
	retryFor         time.Duration
	backoffMax       time.Duration
	leaseTTL         time.Duration
	natsURL          string
	natsPrefix       string
	natsStream       string
}

func (c *deliveryConfig) define(f *flag.FlagSet) {
	f.BoolVar(&c.allowPrivate, "webhook-allow-private", false, "let webhook URLs resolve to loopback, link-local and private addresses (receivers on a private network; off guards against SSRF)")
	f.DurationVar(&c.timeout, "webhook-timeout", webhook.DefaultTimeout, "time allowed for one webhook attempt: connecting, sending and reading the answer")
	f.Int64Var(&c.maxResponseBytes, "webhook-max-response-bytes", webhook.DefaultMaxResponseBytes, "largest webhook answer read, in bytes; a longer one fails the attempt")
	f.IntVar(&c.perTenant, "webhook-per-tenant", webhook.DefaultPerTenant, "most webhook calls in flight for one tenant")
	f.DurationVar(&c.retryFor, "webhook-retry-for", delivery.DefaultRetryFor, "how long an event is retried before its subscription is marked failing (its backlog is kept)")
	f.DurationVar(&c.backoffMax, "webhook-backoff-max", delivery.DefaultBackoffMax, "longest wait between two attempts of one event (it doubles from 1s, with jitter): a receiver back from an outage gets its backlog within this time")
	f.DurationVar(&c.leaseTTL, "delivery-lease", delivery.DefaultLeaseTTL, "how long the delivering node's lease lasts unrenewed: a dead node is taken over within it")
	f.StringVar(&c.natsURL, "nats-url", "", "publish every change to NATS JetStream at this `URL` (e.g. nats://127.0.0.1:4222); empty: off")
	f.StringVar(&c.natsPrefix, "nats-subject-prefix", natspub.DefaultSubjectPrefix, "NATS subjects are PREFIX.<tenant id>.<event type>")
	f.StringVar(&c.natsStream, "nats-stream", natspub.DefaultStream, "the JetStream stream holding PREFIX.>, created if missing")
}

// start sets the Service's webhook rules and starts delivering in the
// background until ctx ends or stop is called; stop returns once delivery
// has stopped.
func (c *deliveryConfig) start(ctx context.Context, logger *slog.Logger, svc *directory.Service) (stop func(), err error) {
	client := webhook.NewClient(webhook.Options{Timeout: c.timeout, MaxResponseBytes: c.maxResponseBytes, PerTenant: c.perTenant, AllowPrivate: c.allowPrivate})
	svc.SetWebhookPolicy(directory.WebhookPolicy{AllowPrivate: c.allowPrivate})
	svc.SetSubscriptionChecker(delivery.Checker{Client: client})
	var nats *natspub.Publisher
	if c.natsURL != "" {
		if nats, err = natspub.Connect(ctx, c.natsURL, natspub.Options{SubjectPrefix: c.natsPrefix, Stream: c.natsStream}); err != nil {
			return nil, err
		}
		logger.Info("publishing changes to NATS JetStream", "url", c.natsURL, "stream", c.natsStream)
	}
	d := delivery.New(svc, client, nats, delivery.Options{LeaseTTL: c.leaseTTL, RenewEvery: c.leaseTTL / 5, RetryFor: c.retryFor, BackoffMax: c.backoffMax, Logger: logger})
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx)
		if nats != nil {
			nats.Close()
		}
	}()
	return func() { cancel(); <-done }, nil
}
