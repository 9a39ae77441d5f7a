package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/zhudun/zhudun"
)

// Sign-in counters. Every attempt takes its slot in one statement before any
// password work (UPDATE … SET n = n + 1 … WHERE n < limit RETURNING): an
// attempt that gets no slot is refused unchecked, so however many arrive at
// once no more than the limit are ever checked. Reading a count, checking a
// password and writing count+1 back is what let 39 parallel guesses through.

// SetLoginLimits replaces the sign-in limits (the security administrator's
// settings, start-up flags). Zero fields keep their defaults.
func (s *Store) SetLoginLimits(l zhudun.LoginLimits) {
	given := l
	s.limitsSet.Store(&given)
	d := zhudun.DefaultLoginLimits()
	if l.MaxFailures <= 0 {
		l.MaxFailures = d.MaxFailures
	}
	if l.Lock <= 0 {
		l.Lock = d.Lock
	}
	if l.AddrLimit <= 0 {
		l.AddrLimit = d.AddrLimit
	}
	if l.AddrWindow <= 0 {
		l.AddrWindow = d.AddrWindow
	}
	s.limits.Store(&l)
}

// LoginLimits returns the sign-in limits in force.
func (s *Store) LoginLimits() zhudun.LoginLimits { return *s.limits.Load() }

// claimAddr takes one attempt from the address's allowance for the current
// window. ok is false when the address has used it up; wait is then the time
// until its window ends.
func (s *Store) claimAddr(ctx context.Context, addr string, now time.Time, l zhudun.LoginLimits) (ok bool, wait time.Duration, err error) {
	subject := "addr:" + addr
	nowUS := now.UnixMicro()
	expired := nowUS - l.AddrWindow.Microseconds() // a window that started at or before this is over
	var n int
	err = s.writeRow(ctx, []any{&n}, `INSERT INTO login_guard (subject, failures, window_start) VALUES (?, 1, ?)
		ON CONFLICT (subject) DO UPDATE SET
			failures = CASE WHEN login_guard.window_start <= ? THEN 1 ELSE login_guard.failures + 1 END,
			window_start = CASE WHEN login_guard.window_start <= ? THEN ? ELSE login_guard.window_start END
		WHERE login_guard.window_start <= ? OR login_guard.failures < ?
		RETURNING failures`, subject, nowUS, expired, expired, nowUS, expired, l.AddrLimit)
	if err == nil {
		return true, 0, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, 0, s.internal("login throttle", err)
	}
	var start int64
	if err := s.queryRow(ctx, `SELECT window_start FROM login_guard WHERE subject = ?`, subject).Scan(&start); err != nil {
		return false, 0, s.internal("login throttle", err)
	}
	return false, time.UnixMicro(start).Add(l.AddrWindow).Sub(now), nil
}

// releaseAddr gives a slot back: the attempt proved the password (a sign-in,
// or a right password still waiting for its second factor) and is no guess.
func (s *Store) releaseAddr(ctx context.Context, addr string) error {
	_, err := s.execDB(ctx, `UPDATE login_guard SET failures = failures - 1 WHERE subject = ? AND failures > 0`, "addr:"+addr)
	return s.internalIf("login throttle release", err)
}

// nameSlot is the outcome of claiming an attempt for a name.
type nameSlot struct {
	refused bool      // the name is locked; nothing is checked
	until   time.Time // when a refused name unlocks
	last    bool      // this attempt used the last slot: the name is now locked unless it succeeds
	count   int       // an account's failure count with this attempt's slot taken
}

// claimName takes one attempt for the account u, or for username when there
// is no such account: both lock after MaxFailures in a row, so that a 423
// tells nothing about whether the account exists. The slot that reaches the
// limit sets the lock at once; the attempt holding it is still checked, and
// a success clears the lock.
func (s *Store) claimName(ctx context.Context, u *loginUser, username string, now time.Time, l zhudun.LoginLimits) (nameSlot, error) {
	lockAt := now.Add(l.Lock)
	// NULLIF(x, x) is a NULL of x's type: PostgreSQL then types the
	// placeholder beside it as the column, where a bare NULL made it text.
	if u != nil {
		var failed int
		var locked sql.NullTime
		err := s.writeRow(ctx, []any{&failed, &locked}, `UPDATE users SET
				failed_count = CASE WHEN failed_count + 1 >= ? THEN 0 ELSE failed_count + 1 END,
				locked_until = CASE WHEN failed_count + 1 >= ? THEN ? ELSE NULLIF(locked_until, locked_until) END
			WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?)
			RETURNING failed_count, locked_until`, l.MaxFailures, l.MaxFailures, lockAt, u.id, now)
		if err == nil {
			return nameSlot{last: locked.Valid, count: failed}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nameSlot{}, s.internal("login count", err)
		}
		if err := s.queryRow(ctx, `SELECT locked_until FROM users WHERE id = ?`, u.id).Scan(&locked); err != nil {
			return nameSlot{}, s.internal("login count", err)
		}
		return nameSlot{refused: true, until: locked.Time}, nil
	}
	subject := "name:" + s.keys.Index("login-name", username)
	nowUS, lockUS := now.UnixMicro(), lockAt.UnixMicro()
	var first any // a limit of one locks at the first failure
	if l.MaxFailures <= 1 {
		first = lockUS
	}
	var failures int
	var locked sql.NullInt64
	err := s.writeRow(ctx, []any{&failures, &locked}, `INSERT INTO login_guard (subject, failures, window_start, locked_until) VALUES (?, 1, ?, ?)
		ON CONFLICT (subject) DO UPDATE SET
			failures = CASE WHEN login_guard.failures + 1 >= ? THEN 0 ELSE login_guard.failures + 1 END,
			locked_until = CASE WHEN login_guard.failures + 1 >= ? THEN ? ELSE NULLIF(login_guard.locked_until, login_guard.locked_until) END
		WHERE login_guard.locked_until IS NULL OR login_guard.locked_until <= ?
		RETURNING failures, locked_until`, subject, nowUS, first, l.MaxFailures, l.MaxFailures, lockUS, nowUS)
	if err == nil {
		return nameSlot{last: locked.Valid}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nameSlot{}, s.internal("login count", err)
	}
	if err := s.queryRow(ctx, `SELECT locked_until FROM login_guard WHERE subject = ?`, subject).Scan(&locked); err != nil {
		return nameSlot{}, s.internal("login count", err)
	}
	return nameSlot{refused: true, until: time.UnixMicro(locked.Int64)}, nil
}

func lockedError(retry time.Duration) error {
	return &zhudun.Error{Code: zhudun.ELOCKED, Message: "account locked after repeated failed sign-ins; try again later or ask an administrator to unlock it",
		RetryAfter: retryAfter(retry)}
}

// PurgeLoginGuard deletes the counters that say no more than their absence
// would: addresses whose window is over, and names at zero failures and not
// locked. It returns how many it deleted. serve runs it every hour.
func (s *Store) PurgeLoginGuard(ctx context.Context) (int64, error) {
	now := s.clock()
	l := s.LoginLimits()
	res, err := s.execDB(ctx, `DELETE FROM login_guard WHERE
		(subject LIKE 'addr:%' AND window_start <= ?) OR
		(subject LIKE 'name:%' AND failures = 0 AND (locked_until IS NULL OR locked_until <= ?))`,
		now.Add(-l.AddrWindow).UnixMicro(), now.UnixMicro())
	if err != nil {
		return 0, s.internal("login guard purge", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
