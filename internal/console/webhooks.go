package console

import (
	"fmt"
	"net/http"

	"github.com/userd/userd/internal/directory"
)

// createdSubscription is a subscription just made, with its secrets,
// shown this once.
type createdSubscription struct {
	ID     int64
	Secret string
	Token  string // OneAccess only
}

// webhooksView is the webhooks page: a page of the tenant's subscriptions
// and the form for a new one.
type webhooksView struct {
	Subs       []directory.Subscription
	Next       int64
	EventTypes []string
	Created    *createdSubscription
	Error      string
	// The create form's values, kept when the Service refuses them.
	URL, Format string
	Types       map[string]bool
}

// webhooksPage lists the tenant's webhook subscriptions.
func (c *Console) webhooksPage(w http.ResponseWriter, r *http.Request, rq *request) {
	c.showWebhooks(w, r, rq, http.StatusOK, &webhooksView{})
}

func (c *Console) showWebhooks(w http.ResponseWriter, r *http.Request, rq *request, status int, v *webhooksView) {
	var err error
	v.EventTypes = directory.EventTypes
	v.Subs, v.Next, err = c.svc.Subscriptions(r.Context(), rq.p, formID(r.URL.Query().Get("after")), pageSize)
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	c.render(w, r, rq, status, "webhooks", "webhooks", v, notice(r, rq))
}

// createWebhook makes a subscription and shows its secret once, in this
// answer only (never in a URL or a redirect).
func (c *Console) createWebhook(w http.ResponseWriter, r *http.Request, rq *request) {
	in := directory.SubscriptionInput{URL: r.PostFormValue("url"), Format: directory.SubscriptionFormat(r.PostFormValue("format")),
		EventTypes: r.PostForm["event_type"]}
	if len(in.EventTypes) > len(directory.EventTypes) {
		c.renderError(w, r, rq, http.StatusBadRequest, rq.t("error.form"))
		return
	}
	sub, err := c.svc.CreateSubscription(r.Context(), rq.p, in)
	if err != nil {
		status, msg := c.errorText(r, rq, err)
		if status >= 500 {
			c.renderError(w, r, rq, status, msg)
			return
		}
		v := &webhooksView{Error: msg, URL: in.URL, Format: string(in.Format), Types: map[string]bool{}}
		for _, t := range in.EventTypes {
			v.Types[t] = true
		}
		c.showWebhooks(w, r, rq, status, v)
		return
	}
	created := &createdSubscription{ID: sub.ID, Secret: sub.Secret.Reveal(), Token: sub.Token.Reveal()}
	c.showWebhooks(w, r, rq, http.StatusCreated, &webhooksView{Created: created})
}

// setWebhookDisabled disables or enables a subscription; enabling one
// that was failing resumes its backlog.
func (c *Console) setWebhookDisabled(w http.ResponseWriter, r *http.Request, rq *request) {
	disabled := r.PostFormValue("disabled") == "on"
	_, err := c.svc.UpdateSubscription(r.Context(), rq.p, pathID(r), directory.SubscriptionPatch{Disabled: &disabled})
	c.afterWebhookAction(w, r, rq, err)
}

// deleteWebhook deletes a subscription and its delivery log.
func (c *Console) deleteWebhook(w http.ResponseWriter, r *http.Request, rq *request) {
	c.afterWebhookAction(w, r, rq, c.svc.DeleteSubscription(r.Context(), rq.p, pathID(r)))
}

func (c *Console) afterWebhookAction(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, "/console/webhooks?done=saved", http.StatusSeeOther)
}

// webhookView is one subscription and a page of its delivery log.
type webhookView struct {
	S          directory.Subscription
	Deliveries []directory.Delivery
	Next       string
}

// webhookPage shows a subscription and its delivery log, oldest first.
func (c *Console) webhookPage(w http.ResponseWriter, r *http.Request, rq *request) {
	id := pathID(r)
	sub, err := c.svc.Subscription(r.Context(), rq.p, id)
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	v := webhookView{S: sub}
	var next int64
	v.Deliveries, next, err = c.svc.Deliveries(r.Context(), rq.p, id, formID(r.URL.Query().Get("after")), pageSize)
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	if next != 0 {
		v.Next = fmt.Sprintf("/console/webhooks/%d?after=%d", id, next)
	}
	c.render(w, r, rq, http.StatusOK, "webhook", "webhooks", v, "")
}
