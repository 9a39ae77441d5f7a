package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
)

// auditHash is SM3 over every stored field of a row and the previous hash,
// each length-prefixed, so that no field can be shifted into another.
func auditHash(e *zhudun.AuditEntry) string {
	detail := e.Detail
	if len(detail) == 0 {
		detail = []byte("null")
	}
	return gmcrypto.SM3Hex(
		[]byte(e.PrevHash),
		[]byte(strconv.FormatInt(e.Seq, 10)),
		[]byte(e.At.UTC().Format(time.RFC3339Nano)),
		[]byte(strconv.FormatInt(e.UserID, 10)),
		[]byte(e.Username), []byte(e.DeptCode), []byte(e.DeptPath),
		[]byte(e.Action), []byte(e.ObjectType), []byte(e.ObjectID),
		[]byte(e.Result), []byte(e.ClientAddr), detail,
	)
}

// anchorMessage is what the anchor's signature covers: the base of the chain
// still in the table (after archiving) and its head.
func anchorMessage(baseSeq int64, baseHash string, headSeq int64, headHash string) []byte {
	return fmt.Appendf(nil, "zhudun-audit-anchor|%d|%s|%d|%s", baseSeq, baseHash, headSeq, headHash)
}

// Detail marshals v for an audit row's detail; it panics on values that
// cannot be marshalled, which is a programming error.
func Detail(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// audit appends a row to the chain inside tx, filling actor fields from the
// caller in ctx, and emits an audit.appended event. The chain lock is taken
// first so that concurrent writers (the server and the CLI) form one line.
func (tx *Tx) audit(e *zhudun.AuditEntry) error {
	c := zhudun.CallerFrom(tx.ctx)
	if c != nil {
		if e.UserID == 0 && e.Username == "" {
			e.UserID, e.Username, e.DeptCode, e.DeptPath = c.UserID, c.Username, c.DeptCode, c.DeptPath
		}
		if e.ClientAddr == "" {
			e.ClientAddr = c.ClientAddr
		}
	}
	if e.Result == "" {
		e.Result = zhudun.ResultOK
	}
	if e.DeptPath == "" {
		e.DeptPath = "/"
	}
	if err := tx.s.dialect.LockChain(tx.ctx, tx.Tx); err != nil {
		return tx.s.internal("audit lock", err)
	}
	var baseSeq, headSeq int64
	var baseHash, headHash string
	err := tx.queryRow(`SELECT base_seq, base_hash, head_seq, head_hash FROM audit_anchor WHERE id = 1`).Scan(&baseSeq, &baseHash, &headSeq, &headHash)
	if err != nil {
		return tx.s.internal("audit anchor", err)
	}
	e.Seq = headSeq + 1
	e.PrevHash = headHash
	e.At = tx.now
	e.Hash = auditHash(e)
	detail := sql.NullString{}
	if len(e.Detail) > 0 {
		detail = sql.NullString{String: string(e.Detail), Valid: true}
	}
	_, err = tx.exec(`INSERT INTO audit_log (seq, at, user_id, username, dept_code, dept_path, action, object_type, object_id, result, client_addr, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At, e.UserID, e.Username, e.DeptCode, e.DeptPath, e.Action, e.ObjectType, e.ObjectID, e.Result, e.ClientAddr, detail, e.PrevHash, e.Hash)
	if err != nil {
		return tx.s.internal("audit insert", err)
	}
	sig := tx.s.keys.SignAnchor(anchorMessage(baseSeq, baseHash, e.Seq, e.Hash))
	if _, err := tx.exec(`UPDATE audit_anchor SET head_seq = ?, head_hash = ?, sig = ?, updated_at = ? WHERE id = 1`, e.Seq, e.Hash, sig, tx.now); err != nil {
		return tx.s.internal("audit anchor update", err)
	}
	return tx.emit(zhudun.Event{
		Type: "audit.appended", Perm: zhudun.PermAuditRead, DeptPath: e.DeptPath, OwnerID: e.UserID,
		Data: Detail(auditEventData{Seq: e.Seq, At: e.At, Username: e.Username, DeptCode: e.DeptCode, Action: e.Action,
			ObjectType: e.ObjectType, ObjectID: e.ObjectID, Result: e.Result}),
	})
}

type auditEventData struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Username   string    `json:"username"`
	DeptCode   string    `json:"dept_code,omitempty"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type,omitempty"`
	ObjectID   string    `json:"object_id,omitempty"`
	Result     string    `json:"result"`
}

// Record appends an audit row for something that changed no data: a denied
// request, a failed login, an export, a read of the audit log.
func (s *Store) Record(ctx context.Context, e *zhudun.AuditEntry) error {
	return s.write(ctx, func(tx *Tx) error { return tx.audit(e) })
}

var auditCols = scopeCols{Path: "dept_path", Owner: "user_id"}

// FindAudit lists audit rows newest first within the caller's audit:read scope.
func (s *Store) FindAudit(ctx context.Context, f zhudun.AuditFilter) ([]*zhudun.AuditEntry, int, error) {
	var w where
	sf, err := zhudun.ScopeFor(ctx, zhudun.PermAuditRead)
	if err != nil {
		return nil, 0, err
	}
	if sf.Kind == zhudun.ScopeDept {
		// Audit rows carry the actor's department path, not its id.
		c := zhudun.CallerFrom(ctx)
		w.add("dept_path = ?", c.DeptPath)
	} else {
		pred, args, err := scopeSQL(sf, auditCols)
		if err != nil {
			return nil, 0, err
		}
		w.add(pred, args...)
	}
	if !f.From.IsZero() {
		w.add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.add("at < ?", f.To.UTC())
	}
	if f.Username != "" {
		w.add("username = ?", f.Username)
	}
	if f.Action != "" {
		w.add("action LIKE ? ESCAPE '\\'", likePrefix(f.Action))
	}
	if f.ObjectType != "" {
		w.add("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		w.add("object_id = ?", f.ObjectID)
	}
	if f.Result != "" {
		w.add("result = ?", f.Result)
	}
	if f.AfterSeq > 0 {
		w.add("seq > ?", f.AfterSeq)
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM audit_log`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.internal("audit count", err)
	}
	off, lim := page(f.Offset, f.Limit)
	rows, err := s.query(ctx, `SELECT seq, at, user_id, username, dept_code, dept_path, action, object_type, object_id, result, client_addr, detail, prev_hash, hash
		FROM audit_log`+w.sql()+` ORDER BY seq DESC LIMIT ? OFFSET ?`, append(w.args, lim, off)...)
	if err != nil {
		return nil, 0, s.internal("audit list", err)
	}
	defer rows.Close()
	var out []*zhudun.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, 0, s.internal("audit scan", err)
		}
		out = append(out, e)
	}
	return out, total, s.internalIf("audit rows", rows.Err())
}

func (s *Store) internalIf(op string, err error) error {
	if err == nil {
		return nil
	}
	return s.internal(op, err)
}

func likePrefix(p string) string {
	return likeArg(p)[1:] // drop the leading %: a prefix match
}

type scanner interface{ Scan(dest ...any) error }

func scanAudit(r scanner) (*zhudun.AuditEntry, error) {
	var e zhudun.AuditEntry
	var detail sql.NullString
	var uid sql.NullInt64
	if err := r.Scan(&e.Seq, &e.At, &uid, &e.Username, &e.DeptCode, &e.DeptPath, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.Result, &e.ClientAddr, &detail, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.UserID = uid.Int64
	e.At = e.At.UTC()
	if detail.Valid {
		e.Detail = json.RawMessage(detail.String)
	}
	return &e, nil
}

// VerifyAudit walks the whole chain in order and checks every row's hash, the
// links between rows, that sequence numbers have no gap, and that the head
// matches the anchor signed with a key the database does not hold. It does
// not rely on the database's append-only triggers. It reports the first
// problem found.
func (s *Store) VerifyAudit(ctx context.Context) (*zhudun.AuditReport, error) {
	c := zhudun.CallerFrom(ctx)
	if c == nil || !c.Has(zhudun.PermAuditRead) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission audit:read required")
	}
	rep := &zhudun.AuditReport{CheckedAt: s.clock()}
	var baseSeq, headSeq int64
	var baseHash, headHash, sig string
	if err := s.queryRow(ctx, `SELECT base_seq, base_hash, head_seq, head_hash, sig FROM audit_anchor WHERE id = 1`).
		Scan(&baseSeq, &baseHash, &headSeq, &headHash, &sig); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			rep.Problem = &zhudun.AuditProblem{Reason: "anchor missing"}
			return rep, nil
		}
		return nil, s.internal("audit anchor", err)
	}
	anchorOK := s.keys.VerifyAnchor(anchorMessage(baseSeq, baseHash, headSeq, headHash), sig)
	rows, err := s.query(ctx, `SELECT seq, at, user_id, username, dept_code, dept_path, action, object_type, object_id, result, client_addr, detail, prev_hash, hash
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return nil, s.internal("audit verify", err)
	}
	defer rows.Close()
	prevSeq, prevHash := baseSeq, baseHash
	fail := func(seq int64, reason string) (*zhudun.AuditReport, error) {
		rep.Problem = &zhudun.AuditProblem{Seq: seq, Reason: reason}
		s.raise(ctx, zhudun.SecurityEvent{Event: zhudun.SecAuditVerifyFailed, Subject: "audit_log", Username: c.Username, ClientAddr: c.ClientAddr,
			Detail: map[string]any{"seq": seq, "reason": reason}})
		return rep, nil
	}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, s.internal("audit verify scan", err)
		}
		if rep.Rows == 0 {
			rep.FirstSeq = e.Seq
		}
		rep.Rows++
		switch {
		case e.Seq <= prevSeq:
			return fail(e.Seq, "reordered: sequence does not increase")
		case e.Seq > prevSeq+1:
			return fail(prevSeq+1, fmt.Sprintf("deleted: rows %d to %d are missing", prevSeq+1, e.Seq-1))
		case auditHash(e) != e.Hash:
			return fail(e.Seq, "altered: row content does not match its hash")
		case e.PrevHash != prevHash:
			return fail(e.Seq, "altered or reordered: previous-hash link broken")
		}
		prevSeq, prevHash = e.Seq, e.Hash
		rep.LastSeq, rep.HeadHash = e.Seq, e.Hash
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("audit verify rows", err)
	}
	switch {
	case !anchorOK:
		return fail(headSeq, "anchor signature invalid: the chain head was rewritten without the audit key")
	case prevSeq < headSeq:
		return fail(prevSeq+1, fmt.Sprintf("deleted: the anchor records %d rows up to %d; the log ends at %d", headSeq-baseSeq, headSeq, prevSeq))
	case prevSeq > headSeq:
		return fail(headSeq+1, "appended outside zhudun: rows after the anchored head")
	case prevHash != headHash:
		return fail(headSeq, "altered: the last row does not match the anchored head")
	}
	rep.OK = true
	if rep.Rows == 0 {
		rep.FirstSeq, rep.LastSeq = baseSeq, baseSeq
	}
	return rep, nil
}
