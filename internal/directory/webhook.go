package directory

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
)

// SubscriptionFormat is the wire format a subscription's deliveries use.
type SubscriptionFormat string

// The formats userd delivers in.
const (
	// FormatStandard signs each delivery per the Standard Webhooks
	// convention (webhook-id, webhook-timestamp, webhook-signature).
	FormatStandard SubscriptionFormat = "standard-webhooks"
	// FormatOneAccess sends OneAccess sync callbacks (a bearer security
	// token, a signed {nonce, timestamp, eventType, data, signature} body),
	// so applications written for OneAccess can follow userd unchanged.
	FormatOneAccess SubscriptionFormat = "oneaccess"
)

// The change event types a subscription may select. An empty selection
// means all of them.
const (
	EventUserCreated = "user.created"
	EventUserUpdated = "user.updated"
	EventUserDeleted = "user.deleted"
	EventOrgCreated  = "org.created"
	EventOrgUpdated  = "org.updated"
	EventOrgDeleted  = "org.deleted"
)

// EventTypes lists every change event type in canonical order.
var EventTypes = []string{EventUserCreated, EventUserUpdated, EventUserDeleted, EventOrgCreated, EventOrgUpdated, EventOrgDeleted}

// Limits of subscriptions and what is stored about their deliveries.
const (
	// MaxSubscriptions bounds the webhook subscriptions of one tenant.
	MaxSubscriptions = 20
	// MaxSubscriptionURLLen bounds a subscription URL, in bytes.
	MaxSubscriptionURLLen = 2048
	// MaxDeliveryLog is how many delivery log entries a store keeps per
	// subscription; older ones are pruned as new ones are written.
	MaxDeliveryLog = 1000
	// MaxDeliveryError bounds the stored reason of a failed attempt, in
	// bytes.
	MaxDeliveryError = 500
	// OneAccessKeyLen is the length of a OneAccess signing or encryption
	// key, in characters (bytes: the keys are ASCII).
	OneAccessKeyLen = 16
)

// StandardSecretPrefix starts a Standard Webhooks signing secret; the rest
// is the base64 of 24 to 64 random bytes, the HMAC key.
const StandardSecretPrefix = "whsec_"

