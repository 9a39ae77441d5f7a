package zhudun

import (
	"context"
	"time"
)

// Login policy (MLPS 2.0 level 3). The first three and SessionIdle are the
// defaults of the stored Policy, which the security administrator changes.
const (
	MaxPasswordFailures = 5                // per account, then locked
	LockDuration        = 15 * time.Minute // account lock
	AddrFailureLimit    = 20               // per client address within AddrWindow
	AddrWindow          = 15 * time.Minute
	SessionIdle         = 30 * time.Minute
)

// LoginLimits are the sign-in limits the store enforces. They are values
// passed in (start-up flags today, the security administrator's settings
// later), never literals in the store.
type LoginLimits struct {
	MaxFailures int           // wrong secrets in a row before a name locks (an account or a name without one)
	Lock        time.Duration // how long a locked name stays locked
	AddrLimit   int           // failed sign-ins per client address within AddrWindow
	AddrWindow  time.Duration
}

// DefaultLoginLimits are the MLPS level 3 defaults above.
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{MaxFailures: MaxPasswordFailures, Lock: LockDuration, AddrLimit: AddrFailureLimit, AddrWindow: AddrWindow}
}

// LoginRequest is the input of Login.
type LoginRequest struct {
	Username   string
	Password   string
	OTP        string
	ClientAddr string
	UserAgent  string
}

// Session is an authenticated session; Token is only set when it is created.
type Session struct {
	ID                 string    `json:"-"`
	Token              string    `json:"token,omitempty"`
	UserID             int64     `json:"user_id"`
	MustChangePassword bool      `json:"must_change_password"`
	MustEnrollTOTP     bool      `json:"must_enroll_totp"`
	PasswordExpired    bool      `json:"password_expired,omitempty"` // MustChangePassword because of the policy's maximum age
	CreatedAt          time.Time `json:"created_at"`
	LastSeenAt         time.Time `json:"last_seen_at"`
	// EndsAt is when the session ends unless it is used again (idle
	// timeout) or, at the latest, its maximum age: a long-lived event
	// stream re-checks then.
	EndsAt time.Time `json:"-"`
}

// EventSessionEnded is the bus event a change that ends sessions emits
// (logout, a password change ending the other sessions): the user's open
// event streams re-check at once. OwnerID is the user; no browser sees it.
const EventSessionEnded = "session.ended"

// LoginRecord is one past sign-in: when, and from which address.
type LoginRecord struct {
	At         time.Time `json:"at"`
	ClientAddr string    `json:"client_addr"`
}

// TOTPEnrollment is what a user needs to add zhudun to an authenticator app.
type TOTPEnrollment struct {
	Secret string `json:"secret"` // base32
	URI    string `json:"uri"`    // otpauth://totp/…
}

// AuthService signs users in and out. Login errors: EUNAUTHORIZED (wrong user
// or password, one message for both), EOTPREQUIRED, ELOCKED (RetryAfter),
// ETOOMANY (address throttled, RetryAfter).
type AuthService interface {
	Login(ctx context.Context, req LoginRequest) (*Session, error)
	// Authenticate resolves a token to its session and caller, touching the
	// idle timer. EUNAUTHORIZED when unknown, revoked or idle too long.
	Authenticate(ctx context.Context, token, clientAddr string) (*Session, *Caller, error)
	Logout(ctx context.Context, token string) error
	ChangePassword(ctx context.Context, token, old, new string) error
	// PreviousLogin is the caller's sign-in before the current session's
	// ("上次登录"), nil when there was none (or it aged out of retention).
	PreviousLogin(ctx context.Context) (*LoginRecord, error)
	BeginTOTP(ctx context.Context) (*TOTPEnrollment, error)
	ConfirmTOTP(ctx context.Context, code string) error
}
