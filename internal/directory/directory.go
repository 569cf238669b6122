// Package directory is userd's domain: tenants, users, organizations, API
// clients and tokens, the rules about them, and the Store contract that every
// storage engine implements.
//
// Every object except a Tenant belongs to exactly one tenant. The Service is
// the only place where policy lives (scopes, tenant scoping, validation);
// stores only store, and API dialects only translate wire formats.
package directory

import (
	"strings"
	"time"
)

// MaxSafeID is the largest id userd hands out: 2^53-1, the largest integer a
// JavaScript client reads without losing precision.
const MaxSafeID = 1<<53 - 1

// Tenant is an isolated directory: users, orgs, clients and tokens of one
// tenant are never visible to another.
type Tenant struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// Scope is one permission an API client or token may hold.
type Scope string

// The scopes userd knows. Admin covers orgs, clients, tokens and audit; it does
// not imply the user scopes. AdminRead reads what admin manages (clients,
// tokens, the audit log) and changes nothing. UsersAuthenticate lets a
// system check users' passwords (Service.Authenticate) and nothing else.
const (
	ScopeUsersRead         Scope = "users:read"
	ScopeUsersWrite        Scope = "users:write"
	ScopeAdmin             Scope = "admin"
	ScopeAdminRead         Scope = "admin:read"
	ScopeUsersAuthenticate Scope = "users:authenticate"
)

// AllScopes lists every scope in its canonical order.
var AllScopes = []Scope{ScopeUsersRead, ScopeUsersWrite, ScopeAdmin, ScopeAdminRead, ScopeUsersAuthenticate}

// Scopes is a set of scopes, written on the wire as a space-separated list
// (RFC 6749 §3.3).
type Scopes []Scope

// ParseScopes parses a space-separated scope list. It rejects unknown scopes
// and returns the set in canonical order without duplicates.
func ParseScopes(s string) (Scopes, error) {
	seen := map[Scope]bool{}
	for _, f := range strings.Fields(s) {
		sc := Scope(f)
		if !sc.known() {
			return nil, Errorf(Invalid, "scope", "unknown scope %q; known scopes are %s", f, Scopes(AllScopes))
		}
		seen[sc] = true
	}
	var out Scopes
	for _, sc := range AllScopes {
		if seen[sc] {
			out = append(out, sc)
		}
	}
	return out, nil
}

func (s Scope) known() bool {
	for _, k := range AllScopes {
		if s == k {
			return true
		}
	}
	return false
}

// Has reports whether the set holds scope want.
func (s Scopes) Has(want Scope) bool {
	for _, sc := range s {
		if sc == want {
			return true
		}
	}
	return false
}

// Contains reports whether every scope of other is in s.
func (s Scopes) Contains(other Scopes) bool {
	for _, sc := range other {
		if !s.Has(sc) {
			return false
		}
	}
	return true
}

// String returns the space-separated form.
func (s Scopes) String() string {
	parts := make([]string, len(s))
	for i, sc := range s {
		parts[i] = string(sc)
	}
	return strings.Join(parts, " ")
}

// Principal is the authenticated caller of a Service method: the tenant it
// acts in, the scopes it holds, and who it is for the audit log.
type Principal struct {
	TenantID int64
	Scopes   Scopes
	// Actor names the caller in audit records: "client:<client_id>",
	// "token:<id>" or "cli".
	Actor string
	// ClientIP is the caller's network address, or "" for local commands.
	ClientIP string
}

// canGrant returns a Forbidden error unless the principal holds every scope
// it asks to give a new client or token: holding admin lets a caller manage
// credentials, not give out more than it has.
func (p Principal) canGrant(scopes Scopes) error {
	for _, sc := range scopes {
		if !p.holds(sc) {
			return Errorf(Forbidden, "scope", "cannot grant scope %q: the caller does not hold it", sc)
		}
	}
	return nil
}

// holds reports whether the principal holds scope, admin counting as
// admin:read, which it includes.
func (p Principal) holds(scope Scope) bool {
	return p.Scopes.Has(scope) || scope == ScopeAdminRead && p.Scopes.Has(ScopeAdmin)
}

// Holds reports whether the principal holds scope, admin counting as
// admin:read. A page asks it to leave out the forms the Service would
// refuse; the Service still checks every call.
func (p Principal) Holds(scope Scope) bool { return p.holds(scope) }

// require returns a Forbidden error unless the principal holds scope.
func (p Principal) require(scope Scope) error {
	if !p.Scopes.Has(scope) {
		return Errorf(Forbidden, "", "this operation needs scope %q", scope)
	}
	return nil
}
