// Package delivery sends each tenant's committed changes, in order, to its
// webhook subscriptions (Standard Webhooks or OneAccess callbacks) and,
// when configured, to NATS JetStream. One node of those sharing a database
// delivers at a time, under a lease another node takes over when it
// expires.
package delivery

import (
	"context"
	"fmt"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/oneaccess"
	"github.com/userd/userd/internal/webhook"
)

// Checker sends the CHECK_URL callback a OneAccess subscription must pass
// before it is saved. It is a directory.SubscriptionChecker.
type Checker struct {
	Client *webhook.Client
}

var _ directory.SubscriptionChecker = Checker{}

// CheckSubscription sends CHECK_URL with a random string as data and
// requires the application to answer code 200 echoing that string
// (decrypted, when the subscription encrypts).
func (c Checker) CheckSubscription(ctx context.Context, s directory.Subscription) error {
	if s.Format != directory.FormatOneAccess {
		return nil
	}
	echo := oneaccess.NewNonce()
	cb, err := oneaccess.New(s.Secret.Reveal(), s.EncryptionKey.Reveal(), oneaccess.NewNonce(), oneaccess.CheckURL, []byte(echo), time.Now())
	if err != nil {
		return err
	}
	body, err := jsonBody(cb)
	if err != nil {
		return err
	}
	r := c.Client.Post(ctx, s.TenantID, s.URL, oneaccess.Header(s.Token.Reveal()), body)
	if r.Err != nil {
		return r.Err
	}
	got, err := oneaccess.ParseAnswer(oneaccess.CheckURL, r.Body)
	if err != nil {
		return err
	}
	if got != echo {
		return fmt.Errorf("the application answered data %.40q, not the random string it was sent", got)
	}
	return nil
}