// Subscription is a tenant's order to have its change events delivered to
// an HTTP endpoint.
type Subscription struct {
	ID       int64
	TenantID int64
	URL      string
	Format   SubscriptionFormat
	// EventTypes selects the events delivered; empty means all.
	EventTypes []string
	// Secret signs deliveries: a whsec_ secret (FormatStandard) or the
	// 16-character signing key (FormatOneAccess). Shown once, when the
	// subscription is created; stored, because every delivery is signed
	// with it.
	Secret Secret
	// Token is the OneAccess security token sent as Authorization: Bearer.
	Token Secret
	// EncryptionKey, when set, AES-GCM-encrypts the data of OneAccess
	// callbacks (16 characters).
	EncryptionKey Secret
	// Disabled subscriptions get no deliveries; their backlog waits.
	Disabled bool
	// Failing is set when deliveries kept failing for the retry period.
	// Deliveries stop, the backlog is kept, and re-enabling resumes them.
	Failing bool
	// LastError is the reason of the last failed attempt ("" after a
	// success).
	LastError string
	// Position is the change position delivered last: deliveries resume
	// after it.
	Position  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Wants reports whether the subscription selects events of type eventType.
func (s *Subscription) Wants(eventType string) bool {
	return len(s.EventTypes) == 0 || slices.Contains(s.EventTypes, eventType)
}

// DeliveryStatus is the outcome of one delivery.
type DeliveryStatus string

// The outcomes of a delivery.
const (
	// Delivered: the receiver answered 2xx (and, for OneAccess, code 200).
	Delivered DeliveryStatus = "delivered"
	// Failed: every attempt within the retry period failed; the
	// subscription was marked failing.
	Failed DeliveryStatus = "failed"
)

// Delivery is one entry of a subscription's delivery log: a change event
// and how sending it went.
type Delivery struct {
	ID             int64
	TenantID       int64
	SubscriptionID int64
	// MessageID is the webhook-id (or OneAccess nonce) of the event, the
	// same on every attempt.
	MessageID string
	// Position is the change position of the event.
	Position  int64
	EventType string
	Status    DeliveryStatus
	// StatusCode is the receiver's HTTP status of the last attempt (0: no
	// answer).
	StatusCode int
	Attempts   int
	// Latency is how long the last attempt took.
	Latency time.Duration
	// Error is the reason the last attempt failed ("" when delivered).
	Error string
	Time  time.Time
}

// RemoteID is the id an application gave an object in its answer to a
// OneAccess create callback; userd sends it back on later updates and
// deletes of that object.
type RemoteID struct {
	ObjectType string // "user" or "org"
	ObjectID   int64
	ID         string
}

// WebhookStore persists webhook subscriptions, their delivery logs, the ids
// applications gave objects, and the lease that lets one node deliver at a
// time. It is part of Store.
type WebhookStore interface {
	// CreateSubscription inserts s and returns it with its id.
	CreateSubscription(ctx context.Context, s Subscription, ev Event) (Subscription, error)
	Subscription(ctx context.Context, tenantID, id int64) (Subscription, error)
	// Subscriptions returns up to limit subscriptions of tenantID with
	// id > afterID, by id.
	Subscriptions(ctx context.Context, tenantID, afterID int64, limit int) ([]Subscription, error)
	CountSubscriptions(ctx context.Context, tenantID int64) (int, error)
	// UpdateSubscription stores URL, EventTypes, Disabled, Failing,
	// LastError and UpdatedAt of s (never its secrets or Position).
	UpdateSubscription(ctx context.Context, s Subscription, ev Event) (Subscription, error)
	// DeleteSubscription removes a subscription, its delivery log and its
	// remote ids.
	DeleteSubscription(ctx context.Context, tenantID, id int64, ev Event) error
	// ActiveSubscriptions returns the subscriptions of every tenant that
	// are neither disabled nor failing, by id.
	ActiveSubscriptions(ctx context.Context) ([]Subscription, error)
	// RecordDeliveries appends ds, outcomes of one subscription's events
	// in order, to its log (keeping the last MaxDeliveryLog entries) and,
	// in the same transaction, for each: when Status is Delivered, moves
	// the subscription's Position up to its Position (never down), clears
	// LastError and stores remotes[i] (if its ID is set); when Failed,
	// marks the subscription failing with its Error. It returns NotFound
	// if the subscription is gone. remotes is nil or as long as ds.
	RecordDeliveries(ctx context.Context, ds []Delivery, remotes []RemoteID) error
	// Deliveries returns up to limit log entries of the subscription with
	// id > afterID, oldest first.
	Deliveries(ctx context.Context, tenantID, subscriptionID, afterID int64, limit int) ([]Delivery, error)
	// RemoteID returns the id the subscription's application gave an
	// object, or "" if it gave none.
	RemoteID(ctx context.Context, tenantID, subscriptionID int64, objectType string, objectID int64) (string, error)
	// AcquireLease takes or renews the lease called name for holder until
	// now+ttl. It succeeds when nobody holds it, holder already does, or
	// the holder's lease expired before now; otherwise it returns false.
	AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
}

// WebhookPolicy is the operator's rule on where subscriptions may point.
type WebhookPolicy struct {
	// AllowPrivate lets subscription URLs resolve to loopback, link-local,
	// private and other non-public addresses (userd serve
	// --webhook-allow-private). Off, such URLs are refused when saved and
	// such addresses are never dialled. Tests that deliver to an httptest
	// server on 127.0.0.1 turn it on.
	AllowPrivate bool
	// Resolve looks up a host's addresses; nil uses net.DefaultResolver.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
}

// SubscriptionChecker proves a subscription's endpoint works before it is
// saved: for OneAccess, the CHECK_URL callback must echo its random string.
type SubscriptionChecker interface {
	CheckSubscription(ctx context.Context, s Subscription) error
}

// SetWebhookPolicy sets where subscriptions may point. A Service starts
// refusing non-public addresses.
func (s *Service) SetWebhookPolicy(p WebhookPolicy) { s.webhooks = p }

// SetSubscriptionChecker makes the Service check each OneAccess
// subscription with c before it is saved (CHECK_URL). Without one,
// subscriptions are saved unchecked.
func (s *Service) SetSubscriptionChecker(c SubscriptionChecker) { s.checker = c }

var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/128"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("ff00::/8"),
}

