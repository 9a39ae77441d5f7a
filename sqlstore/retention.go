package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// Retention is how long records are kept before Purge removes them
// (剩余信息保护 and 个人信息保护: nothing is kept longer than it is needed).
// A zero field keeps that record type for ever.
type Retention struct {
	// Sessions: revoked sessions, after their revocation, and sessions not
	// seen for this long (far beyond the idle and absolute timeouts).
	Sessions time.Duration
	// LoginFailures: the sign-in guard's failure counters (per address,
	// per unknown name) whose window began this long ago and that hold no
	// lock.
	LoginFailures time.Duration
	// Outbox: events already published to the bus, after publication.
	Outbox time.Duration
	// CallerPhones: the caller's phone of a closed incident, after closing.
	// The incident itself stays; its phone, index and mask are cleared.
	CallerPhones time.Duration
	// DisabledUserPII: the phone, ID number and TOTP secrets of an account
	// disabled this long. The account row stays for the audit trail.
	DisabledUserPII time.Duration
	// Positions: the units' fixes (unit_positions), by the fix's time.
	// At least MinPositionRetention: the track route reads the last 24
	// hours and patrol coverage replays the last minutes after a restart.
	// The unit's own last position (units.lon/lat) is never removed.
	Positions time.Duration
}

// MinPositionRetention is the shortest Positions retention Purge accepts:
// a day for GET /units/{id}/track's longest window (maxTrackWindow) and a
// day more, so that a track and the coverage replay (patrol.Replay, 15
// minutes) always find every fix they ask for.
const MinPositionRetention = 2 * maxTrackWindow

// PurgeReport counts what one Purge removed or rewrote.
type PurgeReport struct {
	Sessions      int64 `json:"sessions"`
	LoginFailures int64 `json:"login_failures"`
	Outbox        int64 `json:"outbox"`
	CallerPhones  int64 `json:"caller_phones"`
	DisabledUsers int64 `json:"disabled_users"`
	Positions     int64 `json:"positions"`
	Resealed      int   `json:"resealed"` // rows re-sealed from retired-to-be keys
}

// purgeBatch bounds each transaction, so a first purge of years of rows
// never holds the write lock for long.
const purgeBatch = 1000

// Purge deletes or clears what is older than r allows, then re-seals what
// is still sealed under a personal-data key other than the active one, so
// that after a rotation the old key is soon needed by nothing and can be
// retired (KeyUsage, zhudun keys retire). One audit row records the counts
// when anything changed. System caller only (the server's schedule, the
// CLI): EFORBIDDEN otherwise.
func (s *Store) Purge(ctx context.Context, r Retention) (PurgeReport, error) {
	var rep PurgeReport
	if c := zhudun.CallerFrom(ctx); c == nil || !c.System {
		return rep, zhudun.Errorf(zhudun.EFORBIDDEN, "purging is a system task")
	}
	if r.Positions > 0 && r.Positions < MinPositionRetention {
		return rep, zhudun.FieldError("positions", "positions are kept at least %v (the track window and the coverage replay read them)", MinPositionRetention)
	}
	now := s.clock()
	cut := func(d time.Duration) time.Time { return now.Add(-d) }
	type step struct {
		keep time.Duration
		n    *int64
		q    string // ?1 is the cut-off time
		// micros, when set, makes ?1 the cut-off and ?2 now, both in Unix
		// microseconds (how the sign-in guard keeps time).
		micros bool
	}
	steps := []step{
		{r.Sessions, &rep.Sessions, `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions
			WHERE (revoked_at IS NOT NULL AND revoked_at < ?1) OR last_seen_at < ?1 LIMIT 1000)`, false},
		{r.LoginFailures, &rep.LoginFailures, `DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures WHERE at < ?1 LIMIT 1000)`, false},
		// The sign-in guard's counters (per address, per unknown name):
		// those whose window began before the cut and hold no lock.
		{r.LoginFailures, &rep.LoginFailures, `DELETE FROM login_guard WHERE subject IN (SELECT subject FROM login_guard
			WHERE window_start < ?1 AND (locked_until IS NULL OR locked_until < ?2) LIMIT 1000)`, true},
		{r.Outbox, &rep.Outbox, `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox
			WHERE published_at IS NOT NULL AND published_at < ?1 LIMIT 1000)`, false},
		{r.CallerPhones, &rep.CallerPhones, `UPDATE incidents SET phone_enc = '', phone_idx = '', phone_mask = ''
			WHERE id IN (SELECT id FROM incidents WHERE closed_at < ?1 AND phone_enc <> '' LIMIT 1000)`, false},
		{r.DisabledUserPII, &rep.DisabledUsers, `UPDATE users SET phone_enc = '', phone_idx = '', phone_mask = '',
			idno_enc = '', idno_idx = '', idno_mask = '', totp_secret = '', totp_pending = ''
			WHERE id IN (SELECT id FROM users WHERE disabled AND disabled_at < ?1
				AND (phone_enc <> '' OR idno_enc <> '' OR totp_secret <> '' OR totp_pending <> '') LIMIT 1000)`, false},
	}
	for _, st := range steps {
		if st.keep <= 0 {
			continue
		}
		q := numbered(st.q)
		for {
			if err := ctx.Err(); err != nil {
				return rep, s.purgeStopped(ctx, rep, err)
			}
			var n int64
			err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
				args := []any{cut(st.keep)}
				if st.micros {
					args = []any{cut(st.keep).UnixMicro(), now.UnixMicro()}
				}
				res, err := tx.Tx.ExecContext(ctx, q, args...)
				if err != nil {
					return s.internal("purge", err)
				}
				n, _ = res.RowsAffected()
				return nil
			})
			if err != nil {
				return rep, s.purgeStopped(ctx, rep, err)
			}
			*st.n += n
			if n < purgeBatch {
				break
			}
		}
	}
	if r.Positions > 0 {
		n, err := s.purgePositions(ctx, cut(r.Positions))
		rep.Positions = n
		if err != nil {
			return rep, s.purgeStopped(ctx, rep, err)
		}
	}
	usage, err := s.KeyUsage(ctx)
	if err != nil {
		return rep, err
	}
	ids := s.keys.KeyIDs("pii")
	old := false
	for id, n := range usage {
		old = old || (id != ids[len(ids)-1] && n > 0)
	}
	if old {
		if rep.Resealed, err = s.RekeyPII(ctx); err != nil {
			return rep, err
		}
	}
	if rep == (PurgeReport{}) {
		return rep, nil
	}
	return rep, s.auditPurge(ctx, rep, false)
}

