// Package webhook sends userd's change events to HTTP receivers: the
// Standard Webhooks signature (https://www.standardwebhooks.com), and the
// outbound client every delivery goes through, with timeouts, a bound on
// what a receiver may answer, no redirects, no non-public addresses unless
// allowed, and a bound on the calls in flight per tenant.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Sign returns the webhook-signature value of a message: "v1," and the
// base64 HMAC-SHA256, under key, of id + "." + timestamp + "." + body.
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SetHeaders sets the three Standard Webhooks headers of a message with id
// sent at ts.
func SetHeaders(h http.Header, key []byte, id string, ts time.Time, body []byte) {
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, Sign(key, id, ts.Unix(), body))
}

// Tolerance is how far a message's timestamp may be from the receiver's
// clock for Verify to accept it, against replays.
const Tolerance = 5 * time.Minute

// Verify checks a received message as a receiver does: the timestamp is
// within Tolerance of now and one of the space-separated v1 signatures
// matches. secret is the whsec_ secret of the subscription.
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := keyOf(secret)
	if err != nil {
		return err
	}
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return errors.New("webhook: a webhook-id, webhook-timestamp or webhook-signature header is missing")
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return errors.New("webhook: webhook-timestamp is not a number of seconds")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > Tolerance || d < -Tolerance {
		return errors.New("webhook: the timestamp is too far from now (a replay?)")
	}
	want := Sign(key, id, ts, body)
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return errors.New("webhook: no signature matches")
}

// keyOf returns the HMAC key of a whsec_ secret.
func keyOf(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return nil, fmt.Errorf("webhook: the secret is not whsec_ and base64: %w", err)
	}
	return key, nil
}
