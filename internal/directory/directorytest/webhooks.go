package directorytest

import (
	"reflect"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

func subscription(tenant int64, url string) directory.Subscription {
	return directory.Subscription{TenantID: tenant, URL: url, Format: directory.FormatOneAccess,
		EventTypes: []string{directory.EventUserCreated, directory.EventOrgDeleted},
		Secret:     "0123456789abcdef", Token: "security-token", EncryptionKey: "fedcba9876543210", CreatedAt: t0, UpdatedAt: t0}
}

func (f *fixture) createSubscription(t *testing.T, s directory.Subscription) directory.Subscription {
	t.Helper()
	got, err := f.s.CreateSubscription(f.ctx, s, event(s.TenantID, "webhook.create", ""))
	if err != nil {
		t.Fatalf("CreateSubscription: %v", err)
	}
	return got
}

// testSubscriptions: a subscription comes back as stored, secrets included,
// in its own tenant only, and updates change only what they may.
func testSubscriptions(t *testing.T, f *fixture) {
	in := subscription(f.a, "https://app.example.com/hook")
	got := f.createSubscription(t, in)
	if got.ID <= 0 {
		t.Fatalf("CreateSubscription: id %d, want > 0", got.ID)
	}
	in.ID = got.ID
	read, err := f.s.Subscription(f.ctx, f.a, got.ID)
	if err != nil {
		t.Fatalf("Subscription: %v", err)
	}
	if !reflect.DeepEqual(read, in) {
		t.Errorf("Subscription:\n got %+v\nwant %+v", read, in)
	}
	if _, err := f.s.Subscription(f.ctx, f.b, got.ID); directory.KindOf(err) != directory.NotFound {
		t.Errorf("Subscription of another tenant: got %v, want NotFound", err)
	}
	f.createSubscription(t, subscription(f.b, "https://other.example.com/hook"))
	second := f.createSubscription(t, subscription(f.a, "https://app.example.com/second"))
	if n, err := f.s.CountSubscriptions(f.ctx, f.a); err != nil || n != 2 {
		t.Errorf("CountSubscriptions: got %d, %v; want 2", n, err)
	}
	page, err := f.s.Subscriptions(f.ctx, f.a, got.ID, 10)
	if err != nil || len(page) != 1 || page[0].ID != second.ID {
		t.Errorf("Subscriptions after the first: got %+v, %v; want only the second", page, err)
	}

	upd := read
	upd.URL, upd.EventTypes, upd.Disabled, upd.Failing, upd.LastError, upd.UpdatedAt = "https://app.example.com/new", nil, true, true, "boom", at(1)
	upd.Secret, upd.Position = "changed-secret!!", 99 // never stored by UpdateSubscription
	out, err := f.s.UpdateSubscription(f.ctx, upd, event(f.a, "webhook.update", ""))
	if err != nil {
		t.Fatalf("UpdateSubscription: %v", err)
	}
	want := upd
	want.Secret, want.Position = read.Secret, read.Position
	if !reflect.DeepEqual(out, want) {
		t.Errorf("UpdateSubscription:\n got %+v\nwant %+v", out, want)
	}
	upd.TenantID = f.b
	if _, err := f.s.UpdateSubscription(f.ctx, upd, event(f.b, "webhook.update", "")); directory.KindOf(err) != directory.NotFound {
		t.Errorf("UpdateSubscription from another tenant: got %v, want NotFound", err)
	}
	active, err := f.s.ActiveSubscriptions(f.ctx)
	if err != nil || len(active) != 2 {
		t.Errorf("ActiveSubscriptions: got %d, %v; want the 2 not disabled", len(active), err)
	}
	if err := f.s.DeleteSubscription(f.ctx, f.b, got.ID, event(f.b, "webhook.delete", "")); directory.KindOf(err) != directory.NotFound {
		t.Errorf("DeleteSubscription from another tenant: got %v, want NotFound", err)
	}
	if err := f.s.DeleteSubscription(f.ctx, f.a, got.ID, event(f.a, "webhook.delete", "")); err != nil {
		t.Fatalf("DeleteSubscription: %v", err)
	}
	if _, err := f.s.Subscription(f.ctx, f.a, got.ID); directory.KindOf(err) != directory.NotFound {
		t.Errorf("Subscription after delete: got %v, want NotFound", err)
	}
}

// testDeliveries: a delivery moves the position up (never down), stores the
// application's id, and a failure marks the subscription failing with its
// position kept; the log is the tenant's own.
func testDeliveries(t *testing.T, f *fixture) {
	sub := f.createSubscription(t, subscription(f.a, "https://app.example.com/hook"))
	d := directory.Delivery{TenantID: f.a, SubscriptionID: sub.ID, MessageID: "msg_1", Position: 7, EventType: directory.EventUserCreated,
		Status: directory.Delivered, StatusCode: 200, Attempts: 2, Latency: 1500 * time.Microsecond, Time: at(1)}
	if err := f.s.RecordDeliveries(f.ctx, []directory.Delivery{d}, []directory.RemoteID{{ObjectType: "user", ObjectID: 42, ID: "app-42"}}); err != nil {
		t.Fatalf("RecordDeliveries: %v", err)
	}
	older := d
	older.Position, older.MessageID = 3, "msg_0"
	if err := f.s.RecordDeliveries(f.ctx, []directory.Delivery{older}, nil); err != nil {
		t.Fatalf("RecordDeliveries of an older position: %v", err)
	}
	got, _ := f.s.Subscription(f.ctx, f.a, sub.ID)
	if got.Position != 7 {
		t.Errorf("Position: got %d, want 7 (never moved back)", got.Position)
	}
	if id, err := f.s.RemoteID(f.ctx, f.a, sub.ID, "user", 42); err != nil || id != "app-42" {
		t.Errorf("RemoteID: got %q, %v; want app-42", id, err)
	}
	if id, err := f.s.RemoteID(f.ctx, f.b, sub.ID, "user", 42); err != nil || id != "" {
		t.Errorf("RemoteID from another tenant: got %q, %v; want none", id, err)
	}
	failed := d
	failed.Position, failed.Status, failed.StatusCode, failed.Error = 8, directory.Failed, 503, "503 Service Unavailable"
	if err := f.s.RecordDeliveries(f.ctx, []directory.Delivery{failed}, nil); err != nil {
		t.Fatalf("RecordDeliveries of a failure: %v", err)
	}
	got, _ = f.s.Subscription(f.ctx, f.a, sub.ID)
	if !got.Failing || got.Position != 7 || got.LastError != failed.Error {
		t.Errorf("after a failure: failing %v, position %d, last error %q; want true, 7, %q", got.Failing, got.Position, got.LastError, failed.Error)
	}
	// Several outcomes in one call, as a deliverer batches them.
	batch := []directory.Delivery{d, d}
	batch[0].Position, batch[0].MessageID, batch[1].Position, batch[1].MessageID = 20, "msg_20", 21, "msg_21"
	if err := f.s.RecordDeliveries(f.ctx, batch, []directory.RemoteID{{}, {ObjectType: "org", ObjectID: 5, ID: "app-org"}}); err != nil {
		t.Fatalf("RecordDeliveries of two: %v", err)
	}
	got, _ = f.s.Subscription(f.ctx, f.a, sub.ID)
	if got.Position != 21 {
		t.Errorf("Position after a batch: got %d, want 21", got.Position)
	}
	if id, _ := f.s.RemoteID(f.ctx, f.a, sub.ID, "org", 5); id != "app-org" {
		t.Errorf("RemoteID from a batch: got %q, want app-org", id)
	}
	log, err := f.s.Deliveries(f.ctx, f.a, sub.ID, 0, 10)
	if err != nil || len(log) != 5 {
		t.Fatalf("Deliveries: got %d, %v; want 5", len(log), err)
	}
	d.ID = log[0].ID
	if !reflect.DeepEqual(log[0], d) {
		t.Errorf("Deliveries[0]:\n got %+v\nwant %+v", log[0], d)
	}
	if log, _ := f.s.Deliveries(f.ctx, f.b, sub.ID, 0, 10); len(log) != 0 {
		t.Errorf("Deliveries from another tenant: got %d entries, want 0", len(log))
	}
	d.SubscriptionID = sub.ID + 1000
	if err := f.s.RecordDeliveries(f.ctx, []directory.Delivery{d}, nil); directory.KindOf(err) != directory.NotFound {
		t.Errorf("RecordDeliveries for a missing subscription: got %v, want NotFound", err)
	}
}

// testLease: one holder at a time; the holder renews; another takes over
// only once the lease expired.
func testLease(t *testing.T, f *fixture) {
	acquire := func(holder string, now time.Time, want bool) {
		t.Helper()
		got, err := f.s.AcquireLease(f.ctx, "delivery", holder, now, 10*time.Second)
		if err != nil || got != want {
			t.Errorf("AcquireLease(%s, +%v): got %v, %v; want %v", holder, now.Sub(t0), got, err, want)
		}
	}
	acquire("node-a", t0, true)
	acquire("node-b", t0.Add(time.Second), false)
	acquire("node-a", t0.Add(5*time.Second), true) // renews to +15s
	acquire("node-b", t0.Add(12*time.Second), false)
	acquire("node-b", t0.Add(16*time.Second), true)
	acquire("node-a", t0.Add(17*time.Second), false)
}