// PublicAddr reports whether a is a public unicast address a webhook may be
// sent to: not loopback, link-local, private, shared (CGNAT), multicast,
// reserved or documentation space. IPv4-mapped IPv6 addresses are judged as
// the IPv4 address they carry. The delivery client checks every address it
// dials with it too, so a name that resolves differently later (DNS
// rebinding) cannot reach a private address.
func PublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// CheckSubscriptionURL parses raw and refuses it unless it is an absolute
// http or https URL without credentials or fragment whose host resolves
// only to addresses the policy allows. Create and update of a
// subscription apply it.
func (s *Service) CheckSubscriptionURL(ctx context.Context, raw string) error {
	const field = "url"
	if raw == "" {
		return Errorf(Invalid, field, "is required: the https URL deliveries are POSTed to")
	}
	if len(raw) > MaxSubscriptionURLLen {
		return Errorf(Invalid, field, "is %d bytes; the most allowed is %d", len(raw), MaxSubscriptionURLLen)
	}
	if err := CheckText(field, raw); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return Errorf(Invalid, field, "must be an absolute http or https URL, e.g. https://app.example.com/hooks/userd")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return Errorf(Invalid, field, "scheme %q is not allowed; use https (or http)", u.Scheme)
	}
	if u.User != nil {
		return Errorf(Invalid, field, "must not hold a user name or password; the deliveries are signed instead")
	}
	if u.Fragment != "" || strings.HasSuffix(raw, "#") {
		return Errorf(Invalid, field, "must not have a #fragment")
	}
	if s.webhooks.AllowPrivate {
		return nil
	}
	host := u.Hostname()
	addrs, err := s.resolve(ctx, host)
	if err != nil {
		return Errorf(Invalid, field, "host %q does not resolve: %v", host, err)
	}
	for _, a := range addrs {
		if !PublicAddr(a) {
			return Errorf(Invalid, field, "host %q resolves to %s, a loopback, link-local, private or reserved address; userd does not send webhooks there unless the operator allows it (userd serve --webhook-allow-private)", host, a.Unmap())
		}
	}
	return nil
}

func (s *Service) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{a}, nil
	}
	if s.webhooks.Resolve != nil {
		return s.webhooks.Resolve(ctx, host)
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, Errorf(Invalid, "url", "no addresses")
	}
	return ips, nil
}

