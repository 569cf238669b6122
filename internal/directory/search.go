package directory

import (
	"context"
	"strings"
)

// UserSearch asks Service.SearchUsers for one page of the users whose
// username, email or name starts with Prefix, ignoring case.
type UserSearch struct {
	Prefix string
	// AfterKey and AfterID are the position the previous page ended at
	// (the Next of its answer); zero values start at the beginning.
	AfterKey string
	AfterID  int64
	Limit    int
}

// maxSearchReads bounds the index reads one SearchUsers page makes. A
// page usually needs one read per field; more are needed only when a
// field's range holds many users already shown under another field, and
// past the bound the page ends early, with a position to go on from.
const maxSearchReads = 9

// SearchUsers returns a page of the principal's users whose username,
// email or name starts with s.Prefix, ignoring case, and the search that
// reads the next page (nil on the last). With no prefix it lists every
// user in id order, as ListUsers does. Each user is a Summary
// (Store.ListUserSummaries): a search is for finding a user, whose page
// then reads the whole of it with User.
//
// Each field is read as one range of its own prefix index, from the page's
// position on, and the three ranges are merged: a user comes once, at its
// smallest matching value lowercased (then by id), so the order is
// deterministic and a position (that value, id) is a keyset cursor over
// the merge. A page costs its own rows, however many users match. It may
// hold fewer than s.Limit users and still have a next page when the
// ranges held many users that an earlier page had shown.
func (s *Service) SearchUsers(ctx context.Context, p Principal, q UserSearch) ([]User, *UserSearch, error) {
	if q.Prefix == "" {
		users, next, err := s.listUsers(ctx, p, UserFilter{AfterID: q.AfterID, Limit: q.Limit}, s.store.ListUserSummaries)
		if next == nil || err != nil {
			return users, nil, err
		}
		return users, &UserSearch{AfterID: next.AfterID, Limit: q.Limit}, nil
	}
	if err := p.require(ScopeUsersRead); err != nil {
		return nil, nil, err
	}
	limit, err := pageSize(q.Limit)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range []struct{ field, value string }{{"q", q.Prefix}, {"cursor", q.AfterKey}} {
		if err := CheckText(t.field, t.value); err != nil {
			return nil, nil, err
		}
	}
	m := &searchMerge{s: s, ctx: ctx, tenantID: p.TenantID,
		prefixes: []string{strings.ToLower(q.Prefix), strings.ToLower(NormalizeEmail(q.Prefix))},
		after:    searchPos{q.AfterKey, q.AfterID}, batch: limit + 1}
	m.ranges = []*searchRange{
		{filter: UserFilter{Username: q.Prefix}, value: func(u *User) string { return u.Username }},
		{filter: UserFilter{Email: NormalizeEmail(q.Prefix)}, value: func(u *User) string { return u.Email }},
		{filter: UserFilter{Name: q.Prefix}, value: func(u *User) string { return u.Name }},
	}
	users, keys, last, err := m.page(limit + 1)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case len(users) > limit:
		users = users[:limit]
		last = searchPos{keys[limit-1], users[limit-1].ID}
	case m.exhausted():
		return users, nil, nil
	}
	return users, &UserSearch{Prefix: q.Prefix, AfterKey: last.key, AfterID: last.id, Limit: q.Limit}, nil
}

// searchPos is a position in the merged order: a lowercased value and an id.
type searchPos struct {
	key string
	id  int64
}

func (a searchPos) less(b searchPos) bool {
	return a.key < b.key || a.key == b.key && a.id < b.id
}

// searchRange is one field's prefix range, read a batch at a time.
type searchRange struct {
	filter UserFilter
	value  func(u *User) string
	buf    []User
	done   bool // the last read came back short: the range has no more
}

// searchMerge merges the ranges of one SearchUsers page.
type searchMerge struct {
	s        *Service
	ctx      context.Context
	tenantID int64
	prefixes []string // lowercased, as typed and in email's normal form
	after    searchPos
	batch    int
	reads    int
	ranges   []*searchRange
}

// key is u's place in the merge: the smallest of its lowercased values
// that start with the prefix, counting the value of range from, where the
// store found u, as one.
func (m *searchMerge) key(u *User, from *searchRange) string {
	key := strings.ToLower(from.value(u))
	for _, r := range m.ranges {
		v := strings.ToLower(r.value(u))
		if r != from && v < key && m.matches(v) {
			key = v
		}
	}
	return key
}

func (m *searchMerge) matches(v string) bool {
	for _, p := range m.prefixes {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}

// page merges up to n users after m.after and returns them, their keys,
// and the last position it consumed (every user at or before it has been
// taken or belongs to an earlier page).
func (m *searchMerge) page(n int) ([]User, []string, searchPos, error) {
	// Sized once: a User is some 900 bytes, and growing the slice by
	// doubling copied a page's worth of them several times over.
	out, keys := make([]User, 0, n), make([]string, 0, n)
	last := m.after
	for len(out) < n {
		var head *searchRange
		var headPos searchPos
		for _, r := range m.ranges {
			if len(r.buf) == 0 && !r.done {
				if m.reads == maxSearchReads {
					return out, keys, last, nil
				}
				if err := m.read(r, last); err != nil {
					return nil, nil, last, err
				}
			}
			if len(r.buf) == 0 {
				continue
			}
			pos := searchPos{strings.ToLower(r.value(&r.buf[0])), r.buf[0].ID}
			if head == nil || pos.less(headPos) {
				head, headPos = r, pos
			}
		}
		if head == nil {
			return out, keys, last, nil
		}
		// A pointer into the buffer, which stays put while the page is
		// merged: a copy of the user would move to the heap, one
		// allocation of a whole User for every user the merge takes.
		u := &head.buf[0]
		head.buf = head.buf[1:]
		last = headPos
		// A user whose smallest matching value is in another field comes
		// there; one whose values tie comes once.
		if m.key(u, head) == headPos.key && (len(out) == 0 || out[len(out)-1].ID != u.ID) {
			out, keys = append(out, *u), append(keys, headPos.key)
		}
	}
	return out, keys, last, nil
}

// read fetches r's next batch after position from, the later of where
// the range stopped and where the merge is.
func (m *searchMerge) read(r *searchRange, from searchPos) error {
	m.reads++
	f := r.filter
	f.AfterKey, f.AfterID, f.Limit = from.key, from.id, m.batch
	users, err := m.s.store.ListUserSummaries(m.ctx, m.tenantID, f)
	if err != nil {
		return err
	}
	r.buf, r.done = users, len(users) < m.batch
	return nil
}

// exhausted reports whether every range has been read to its end.
func (m *searchMerge) exhausted() bool {
	for _, r := range m.ranges {
		if len(r.buf) > 0 || !r.done {
			return false
		}
	}
	return true
}
