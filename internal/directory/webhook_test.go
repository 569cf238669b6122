package directory_test

import (
	"context"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// fakeDNS resolves every name from a table, so the SSRF guard is tested
// without the network.
func fakeDNS(table map[string]string) func(ctx context.Context, host string) ([]netip.Addr, error) {
	return func(ctx context.Context, host string) ([]netip.Addr, error) {
		a, ok := table[host]
		if !ok {
			return nil, &netipError{host}
		}
		return []netip.Addr{netip.MustParseAddr(a)}, nil
	}
}

type netipError struct{ host string }

func (e *netipError) Error() string { return "no such host " + e.host }

func TestSubscriptionURLs(t *testing.T) {
	f := newFixture(t)
	f.svc.SetWebhookPolicy(directory.WebhookPolicy{Resolve: fakeDNS(map[string]string{
		"public.example":   "93.184.216.34",
		"internal.example": "10.1.2.3",
		"metadata.example": "169.254.169.254",
	})})
	tests := []struct {
		url     string
		wantErr string // "" accepts
	}{
		{"https://public.example/hook", ""},
		{"http://public.example:8080/hook?x=1", ""},
		{"", "is required"},
		{"ftp://public.example/", "scheme"},
		{"/relative", "absolute"},
		{"https://user:pw@public.example/", "user name or password"},
		{"https://public.example/#frag", "fragment"},
		{"https://internal.example/", "10.1.2.3"},
		{"https://metadata.example/", "169.254.169.254"},
		{"https://127.0.0.1:8080/", "loopback"},
		{"https://[::1]/", "::1"},
		{"https://[::ffff:192.168.1.1]/", "192.168.1.1"},
		{"https://nowhere.example/", "does not resolve"},
		{"https://public.example/" + strings.Repeat("a", directory.MaxSubscriptionURLLen), "bytes"},
	}
	for _, tc := range tests {
		_, err := f.svc.CreateSubscription(f.ctx, f.a, directory.SubscriptionInput{URL: tc.url})
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q: got %v, want it accepted", tc.url, err)
		case tc.wantErr != "" && (directory.KindOf(err) != directory.Invalid || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q: got %v, want Invalid mentioning %q", tc.url, err, tc.wantErr)
		}
	}
	f.svc.SetWebhookPolicy(directory.WebhookPolicy{AllowPrivate: true})
	if _, err := f.svc.CreateSubscription(f.ctx, f.a, directory.SubscriptionInput{URL: "http://127.0.0.1:9/hook"}); err != nil {
		t.Errorf("loopback with AllowPrivate: %v", err)
	}
}

func TestSubscriptionInput(t *testing.T) {
	f := newFixture(t)
	f.svc.SetWebhookPolicy(directory.WebhookPolicy{AllowPrivate: true})
	const url = "https://app.example/hook"
	tests := []struct {
		name    string
		in      directory.SubscriptionInput
		wantErr string
	}{
		{"defaults", directory.SubscriptionInput{URL: url}, ""},
		{"event types", directory.SubscriptionInput{URL: url, EventTypes: []string{"user.deleted", "user.created", "user.created"}}, ""},
		{"unknown type", directory.SubscriptionInput{URL: url, EventTypes: []string{"user.renamed"}}, "unknown event type"},
		{"bad format", directory.SubscriptionInput{URL: url, Format: "soap"}, "unknown format"},
		{"whsec secret", directory.SubscriptionInput{URL: url, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, ""},
		{"short secret", directory.SubscriptionInput{URL: url, Secret: "whsec_c2hvcnQ="}, "24 to 64"},
		{"unprefixed secret", directory.SubscriptionInput{URL: url, Secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "whsec_"},
		{"token on standard", directory.SubscriptionInput{URL: url, Token: "x"}, "oneaccess format only"},
		{"oneaccess", directory.SubscriptionInput{URL: url, Format: directory.FormatOneAccess, Secret: "0123456789abcdef", EncryptionKey: "fedcba9876543210"}, ""},
		{"oneaccess short key", directory.SubscriptionInput{URL: url, Format: directory.FormatOneAccess, Secret: "0123456789"}, "exactly 16"},
		{"oneaccess long encryption key", directory.SubscriptionInput{URL: url, Format: directory.FormatOneAccess, EncryptionKey: "0123456789abcdefg"}, "exactly 16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := f.svc.CreateSubscription(f.ctx, f.a, tc.in)
			if tc.wantErr != "" {
				if directory.KindOf(err) != directory.Invalid || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want Invalid mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sub.Secret == "" {
				t.Error("the created subscription shows no secret")
			}
			if sub.Format == directory.FormatOneAccess && (len(sub.Secret.Reveal()) != 16 || sub.Token == "") {
				t.Errorf("oneaccess: signing key %d characters, token %q; want 16 and a token", len(sub.Secret.Reveal()), sub.Token)
			}
			read, err := f.svc.Subscription(f.ctx, f.a, sub.ID)
			if err != nil || read.Secret != "" || read.Token != "" || read.EncryptionKey != "" {
				t.Errorf("read back: %+v, %v; want it without secrets", read, err)
			}
		})
	}
	subs, _, _ := f.svc.Subscriptions(f.ctx, f.a, 0, 0)
	for len(subs) < directory.MaxSubscriptions {
		s, err := f.svc.CreateSubscription(f.ctx, f.a, directory.SubscriptionInput{URL: url})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	if _, err := f.svc.CreateSubscription(f.ctx, f.a, directory.SubscriptionInput{URL: url}); directory.KindOf(err) != directory.Conflict {
		t.Errorf("subscription %d: got %v, want Conflict", directory.MaxSubscriptions+1, err)
	}
}

func TestSubscriptionReenableClearsFailing(t *testing.T) {
	f := newFixture(t)
	f.svc.SetWebhookPolicy(directory.WebhookPolicy{AllowPrivate: true})
	sub, err := f.svc.CreateSubscription(f.ctx, f.a, directory.SubscriptionInput{URL: "https://app.example/hook"})
	if err != nil {
		t.Fatal(err)
	}
	st := f.svc.Store()
	if err := st.RecordDeliveries(f.ctx, []directory.Delivery{{TenantID: f.a.TenantID, SubscriptionID: sub.ID, Status: directory.Failed, Error: "timeout", Time: time.Now().UTC()}}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.Subscription(f.ctx, f.a, sub.ID); !got.Failing {
		t.Fatal("the subscription is not failing after a failed delivery")
	}
	enabled := false
	got, err := f.svc.UpdateSubscription(f.ctx, f.a, sub.ID, directory.SubscriptionPatch{Disabled: &enabled})
	if err != nil || got.Failing || got.Disabled {
		t.Errorf("re-enabled: failing %v, disabled %v, %v; want neither", got.Failing, got.Disabled, err)
	}
	if _, err := f.svc.UpdateSubscription(f.ctx, f.b, sub.ID, directory.SubscriptionPatch{Disabled: &enabled}); directory.KindOf(err) != directory.NotFound {
		t.Errorf("another tenant's update: got %v, want NotFound", err)
	}
}

// FuzzSubscriptionURL: whatever the input, an accepted URL is an absolute
// http(s) URL without user info whose host is a public address.
func FuzzSubscriptionURL(f *testing.F) {
	for _, s := range []string{"https://93.184.216.34/hook", "http://[2606:2800:220:1:248:1893:25c8:1946]:8080/x", "https://127.0.0.1/", "http://[::ffff:10.0.0.1]/", "https://u:p@93.184.216.34/", "ftp://x/"} {
		f.Add(s)
	}
	svc := directory.NewService(nil, nil)
	svc.SetWebhookPolicy(directory.WebhookPolicy{Resolve: func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("10.0.0.1")}, nil // every name is private
	}})
	f.Fuzz(func(t *testing.T, raw string) {
		err := svc.CheckSubscriptionURL(context.Background(), raw)
		if err != nil {
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
			t.Fatalf("accepted %q", raw)
		}
		a, aerr := netip.ParseAddr(strings.Trim(u.Hostname(), "[]"))
		if aerr != nil || !directory.PublicAddr(a) {
			t.Fatalf("accepted %q, whose host is not a public address", raw)
		}
	})
}
