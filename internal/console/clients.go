package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/userd/userd/internal/directory"
)

// createdSecret is a credential just made, shown this once.
type createdSecret struct {
	Kind   string // "client" or "token"
	ID     string // the client id, or the token's id
	Secret string
}

// clientsView is the API clients and tokens page.
type clientsView struct {
	Clients    []directory.Client
	NextClient int64
	Tokens     []directory.APIToken
	NextToken  int64
	Scopes     []directory.Scope
	Created    *createdSecret
	Error      string
	Now        time.Time
}

func (c *Console) clientsPage(w http.ResponseWriter, r *http.Request, rq *request) {
	c.showClients(w, r, rq, http.StatusOK, nil, "")
}

func (c *Console) showClients(w http.ResponseWriter, r *http.Request, rq *request, status int, created *createdSecret, msg string) {
	v := clientsView{Scopes: directory.AllScopes, Created: created, Error: msg, Now: c.now()}
	var err error
	v.Clients, v.NextClient, err = c.svc.Clients(r.Context(), rq.p, formID(r.URL.Query().Get("after_client")), pageSize)
	if err == nil {
		v.Tokens, v.NextToken, err = c.svc.APITokens(r.Context(), rq.p, formID(r.URL.Query().Get("after_token")), pageSize)
	}
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	c.render(w, r, rq, status, "clients", "clients", v, notice(r, rq))
}

// formScopes reads the scope checkboxes; the Service decides which the
// admin may grant.
func formScopes(r *http.Request) (directory.Scopes, error) {
	return directory.ParseScopes(strings.Join(r.PostForm["scope"], " "))
}

// createClient makes an API client and shows its secret once, in this
// answer only (never in a URL or a redirect).
func (c *Console) createClient(w http.ResponseWriter, r *http.Request, rq *request) {
	scopes, err := formScopes(r)
	var cl directory.Client
	var secret directory.Secret
	if err == nil {
		cl, secret, err = c.svc.CreateClient(r.Context(), rq.p, r.PostFormValue("name"), scopes)
	}
	c.afterCreate(w, r, rq, err, &createdSecret{Kind: "client", ID: cl.ClientID, Secret: secret.Reveal()})
}

// createToken makes an API token, expiring after the days given (none:
// never), and shows it once.
func (c *Console) createToken(w http.ResponseWriter, r *http.Request, rq *request) {
	scopes, err := formScopes(r)
	var ttl time.Duration
	if d := strings.TrimSpace(r.PostFormValue("days")); d != "" && err == nil {
		n, perr := strconv.Atoi(d)
		if perr != nil || n <= 0 || n > 3650 {
			err = directory.Errorf(directory.Invalid, "days", "%s", rq.t("error.days"))
		}
		ttl = time.Duration(n) * 24 * time.Hour
	}
	var t directory.APIToken
	var secret directory.Secret
	if err == nil {
		t, secret, err = c.svc.CreateAPIToken(r.Context(), rq.p, r.PostFormValue("name"), scopes, ttl)
	}
	c.afterCreate(w, r, rq, err, &createdSecret{Kind: "token", ID: strconv.FormatInt(t.ID, 10), Secret: secret.Reveal()})
}

func (c *Console) afterCreate(w http.ResponseWriter, r *http.Request, rq *request, err error, created *createdSecret) {
	if err != nil {
		status, msg := c.errorText(r, rq, err)
		if status >= 500 {
			c.renderError(w, r, rq, status, msg)
			return
		}
		c.showClients(w, r, rq, status, nil, msg)
		return
	}
	c.showClients(w, r, rq, http.StatusCreated, created, "")
}

// setClientDisabled disables or enables a client.
func (c *Console) setClientDisabled(w http.ResponseWriter, r *http.Request, rq *request) {
	_, err := c.svc.SetClientDisabled(r.Context(), rq.p, r.PathValue("id"), r.PostFormValue("disabled") == "on")
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, "/console/clients?done=saved", http.StatusSeeOther)
}

// revokeToken revokes an API token.
func (c *Console) revokeToken(w http.ResponseWriter, r *http.Request, rq *request) {
	if _, err := c.svc.RevokeAPIToken(r.Context(), rq.p, pathID(r)); err != nil {
		c.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, "/console/clients?done=saved", http.StatusSeeOther)
}
