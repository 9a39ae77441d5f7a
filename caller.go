package zhudun

import (
	"context"
	"strings"
)

// Permission names an action on an area of data, "area:action".
type Permission string

// Permissions known to the core. Later modules add their own areas; the
// security admin grants them through roles.
const (
	PermDeptRead    Permission = "dept:read"
	PermDeptWrite   Permission = "dept:write"
	PermUserRead    Permission = "user:read"
	PermUserWrite   Permission = "user:write"
	PermRoleRead    Permission = "role:read"
	PermRoleWrite   Permission = "role:write"
	PermRoleGrant   Permission = "role:grant"
	PermAuditRead   Permission = "audit:read"
	PermAuditExport Permission = "audit:export"
	PermPIIView     Permission = "pii:view"
	// PermPIISearch allows searching by personal data (an exact phone or
	// resident ID) without unmasking anything: "has this caller phoned
	// before?". pii:view includes it.
	PermPIISearch Permission = "pii:search"

	PermIncidentRead  Permission = "incident:read"
	PermIncidentWrite Permission = "incident:write"
	// PermIncidentImport allows loading incident history (a CSV of past
	// incidents) into the stations of the holder's scope. It is apart from
	// incident:write: history moves the statistics a commander answers for,
	// which a call-taker taking live calls has no need to change.
	PermIncidentImport Permission = "incident:import"
	PermUnitRead       Permission = "unit:read"
	PermUnitWrite      Permission = "unit:write"
	PermGridRead       Permission = "grid:read"
	PermGridWrite      Permission = "grid:write"
	PermFindingRead    Permission = "finding:read"
	PermFindingWrite   Permission = "finding:write"
	PermCaseRead       Permission = "case:read"
	PermCaseWrite      Permission = "case:write"
	PermReportRead     Permission = "report:read"
	// PermSourceWrite manages the sources that push events (their API
	// keys): an administrator's permission, the system administrator's.
	PermSourceWrite Permission = "source:write"
	// PermAppealWrite enters a resident's appeal against a cut (an officer
	// at a station, an analyst): it shows nothing of the finding appealed.
	PermAppealWrite Permission = "appeal:write"
)

// AllPermissions lists every permission in a stable order (UI, OpenAPI, validation).
var allPermissions = []Permission{
	PermDeptRead, PermDeptWrite, PermUserRead, PermUserWrite,
	PermRoleRead, PermRoleWrite, PermRoleGrant, PermAuditRead, PermAuditExport, PermPIIView, PermPIISearch,
	PermIncidentRead, PermIncidentWrite, PermIncidentImport, PermUnitRead, PermUnitWrite, PermGridRead, PermGridWrite,
	PermFindingRead, PermFindingWrite, PermCaseRead, PermCaseWrite, PermReportRead, PermSourceWrite, PermAppealWrite,
	PermCampusRead, PermCampusWrite, PermCampusInspect, PermFireRead, PermFireWrite, PermZhudunRead, PermZhudunWrite,
}

// AllPermissions returns a copy of the known permissions.
func AllPermissions() []Permission { return append([]Permission(nil), allPermissions...) }

// ValidPermission reports whether p is a known permission.
func ValidPermission(p Permission) bool {
	for _, q := range allPermissions {
		if p == q {
			return true
		}
	}
	return false
}

// Scope is how far a role's permissions reach in the department tree.
type Scope string

// Data scopes, widest first. Anything else is unknown and fails closed.
const (
	ScopeAll     Scope = "all"     // every department
	ScopeSubtree Scope = "subtree" // own department and below
	ScopeDept    Scope = "dept"    // own department only
	ScopeSelf    Scope = "self"    // records the user owns (created, or is)
)

// rank orders scopes; 0 means unknown.
func (s Scope) rank() int {
	switch s {
	case ScopeAll:
		return 4
	case ScopeSubtree:
		return 3
	case ScopeDept:
		return 2
	case ScopeSelf:
		return 1
	}
	return 0
}

// Valid reports whether s is one of the four known scopes.
func (s Scope) Valid() bool { return s.rank() > 0 }

// Wider reports whether s reaches strictly further than t.
func (s Scope) Wider(t Scope) bool { return s.rank() > t.rank() }

// Caller is the authenticated actor of a request or command. It travels in
// ctx; the store builds every data-scope predicate from it.
type Caller struct {
	UserID     int64
	Username   string
	DeptID     int64
	DeptCode   string
	DeptPath   string // materialised path of the caller's department, "/1/4/9/"
	Roles      []string
	Perms      map[Permission]Scope // widest scope per permission over the caller's roles
	ClientAddr string
	SessionID  string
	System     bool // the installer's CLI path: every permission, scope all
}

