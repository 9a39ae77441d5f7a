package zhudun

import (
	"context"
	"time"
)

// Policy is the sign-in and account policy the security administrator sets
// (MLPS 2.0 level 3, 身份鉴别 a/b, 访问控制 c). Stored in the database;
// start-up flags override single fields (PolicyOverrides).
type Policy struct {
	LockoutThreshold   int      `json:"lockout_threshold"`     // wrong passwords in a row before the account locks
	LockoutMinutes     int      `json:"lockout_minutes"`       // how long the lock lasts
	IdleMinutes        int      `json:"idle_minutes"`          // a session ends after this long without a request
	TOTPRoles          []string `json:"totp_roles"`            // roles that must sign in with a second factor
	PasswordMaxAgeDays int      `json:"password_max_age_days"` // a password older than this must be changed at sign-in
	PasswordHistory    int      `json:"password_history"`      // a new password must differ from this many previous ones
	DormantDays        int      `json:"dormant_days"`          // an account without a sign-in for this long is disabled
}

// DefaultPolicy is the policy of a new database: the values zhudun always
// had, periodic password change every 90 days, the last 5 passwords
// barred, dormant accounts disabled after 90 days, and a second factor for
// the three administrator roles.
func DefaultPolicy() Policy {
	return Policy{
		LockoutThreshold: MaxPasswordFailures, LockoutMinutes: int(LockDuration / time.Minute), IdleMinutes: int(SessionIdle / time.Minute),
		TOTPRoles:          []string{RoleSysAdmin, RoleSecAdmin, RoleAuditAdmin},
		PasswordMaxAgeDays: 90, PasswordHistory: 5, DormantDays: 90,
	}
}

// Policy limits: what a security administrator may set. They keep every
// value within what MLPS level 3 still accepts (no lockout off, no idle
// session for a day).
const (
	MinLockoutThreshold, MaxLockoutThreshold = 3, 10
	MinLockoutMinutes, MaxLockoutMinutes     = 1, 1440
	MinIdleMinutes, MaxIdleMinutes           = 5, 120
	MinPasswordMaxAge, MaxPasswordMaxAge     = 7, 365
	MinPasswordHistory, MaxPasswordHistory   = 1, 24
	MinDormantDays, MaxDormantDays           = 7, 730
)

// Lockout is LockoutMinutes as a duration.
func (p Policy) Lockout() time.Duration { return time.Duration(p.LockoutMinutes) * time.Minute }

// Idle is IdleMinutes as a duration.
func (p Policy) Idle() time.Duration { return time.Duration(p.IdleMinutes) * time.Minute }

// PasswordMaxAge is PasswordMaxAgeDays as a duration.
func (p Policy) PasswordMaxAge() time.Duration {
	return time.Duration(p.PasswordMaxAgeDays) * 24 * time.Hour
}

// Dormant is DormantDays as a duration.
func (p Policy) Dormant() time.Duration { return time.Duration(p.DormantDays) * 24 * time.Hour }

// NeedsTOTP reports whether a holder of one of roles must use a second factor.
func (p Policy) NeedsTOTP(roles []string) bool {
	for _, r := range roles {
		for _, t := range p.TOTPRoles {
			if r == t {
				return true
			}
		}
	}
	return false
}

// Validate checks every field against the limits; the error names the field.
func (p Policy) Validate() error {
	for _, c := range []struct {
		field     string
		v, lo, hi int
	}{
		{"lockout_threshold", p.LockoutThreshold, MinLockoutThreshold, MaxLockoutThreshold},
		{"lockout_minutes", p.LockoutMinutes, MinLockoutMinutes, MaxLockoutMinutes},
		{"idle_minutes", p.IdleMinutes, MinIdleMinutes, MaxIdleMinutes},
		{"password_max_age_days", p.PasswordMaxAgeDays, MinPasswordMaxAge, MaxPasswordMaxAge},
		{"password_history", p.PasswordHistory, MinPasswordHistory, MaxPasswordHistory},
		{"dormant_days", p.DormantDays, MinDormantDays, MaxDormantDays},
	} {
		if c.v < c.lo || c.v > c.hi {
			return FieldError(c.field, "%s must be between %d and %d", c.field, c.lo, c.hi)
		}
	}
	return nil
}

// PolicyOverrides are start-up settings that win over the stored policy;
// nil fields do not override. The UI shows an overridden field read-only.
type PolicyOverrides struct {
	LockoutThreshold   *int
	LockoutMinutes     *int
	IdleMinutes        *int
	TOTPRoles          *[]string
	PasswordMaxAgeDays *int
	PasswordHistory    *int
	DormantDays        *int
}

// Apply returns p with the overrides in force and the JSON names of the
// fields they replaced.
func (o PolicyOverrides) Apply(p Policy) (Policy, []string) {
	var names []string
	set := func(name string, dst *int, v *int) {
		if v != nil {
			*dst = *v
			names = append(names, name)
		}
	}
	set("lockout_threshold", &p.LockoutThreshold, o.LockoutThreshold)
	set("lockout_minutes", &p.LockoutMinutes, o.LockoutMinutes)
	set("idle_minutes", &p.IdleMinutes, o.IdleMinutes)
	if o.TOTPRoles != nil {
		p.TOTPRoles = append([]string{}, (*o.TOTPRoles)...)
		names = append(names, "totp_roles")
	}
	set("password_max_age_days", &p.PasswordMaxAgeDays, o.PasswordMaxAgeDays)
	set("password_history", &p.PasswordHistory, o.PasswordHistory)
	set("dormant_days", &p.DormantDays, o.DormantDays)
	return p, names
}

// PolicyView is the policy as the settings page shows it: the stored
// values, the values in force, and which fields a start-up flag overrides.
type PolicyView struct {
	Stored     Policy    `json:"stored"`
	Effective  Policy    `json:"effective"`
	Overridden []string  `json:"overridden"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
	UpdatedBy  string    `json:"updated_by,omitempty"`
}

// DormantUser is an account without a sign-in for longer than the policy
// allows; Disabled tells whether the sweep has disabled it yet.
type DormantUser struct {
	ID         int64      `json:"id"`
	Username   string     `json:"username"`
	Name       string     `json:"name"`
	DeptCode   string     `json:"dept_code"`
	LastActive time.Time  `json:"last_active"` // last sign-in, or creation or re-enabling if later
	LastLogin  *time.Time `json:"last_login_at,omitempty"`
	Disabled   bool       `json:"disabled"`
	Days       int        `json:"days"` // whole days since LastActive
}

// PolicyService reads and changes the policy. FindPolicy needs role:read,
// UpdatePolicy role:write (the security administrator); both are audited
// when they change something. Errors: EINVALID (field named), EFORBIDDEN,
// ECONFLICT (the field is set by a start-up flag).
type PolicyService interface {
	FindPolicy(ctx context.Context) (*PolicyView, error)
	UpdatePolicy(ctx context.Context, p Policy) (*PolicyView, error)
	// FindDormantUsers lists dormant accounts in the caller's user:read scope.
	FindDormantUsers(ctx context.Context) ([]*DormantUser, error)
}
