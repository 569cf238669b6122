package delivery

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/oneaccess"
	"github.com/userd/userd/internal/webhook"
)

func webhookHeader() http.Header { return http.Header{} }

// errSkipped is a OneAccess create or update of an object deleted since:
// there is nothing to send (its delete follows in the log). The log
// records it as delivered with this reason.
var errSkipped = errors.New("skipped: the object was deleted before this change could be sent; its delete follows")

// oneAccess makes one OneAccess callback attempt: it reads the object as
// it is now (a thin change carries no values), maps it with the ids the
// application gave, and on a create returns the application's new id.
func (d *Deliverer) oneAccess(ctx context.Context, s directory.Subscription, c directory.Change) (webhook.Response, directory.RemoteID, error) {
	sys := directory.System(s.TenantID)
	remoteID, err := d.store.RemoteID(ctx, s.TenantID, s.ID, c.Type, c.ObjectID)
	if err != nil {
		return webhook.Response{}, directory.RemoteID{}, err
	}
	deleted := c.Op == directory.OpDelete
	var data []byte
	switch c.Type {
	case directory.ObjectUser:
		u := directory.User{ID: c.ObjectID}
		if !deleted {
			if u, err = d.svc.User(ctx, sys, c.ObjectID); directory.KindOf(err) == directory.NotFound {
				return webhook.Response{}, directory.RemoteID{}, errSkipped
			} else if err != nil {
				return webhook.Response{}, directory.RemoteID{}, err
			}
		}
		org := ""
		if id := u.PrimaryOrg(); id != 0 {
			if org, err = d.idFor(ctx, s, directory.ObjectOrg, id); err != nil {
				return webhook.Response{}, directory.RemoteID{}, err
			}
		}
		data = oneaccess.UserData(u, remoteID, org, deleted)
	default:
		o := directory.Org{ID: c.ObjectID}
		if !deleted {
			if o, err = d.svc.Org(ctx, sys, c.ObjectID); directory.KindOf(err) == directory.NotFound {
				return webhook.Response{}, directory.RemoteID{}, errSkipped
			} else if err != nil {
				return webhook.Response{}, directory.RemoteID{}, err
			}
		}
		parent := ""
		if o.ParentID != 0 {
			if parent, err = d.idFor(ctx, s, directory.ObjectOrg, o.ParentID); err != nil {
				return webhook.Response{}, directory.RemoteID{}, err
			}
		}
		data = oneaccess.OrgData(o, remoteID, parent, deleted)
	}
	eventType := oneaccess.EventType(c.Type, c.Op)
	cb, err := oneaccess.New(s.Secret.Reveal(), s.EncryptionKey.Reveal(), MessageID(s.ID, c.Position), eventType, data, time.Now())
	if err != nil {
		return webhook.Response{}, directory.RemoteID{}, err
	}
	body, err := jsonBody(cb)
	if err != nil {
		return webhook.Response{}, directory.RemoteID{}, err
	}
	r := d.client.Post(ctx, s.TenantID, s.URL, oneaccess.Header(s.Token.Reveal()), body)
	if r.Err != nil {
		return r, directory.RemoteID{}, r.Err
	}
	id, err := oneaccess.ParseAnswer(eventType, r.Body)
	if err != nil {
		return r, directory.RemoteID{}, err
	}
	return r, directory.RemoteID{ObjectType: c.Type, ObjectID: c.ObjectID, ID: id}, nil
}

// idFor returns the id to send for another object: the application's, if
// it gave one, else userd's.
func (d *Deliverer) idFor(ctx context.Context, s directory.Subscription, typ string, id int64) (string, error) {
	remote, err := d.store.RemoteID(ctx, s.TenantID, s.ID, typ, id)
	if remote == "" && err == nil {
		remote = strconv.FormatInt(id, 10)
	}
	return remote, err
}