// checkEventTypes returns types in canonical order without duplicates, or
// an Invalid error naming an unknown one.
func checkEventTypes(types []string) ([]string, error) {
	for _, t := range types {
		if !slices.Contains(EventTypes, t) {
			return nil, Errorf(Invalid, "event_types", "unknown event type %q; known types are %s (none: all of them)", t, strings.Join(EventTypes, ", "))
		}
	}
	var out []string
	for _, t := range EventTypes {
		if slices.Contains(types, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// checkStandardSecret accepts a whsec_ secret whose key is 24 to 64 bytes.
func checkStandardSecret(secret string) error {
	key, ok := strings.CutPrefix(secret, StandardSecretPrefix)
	if !ok {
		return Errorf(Invalid, "secret", "must start with %q followed by the base64 of 24 to 64 random bytes; leave it out to have one generated", StandardSecretPrefix)
	}
	b, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(b) < 24 || len(b) > 64 {
		return Errorf(Invalid, "secret", "must be %q followed by the base64 (standard alphabet, padded) of 24 to 64 random bytes; leave it out to have one generated", StandardSecretPrefix)
	}
	return nil
}

// checkOneAccessKey accepts a key of exactly 16 printable ASCII characters.
func checkOneAccessKey(field, key string) error {
	if len(key) != OneAccessKeyLen {
		return Errorf(Invalid, field, "must be exactly %d characters; leave it out to have one generated", OneAccessKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return Errorf(Invalid, field, "must be printable ASCII without spaces")
		}
	}
	return nil
}

// StandardSecretKey returns the HMAC key of a whsec_ secret.
func StandardSecretKey(secret Secret) ([]byte, error) {
	key, _ := strings.CutPrefix(secret.Reveal(), StandardSecretPrefix)
	return base64.StdEncoding.DecodeString(key)
}

// newOneAccessKey returns 16 random characters of the base64url alphabet.
func newOneAccessKey() Secret { return Secret(randomString(12)) }

// SubscriptionInput is what a caller gives to create a subscription. Left
// out secrets are generated.
type SubscriptionInput struct {
	URL        string
	Format     SubscriptionFormat
	EventTypes []string
	// Secret is the whsec_ secret (FormatStandard) or signing key
	// (FormatOneAccess).
	Secret Secret
	// Token is the OneAccess security token.
	Token Secret
	// EncryptionKey turns on OneAccess data encryption.
	EncryptionKey Secret
}

// SubscriptionPatch changes a subscription; nil fields stay.
type SubscriptionPatch struct {
	URL        *string
	EventTypes *[]string
	// Disabled false re-enables a disabled or failing subscription: its
	// backlog is delivered from where it stopped.
	Disabled *bool
}

// CreateSubscription saves a webhook subscription in the principal's
// tenant. It returns the subscription with its secrets, shown this once
// (later reads leave them out). A OneAccess subscription is checked first
// with a CHECK_URL callback.
func (s *Service) CreateSubscription(ctx context.Context, p Principal, in SubscriptionInput) (Subscription, error) {
	if err := p.require(ScopeAdmin); err != nil {
		return Subscription{}, err
	}
	if err := s.CheckSubscriptionURL(ctx, in.URL); err != nil {
		return Subscription{}, err
	}
	types, err := checkEventTypes(in.EventTypes)
	if err != nil {
		return Subscription{}, err
	}
	now := s.clock()
	sub := Subscription{TenantID: p.TenantID, URL: in.URL, Format: in.Format, EventTypes: types, Secret: in.Secret, CreatedAt: now, UpdatedAt: now}
	switch in.Format {
	case FormatStandard, "":
		sub.Format = FormatStandard
		if in.Token != "" || in.EncryptionKey != "" {
			return Subscription{}, Errorf(Invalid, "token", "token and encryption_key belong to the oneaccess format only")
		}
		if sub.Secret == "" {
			sub.Secret = Secret(StandardSecretPrefix + base64.StdEncoding.EncodeToString(randomBytes(32)))
		}
		if err := checkStandardSecret(sub.Secret.Reveal()); err != nil {
			return Subscription{}, err
		}
	case FormatOneAccess:
		if sub.Secret == "" {
			sub.Secret = newOneAccessKey()
		}
		if err := checkOneAccessKey("secret", sub.Secret.Reveal()); err != nil {
			return Subscription{}, err
		}
		sub.Token = in.Token
		if sub.Token == "" {
			sub.Token = NewSecret("")
		}
		if err := validateText("token", sub.Token.Reveal(), MaxTextFieldLen); err != nil {
			return Subscription{}, err
		}
		if sub.EncryptionKey = in.EncryptionKey; sub.EncryptionKey != "" {
			if err := checkOneAccessKey("encryption_key", sub.EncryptionKey.Reveal()); err != nil {
				return Subscription{}, err
			}
		}
	default:
		return Subscription{}, Errorf(Invalid, "format", "unknown format %q; use %q or %q", in.Format, FormatStandard, FormatOneAccess)
	}
	n, err := s.store.CountSubscriptions(ctx, p.TenantID)
	if err != nil {
		return Subscription{}, err
	}
	if n >= MaxSubscriptions {
		return Subscription{}, Errorf(Conflict, "", "the tenant has %d webhook subscriptions, the most allowed; delete one first", MaxSubscriptions)
	}
	if sub.Format == FormatOneAccess && s.checker != nil {
		if err := s.checker.CheckSubscription(ctx, sub); err != nil {
			return Subscription{}, Errorf(Invalid, "url", "the CHECK_URL callback failed: %v", err)
		}
	}
	return s.store.CreateSubscription(ctx, sub, s.event(p, "webhook.create", 0, []string{"url", "format", "event_types"}))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("directory: crypto/rand failed: " + err.Error())
	}
	return b
}

// Subscription returns a subscription of the principal's tenant without
// its secrets.
func (s *Service) Subscription(ctx context.Context, p Principal, id int64) (Subscription, error) {
	if err := p.require(ScopeAdmin); err != nil {
		return Subscription{}, err
	}
	sub, err := s.store.Subscription(ctx, p.TenantID, id)
	return sub.redacted(), err
}

// redacted returns s without its secrets.
func (s Subscription) redacted() Subscription {
	s.Secret, s.Token, s.EncryptionKey = "", "", ""
	return s
}

// Subscriptions returns a page of the tenant's subscriptions, by id,
// without secrets, and the next afterID (0 on the last page).
func (s *Service) Subscriptions(ctx context.Context, p Principal, afterID int64, limit int) ([]Subscription, int64, error) {
	if err := p.require(ScopeAdmin); err != nil {
		return nil, 0, err
	}
	subs, next, err := page(limit, func(n int) ([]Subscription, error) { return s.store.Subscriptions(ctx, p.TenantID, afterID, n) }, func(s Subscription) int64 { return s.ID })
	for i := range subs {
		subs[i] = subs[i].redacted()
	}
	return subs, next, err
}

// UpdateSubscription changes a subscription's URL, event types or
// disabled state. Enabling one clears its failing state, so its backlog is
// delivered again.
func (s *Service) UpdateSubscription(ctx context.Context, p Principal, id int64, patch SubscriptionPatch) (Subscription, error) {
	if err := p.require(ScopeAdmin); err != nil {
		return Subscription{}, err
	}
	sub, err := s.store.Subscription(ctx, p.TenantID, id)
	if err != nil {
		return Subscription{}, err
	}
	var fields []string
	if patch.URL != nil {
		if err := s.CheckSubscriptionURL(ctx, *patch.URL); err != nil {
			return Subscription{}, err
		}
		sub.URL = *patch.URL
		fields = append(fields, "url")
	}
	if patch.EventTypes != nil {
		if sub.EventTypes, err = checkEventTypes(*patch.EventTypes); err != nil {
			return Subscription{}, err
		}
		fields = append(fields, "event_types")
	}
	if patch.Disabled != nil {
		sub.Disabled = *patch.Disabled
		if !sub.Disabled {
			sub.Failing = false
		}
		fields = append(fields, "disabled")
	}
	if patch.URL != nil && sub.Format == FormatOneAccess && s.checker != nil {
		if err := s.checker.CheckSubscription(ctx, sub); err != nil {
			return Subscription{}, Errorf(Invalid, "url", "the CHECK_URL callback failed: %v", err)
		}
	}
	sub.UpdatedAt = s.clock()
	sub, err = s.store.UpdateSubscription(ctx, sub, s.event(p, "webhook.update", id, fields))
	return sub.redacted(), err
}

// DeleteSubscription removes a subscription and its delivery log.
func (s *Service) DeleteSubscription(ctx context.Context, p Principal, id int64) error {
	if err := p.require(ScopeAdmin); err != nil {
		return err
	}
	return s.store.DeleteSubscription(ctx, p.TenantID, id, s.event(p, "webhook.delete", id, nil))
}

// Deliveries returns a page of a subscription's delivery log, oldest
// first, and the next afterID (0 on the last page).
func (s *Service) Deliveries(ctx context.Context, p Principal, subscriptionID, afterID int64, limit int) ([]Delivery, int64, error) {
	if err := p.require(ScopeAdmin); err != nil {
		return nil, 0, err
	}
	if _, err := s.store.Subscription(ctx, p.TenantID, subscriptionID); err != nil {
		return nil, 0, err
	}
	return page(limit, func(n int) ([]Delivery, error) {
		return s.store.Deliveries(ctx, p.TenantID, subscriptionID, afterID, n)
	}, func(d Delivery) int64 { return d.ID })
}