func (s *Store) auditPurge(ctx context.Context, rep PurgeReport, stopped bool) error {
	detail := any(rep)
	if stopped {
		detail = struct {
			PurgeReport
			Stopped bool `json:"stopped"`
		}{rep, true}
	}
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "retention.purge", ObjectType: "retention", Detail: Detail(detail)})
	})
}

// purgeStopped audits what a purge removed before it stopped on err (the
// server shutting down mid-way: what is deleted stays deleted, and is
// accounted for), and returns err.
func (s *Store) purgeStopped(ctx context.Context, rep PurgeReport, err error) error {
	if rep == (PurgeReport{}) {
		return err
	}
	if aerr := s.auditPurge(context.WithoutCancel(ctx), rep, true); aerr != nil {
		s.log.Error("retention purge audit", "err", aerr)
	}
	return err
}

// numbered turns ?1…?9, arguments that may be used more than once, into
// $1…$9, which SQLite and PostgreSQL both read by position (Rebind numbers
// plain ?s).
func numbered(q string) string {
	out := make([]byte, 0, len(q))
	for i := 0; i < len(q); i++ {
		if q[i] == '?' && i+1 < len(q) && q[i+1] >= '1' && q[i+1] <= '9' {
			out = append(out, '$', q[i+1])
			i++
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}

// KeyUsage counts, per personal-data key id, the sealed values stored under
// it: users' phones, ID numbers and TOTP secrets and incidents' caller
// phones, appeals' resident IDs, case people's ID numbers and phones. Keys of the keyring that seal nothing count 0. System caller only.
func (s *Store) KeyUsage(ctx context.Context) (map[int]int64, error) {
	if c := zhudun.CallerFrom(ctx); c == nil || !c.System {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "key usage is a system read")
	}
	out := map[int]int64{}
	for _, id := range s.keys.KeyIDs("pii") {
		like := "sm4gcm:v" + strconv.Itoa(id) + ":%"
		var n int64
		err := s.queryRow(ctx, `SELECT
			(SELECT COUNT(*) FROM users WHERE phone_enc LIKE ?) + (SELECT COUNT(*) FROM users WHERE idno_enc LIKE ?) +
			(SELECT COUNT(*) FROM users WHERE totp_secret LIKE ?) + (SELECT COUNT(*) FROM users WHERE totp_pending LIKE ?) +
			(SELECT COUNT(*) FROM incidents WHERE phone_enc LIKE ?) + (SELECT COUNT(*) FROM appeals WHERE idno_enc LIKE ?) +
			(SELECT COUNT(*) FROM people WHERE idno_enc LIKE ?) + (SELECT COUNT(*) FROM people WHERE phone_enc LIKE ?) +
			(SELECT COUNT(*) FROM case_attachments WHERE key_enc LIKE ?)`,
			like, like, like, like, like, like, like, like, like).Scan(&n)
		if err != nil {
			return nil, s.internal("key usage", err)
		}
		out[id] = n
	}
	return out, nil
}

// positionUnitsPerBatch is how many units one position purge statement
// names: the delete walks the index (unit_id, ts) per unit, so it costs
// what it removes, never a scan of the table (no index on ts alone, which
// every fix would pay for).
const positionUnitsPerBatch = 100

// purgePositions deletes the fixes older than cut, at most purgeBatch per
// transaction, units a hundred at a time, and stops when ctx ends (what it
// deleted until then stays deleted and is counted).
func (s *Store) purgePositions(ctx context.Context, cut time.Time) (int64, error) {
	var units []int64
	if err := s.eachRow(ctx, `SELECT id FROM units ORDER BY id`, func(sc scanner) error {
		var id int64
		if err := sc.Scan(&id); err != nil {
			return err
		}
		units = append(units, id)
		return nil
	}); err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, s.internal("purge positions", err)
	}
	cut = cut.UTC().Truncate(time.Microsecond)
	var total int64
	for len(units) > 0 {
		chunk := units[:min(positionUnitsPerBatch, len(units))]
		units = units[len(chunk):]
		args := make([]any, 0, len(chunk)+1)
		for _, id := range chunk {
			args = append(args, id)
		}
		args = append(args, cut)
		q := `DELETE FROM unit_positions WHERE id IN (SELECT id FROM unit_positions WHERE unit_id IN (?` +
			strings.Repeat(", ?", len(chunk)-1) + `) AND ts < ? LIMIT ` + strconv.Itoa(purgeBatch) + `)`
		for {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			var n int64
			err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
				res, err := tx.exec(ctx, q, args...)
				if err != nil {
					return s.internal("purge positions", err)
				}
				n, _ = res.RowsAffected()
				return nil
			})
			if err != nil {
				if ctx.Err() != nil {
					return total, ctx.Err()
				}
				return total, err
			}
			total += n
			if n < purgeBatch {
				break
			}
		}
	}
	return total, nil
}
