package zhudun

import (
	"context"
	"regexp"
)

// Built-in role ids. They never change; the three administrator roles are
// kept separate (三员分立): a user holding one holds no other role.
const (
	RoleSysAdmin   = "sysadmin"
	RoleSecAdmin   = "secadmin"
	RoleAuditAdmin = "auditadmin"
	RoleOfficer    = "officer"
	RoleDispatcher = "dispatcher"
	RoleCommander  = "commander"
	RoleAnalyst    = "analyst"
)

// IsAdminRole reports whether id is one of the three administrator roles.
func IsAdminRole(id string) bool {
	return id == RoleSysAdmin || id == RoleSecAdmin || id == RoleAuditAdmin
}

// Role is a named set of permissions with one data scope.
type Role struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Scope   Scope        `json:"scope"`
	Perms   []Permission `json:"perms"`
	Builtin bool         `json:"builtin"`
	Admin   bool         `json:"admin"` // one of the three administrators
	// OwnerDept is the code of the department that owns the role: the one
	// its creator sat in (the root for built-in roles). Only administrators
	// at or above it edit the role.
	OwnerDept string `json:"owner_dept"`
}

// BuiltinRoles returns the built-in roles with their default permissions and
// scopes. Migrations seed them; the security admin may later adjust the
// business roles (not the administrator roles' separation).
func BuiltinRoles() []Role {
	return []Role{
		{ID: RoleSysAdmin, Name: "系统管理员", Scope: ScopeSubtree, Builtin: true, Admin: true,
			Perms: []Permission{PermDeptRead, PermDeptWrite, PermUserRead, PermUserWrite, PermRoleRead, PermSourceWrite}},
		{ID: RoleSecAdmin, Name: "安全管理员", Scope: ScopeSubtree, Builtin: true, Admin: true,
			Perms: []Permission{PermDeptRead, PermUserRead, PermRoleRead, PermRoleWrite, PermRoleGrant}},
		{ID: RoleAuditAdmin, Name: "安全审计员", Scope: ScopeAll, Builtin: true, Admin: true,
			Perms: []Permission{PermAuditRead, PermAuditExport}},
		{ID: RoleOfficer, Name: "民警", Scope: ScopeDept, Builtin: true,
			Perms: []Permission{PermDeptRead, PermIncidentRead, PermIncidentWrite, PermUnitRead, PermGridRead, PermAppealWrite,
				PermCampusRead, PermCampusInspect, PermFireRead, PermFireWrite, PermZhudunRead}},
		{ID: RoleDispatcher, Name: "调度员", Scope: ScopeSubtree, Builtin: true,
			Perms: []Permission{PermDeptRead, PermIncidentRead, PermIncidentWrite, PermUnitRead, PermUnitWrite, PermGridRead, PermPIISearch}},
		{ID: RoleCommander, Name: "指挥员", Scope: ScopeSubtree, Builtin: true,
			Perms: []Permission{PermDeptRead, PermIncidentRead, PermIncidentImport, PermUnitRead, PermUnitWrite, PermGridRead, PermGridWrite,
				PermFindingRead, PermCaseRead, PermReportRead, PermCampusRead, PermFireRead, PermZhudunRead, PermZhudunWrite}},
		{ID: RoleAnalyst, Name: "网安分析员", Scope: ScopeSubtree, Builtin: true,
			Perms: []Permission{PermDeptRead, PermFindingRead, PermFindingWrite, PermCaseRead, PermCaseWrite, PermPIIView, PermAppealWrite}},
		// The bureau's 经文保 division keeps every school's registry and
		// runs the rounds (docs/campus.md).
		{ID: RoleCampusSupervisor, Name: "经文保民警", Scope: ScopeAll, Builtin: true,
			Perms: []Permission{PermDeptRead, PermCampusRead, PermCampusWrite, PermCampusInspect, PermReportRead, PermPIIView}},
		// Another agency's member of a joint group: its groups' rounds only
		// (scope self, which campus data reads as "my groups").
		{ID: RoleCampusAgency, Name: "联合督导成员（外单位）", Scope: ScopeSelf, Builtin: true,
			Perms: []Permission{PermCampusRead, PermCampusInspect}},
		// A station's fire-safety officer runs the e-bike escalation and
		// reads its station's figures (docs/fire.md).
		{ID: RoleFireOfficer, Name: "消防安全民警", Scope: ScopeDept, Builtin: true,
			Perms: []Permission{PermDeptRead, PermGridRead, PermFireRead, PermFireWrite, PermReportRead}},
	}
}

// adminPerms belong to the three administrator roles only: a business role
// that held one would undo 三员分立.
var adminPerms = map[Permission]bool{
	PermDeptWrite: true, PermUserWrite: true, PermRoleWrite: true,
	PermRoleGrant: true, PermAuditRead: true, PermAuditExport: true, PermSourceWrite: true,
}

// IsAdminPermission reports whether p is reserved to the administrator roles.
func IsAdminPermission(p Permission) bool { return adminPerms[p] }

var roleIDRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

// ValidRoleID reports whether id is 2–32 of a–z, 0–9 and '_', starting with a letter.
func ValidRoleID(id string) bool { return roleIDRE.MatchString(id) }

// RoleUpdate changes a role; nil fields are left alone.
type RoleUpdate struct {
	Name  *string
	Scope *Scope
	Perms *[]Permission
}

// RoleService manages roles (role:read, role:write). The administrator roles'
// permissions are fixed: 三员分立 must not be undone through the API. A role
// is edited only by a holder of role:write whose scope covers the role's
// owning department.
// Errors: EINVALID, ENOTFOUND, ECONFLICT, EFORBIDDEN.
type RoleService interface {
	FindRoles(ctx context.Context) ([]*Role, error)
	CreateRole(ctx context.Context, r *Role) error
	UpdateRole(ctx context.Context, id string, u RoleUpdate) (*Role, error)
}
