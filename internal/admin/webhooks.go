package admin

import (
	"context"
	"net/http"

	"github.com/userd/userd/internal/directory"
)

// webhookRoutes are the webhook subscription routes (docs/api/webhooks.md).
func (a *api) webhookRoutes() map[string]handlerFunc {
	return map[string]handlerFunc{
		"POST /admin/v1/webhooks":                a.createWebhook,
		"GET /admin/v1/webhooks":                 a.heavy(a.listWebhooks),
		"GET /admin/v1/webhooks/{id}":            a.getWebhook,
		"PATCH /admin/v1/webhooks/{id}":          a.patchWebhook,
		"DELETE /admin/v1/webhooks/{id}":         a.deleteWebhook,
		"GET /admin/v1/webhooks/{id}/deliveries": a.heavy(a.listDeliveries),
	}
}

// webhookJSON is a subscription without its secrets; webhookCreatedJSON
// adds them, shown once.
type webhookJSON struct {
	ID         int64    `json:"id"`
	URL        string   `json:"url"`
	Format     string   `json:"format"`
	EventTypes []string `json:"event_types"`
	Disabled   bool     `json:"disabled"`
	Failing    bool     `json:"failing"`
	LastError  *string  `json:"last_error"`
	Position   int64    `json:"position"`
	CreatedAt  string   `json:"created_at"`
	UpdatedAt  string   `json:"updated_at"`
}

type webhookCreatedJSON struct {
	webhookJSON
	Secret        string `json:"secret"`
	Token         string `json:"token,omitempty"`
	EncryptionKey string `json:"encryption_key,omitempty"`
}

func toWebhookJSON(s directory.Subscription) webhookJSON {
	j := webhookJSON{ID: s.ID, URL: s.URL, Format: string(s.Format), EventTypes: s.EventTypes, Disabled: s.Disabled, Failing: s.Failing,
		Position: s.Position, CreatedAt: formatTime(s.CreatedAt), UpdatedAt: formatTime(s.UpdatedAt)}
	if j.EventTypes == nil {
		j.EventTypes = []string{}
	}
	if s.LastError != "" {
		j.LastError = &s.LastError
	}
	return j
}

type webhookInput struct {
	URL           string   `json:"url"`
	Format        string   `json:"format"`
	EventTypes    []string `json:"event_types"`
	Secret        string   `json:"secret"`
	Token         string   `json:"token"`
	EncryptionKey string   `json:"encryption_key"`
}

type webhookPatchInput struct {
	URL        *string   `json:"url"`
	EventTypes *[]string `json:"event_types"`
	Disabled   *bool     `json:"disabled"`
}

type deliveryJSON struct {
	ID         int64   `json:"id"`
	MessageID  string  `json:"message_id"`
	Position   int64   `json:"position"`
	EventType  string  `json:"event_type"`
	Status     string  `json:"status"`
	StatusCode *int    `json:"status_code"`
	Attempts   int     `json:"attempts"`
	LatencyMS  float64 `json:"latency_ms"`
	Error      *string `json:"error"`
	At         string  `json:"at"`
}

func toDeliveryJSON(d directory.Delivery) deliveryJSON {
	j := deliveryJSON{ID: d.ID, MessageID: d.MessageID, Position: d.Position, EventType: d.EventType, Status: string(d.Status),
		Attempts: d.Attempts, LatencyMS: float64(d.Latency.Microseconds()) / 1000, At: formatTime(d.Time)}
	if d.StatusCode != 0 {
		j.StatusCode = &d.StatusCode
	}
	if d.Error != "" {
		j.Error = &d.Error
	}
	return j
}

func (a *api) createWebhook(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	var in webhookInput
	if _, err := a.readJSON(w, r, &in, mediaJSON); err != nil {
		return err
	}
	s, err := a.svc.CreateSubscription(r.Context(), p, directory.SubscriptionInput{URL: in.URL, Format: directory.SubscriptionFormat(in.Format),
		EventTypes: in.EventTypes, Secret: directory.Secret(in.Secret), Token: directory.Secret(in.Token), EncryptionKey: directory.Secret(in.EncryptionKey)})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, webhookCreatedJSON{webhookJSON: toWebhookJSON(s), Secret: s.Secret.Reveal(), Token: s.Token.Reveal(), EncryptionKey: s.EncryptionKey.Reveal()})
}

func (a *api) listWebhooks(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	subs, next, err := pageByID(a, r, p, "webhooks", a.svc.Subscriptions)
	if err != nil {
		return err
	}
	return writeList(w, r, "webhooks", subs, func(s directory.Subscription) any { return toWebhookJSON(s) }, pageTail{NextCursor: next})
}

func (a *api) getWebhook(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	s, err := a.svc.Subscription(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toWebhookJSON(s))
}

func (a *api) patchWebhook(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in webhookPatchInput
	if _, err := a.readJSON(w, r, &in, mediaMergePatch, mediaJSON); err != nil {
		return err
	}
	s, err := a.svc.UpdateSubscription(r.Context(), p, id, directory.SubscriptionPatch{URL: in.URL, EventTypes: in.EventTypes, Disabled: in.Disabled})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toWebhookJSON(s))
}

func (a *api) deleteWebhook(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteSubscription(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *api) listDeliveries(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	read := func(ctx context.Context, p directory.Principal, afterID int64, limit int) ([]directory.Delivery, int64, error) {
		return a.svc.Deliveries(ctx, p, id, afterID, limit)
	}
	log, next, err := pageByID(a, r, p, "webhook-deliveries", read)
	if err != nil {
		return err
	}
	return writeList(w, r, "deliveries", log, func(d directory.Delivery) any { return toDeliveryJSON(d) }, pageTail{NextCursor: next})
}
