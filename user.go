package zhudun

import (
	"context"
	"regexp"
	"time"
)

// User is an account. Personal fields (Phone, IDNumber) are returned masked;
// the clear text is only available through UserService.RevealUserPII.
type User struct {
	ID                 int64      `json:"id"`
	Username           string     `json:"username"`
	Name               string     `json:"name"`
	DeptID             int64      `json:"dept_id"`
	DeptCode           string     `json:"dept_code"`
	DeptName           string     `json:"dept_name"`
	DeptPath           string     `json:"-"`
	Roles              []string   `json:"roles"`
	Disabled           bool       `json:"disabled"`
	MustChangePassword bool       `json:"must_change_password"`
	TOTPEnabled        bool       `json:"totp_enabled"`
	LockedUntil        *time.Time `json:"locked_until,omitempty"`
	Phone              string     `json:"phone,omitempty"`     // masked, 139****5678
	IDNumber           string     `json:"id_number,omitempty"` // masked, 370102********123X
	CreatedBy          int64      `json:"created_by,omitempty"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
	LastLoginAt        *time.Time `json:"last_login_at,omitempty"`
}

var usernameRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,31}$`)

// ValidUsername reports whether s is 2–32 of a–z, 0–9, '.', '_' and '-',
// starting with a letter.
func ValidUsername(s string) bool { return usernameRE.MatchString(s) }

// NewUser is the input of CreateUser. Password is the initial password; it
// must be changed at first login unless Own is set (the installer's path,
// where the password is the user's own).
type NewUser struct {
	Username string
	Name     string
	DeptCode string
	Password string
	Own      bool
	Roles    []string // only the installer (system caller) may set roles here
	Phone    string   // optional, normalised and encrypted
	IDNumber string   // optional, validated (GB 11643), encrypted
}

// UserFilter selects users. Zero fields do not filter.
type UserFilter struct {
	ID       int64
	Username string
	DeptCode string // exactly this department
	Under    string // this department and below
	Role     string
	Q        string // username or name contains
	Phone    string // exact, through the blind index; needs pii:view or pii:search and a Reason
	IDNumber string // exact, through the blind index; needs pii:view or pii:search and a Reason
	Reason   string // why personal data is searched (查询事由), 4–200 characters; audited
	Disabled *bool
	Offset   int
	Limit    int
}

// UserUpdate changes a user; nil fields are left alone.
type UserUpdate struct {
	Name     *string
	DeptCode *string
	Disabled *bool
	Phone    *string // "" clears
	IDNumber *string // "" clears
}

// PIIFilters names the personal-data filters f uses — never their values —
// for audit rows, logs and events.
func (f UserFilter) PIIFilters() []string {
	var out []string
	if f.Phone != "" {
		out = append(out, "phone")
	}
	if f.IDNumber != "" {
		out = append(out, "id_number")
	}
	return out
}

// UserPII is the clear text of a user's personal fields.
type UserPII struct {
	Phone    string `json:"phone"`
	IDNumber string `json:"id_number"`
}

// UserService manages accounts within the caller's scope of user:read /
// user:write (roles through role:grant). Errors: EINVALID, ENOTFOUND (also
// outside scope), ECONFLICT (username taken), EFORBIDDEN.
type UserService interface {
	CreateUser(ctx context.Context, u NewUser) (*User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	FindUserByID(ctx context.Context, id int64) (*User, error)
	UpdateUser(ctx context.Context, id int64, u UserUpdate) (*User, error)
	// ResetPassword sets a new password chosen by an administrator; the user
	// must change it at first login. It also clears a lockout.
	ResetPassword(ctx context.Context, id int64, password string) error
	// SetUserRoles replaces a user's roles (role:grant). 三员分立: an
	// administrator role excludes every other role; no caller grants reach
	// beyond its own scope.
	SetUserRoles(ctx context.Context, id int64, roles []string) (*User, error)
	// RevealUserPII returns the clear text (pii:view) and audits the view
	// with the stated reason.
	RevealUserPII(ctx context.Context, id int64, reason string) (*UserPII, error)
	// UnlockPIISearch gives a user back the capability to search by
	// personal data after it locked at the rate limit (role:grant in scope).
	UnlockPIISearch(ctx context.Context, id int64) error
}