// SystemCaller is the actor of installer commands (zhudun user add, dept add,
// migrations). It is never produced by an HTTP request.
func SystemCaller(name string) *Caller {
	perms := make(map[Permission]Scope, len(allPermissions))
	for _, p := range allPermissions {
		perms[p] = ScopeAll
	}
	return &Caller{Username: name, DeptPath: "/", Perms: perms, System: true, ClientAddr: "local"}
}

// Has reports whether the caller holds permission p at any scope.
func (c *Caller) Has(p Permission) bool {
	if c == nil {
		return false
	}
	s, ok := c.Perms[p]
	return ok && s.Valid()
}

// HasRole reports whether the caller holds role id.
func (c *Caller) HasRole(id string) bool {
	if c == nil {
		return false
	}
	for _, r := range c.Roles {
		if r == id {
			return true
		}
	}
	return false
}

type callerKey struct{}

// WithCaller returns a context carrying c.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller in ctx, or nil.
func CallerFrom(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}

// ScopeFilter is the typed data-scope predicate for one permission of one
// caller. Adapters turn it into parameterised SQL; it is never built from
// request text.
type ScopeFilter struct {
	Kind     Scope
	DeptPath string // for ScopeSubtree
	DeptID   int64  // for ScopeDept
	UserID   int64  // for ScopeSelf
}

// ScopeFor builds the scope filter of permission p for the caller in ctx. It
// fails closed: no caller is EUNAUTHORIZED; a missing permission or an unknown
// scope is EFORBIDDEN.
func ScopeFor(ctx context.Context, p Permission) (ScopeFilter, error) {
	c := CallerFrom(ctx)
	if c == nil {
		return ScopeFilter{}, Errorf(EUNAUTHORIZED, "not signed in")
	}
	return c.Filter(p)
}

// Filter builds the scope filter of permission p for c; see ScopeFor.
func (c *Caller) Filter(p Permission) (ScopeFilter, error) {
	s, ok := c.Perms[p]
	if !ok {
		return ScopeFilter{}, Errorf(EFORBIDDEN, "permission %s required", p)
	}
	switch s {
	case ScopeAll:
		return ScopeFilter{Kind: ScopeAll}, nil
	case ScopeSubtree:
		if !validPath(c.DeptPath) {
			return ScopeFilter{}, Errorf(EFORBIDDEN, "caller has no department")
		}
		if c.DeptPath == RootDeptPath {
			// The root's subtree is everything: saying so lets a city-level
			// administrator grant and manage city-wide roles.
			return ScopeFilter{Kind: ScopeAll}, nil
		}
		return ScopeFilter{Kind: ScopeSubtree, DeptPath: c.DeptPath}, nil
	case ScopeDept:
		if c.DeptID == 0 {
			return ScopeFilter{}, Errorf(EFORBIDDEN, "caller has no department")
		}
		return ScopeFilter{Kind: ScopeDept, DeptID: c.DeptID}, nil
	case ScopeSelf:
		if c.UserID == 0 {
			return ScopeFilter{}, Errorf(EFORBIDDEN, "caller has no identity")
		}
		return ScopeFilter{Kind: ScopeSelf, UserID: c.UserID}, nil
	}
	return ScopeFilter{}, Errorf(EFORBIDDEN, "unknown data scope for %s", p)
}

// Covers reports whether a record in the department with materialised path
// deptPath (id deptID), owned by ownerID, is inside the filter. It is the
// in-memory twin of the SQL predicate, used where rows are not queried (event
// fan-out, checks before a write).
func (f ScopeFilter) Covers(deptPath string, deptID, ownerID int64) bool {
	switch f.Kind {
	case ScopeAll:
		return true
	case ScopeSubtree:
		return f.DeptPath != "" && strings.HasPrefix(deptPath, f.DeptPath)
	case ScopeDept:
		return f.DeptID != 0 && deptID == f.DeptID
	case ScopeSelf:
		return f.UserID != 0 && ownerID == f.UserID
	}
	return false
}

// Reaches reports whether a grant of scope s to a user in department
// (deptPath) stays inside f: nobody can grant more reach than they hold.
func (f ScopeFilter) Reaches(s Scope, deptPath string, deptID int64) bool {
	switch f.Kind {
	case ScopeAll:
		return s.Valid()
	case ScopeSubtree:
		return s != ScopeAll && s.Valid() && strings.HasPrefix(deptPath, f.DeptPath)
	case ScopeDept:
		return (s == ScopeDept || s == ScopeSelf) && deptID == f.DeptID
	}
	return false
}

func validPath(p string) bool {
	return len(p) >= 3 && p[0] == '/' && p[len(p)-1] == '/'
}
