package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/pii"
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

// rowMessage is what a row's signature covers: its place and its hash. The
// hash covers the content and the link to the previous row, so a row whose
// content was edited and its hash recomputed no longer matches its
// signature, while the rows after it (re-hashed to follow) do not either.
func rowMessage(seq int64, hash string) []byte {
	return fmt.Appendf(nil, "zhudun-audit-row|%d|%s", seq, hash)
}

// witnessMessage is what a witnessed head's signature covers.
func witnessMessage(instance string, seq int64, hash string) []byte {
	return fmt.Appendf(nil, "zhudun-audit-witness|%s|%d|%s", instance, seq, hash)
}

// auditColumns are audit_log's columns in scanAudit's order.
const auditColumns = `seq, at, user_id, username, dept_code, dept_path, action, object_type, object_id, result, client_addr, detail, prev_hash, hash, sig`

// Detail marshals v for an audit row's detail; it panics on values that
// cannot be marshalled, which is a programming error.
//
// A "reason" is free text a caller typed; every audited reason passes here,
// so this is where phone numbers and resident IDs inside it are masked
// (pii.MaskText): "回拨 13912345678" is kept as "回拨 139****5678".
func Detail(v any) json.RawMessage {
	if m, ok := v.(map[string]any); ok {
		if r, ok := m["reason"].(string); ok {
			m["reason"] = pii.MaskText(r)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// audit appends a row to the chain inside tx, filling actor fields from the
// caller in ctx, and emits an audit.appended event. The chain lock is taken
// first so that concurrent writers (the server and the CLI) form one line.
func (tx *Tx) audit(ctx context.Context, e *zhudun.AuditEntry) error {
	c := zhudun.CallerFrom(ctx)
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
	if tx.grp != nil {
		return tx.grp.audit(ctx, tx, e)
	}
	// Alone: the row is written at once, as a group of one.
	g := &groupState{}
	if err := g.chain(ctx, tx, e); err != nil {
		return err
	}
	if err := g.flushChain(ctx, tx.Tx, tx.s); err != nil {
		return err
	}
	tx.head = e
	return tx.emit(ctx, auditEvent(e))
}

// auditEvent is the audit.appended event of row e.
func auditEvent(e *zhudun.AuditEntry) zhudun.Event {
	return zhudun.Event{
		Type: "audit.appended", Perm: zhudun.PermAuditRead, DeptPath: e.DeptPath, OwnerID: e.UserID,
		Data: Detail(auditEventData{Seq: e.Seq, At: e.At, Username: e.Username, DeptCode: e.DeptCode, Action: e.Action,
			ObjectType: e.ObjectType, ObjectID: e.ObjectID, Result: e.Result}),
	}
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
	return s.writeGrouped(ctx, func(ctx context.Context, tx *Tx) error { return tx.audit(ctx, e) })
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
	rows, err := s.query(ctx, `SELECT `+auditColumns+`
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
	if err := rows.Err(); err != nil {
		return nil, 0, s.internal("audit rows", err)
	}
	rows.Close()
	return out, total, s.auditDeptNames(ctx, out)
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
		&e.Result, &e.ClientAddr, &detail, &e.PrevHash, &e.Hash, &e.Sig); err != nil {
		return nil, err
	}
	e.UserID = uid.Int64
	e.At = e.At.UTC()
	if detail.Valid {
		e.Detail = json.RawMessage(detail.String)
	}
	return &e, nil
}

// witnessHead signs the chain's new head and hands it to the witness. It
// runs after the commit: a head is never witnessed that the database does
// not hold. When the witness cannot be written the change is stored but the
// request fails, so that nobody takes an unwitnessed head for a safe one.
func (s *Store) witnessHead(ctx context.Context, seq int64, hash string) error {
	if s.witness == nil {
		return nil
	}
	h := zhudun.AuditHead{Instance: s.instance, Seq: seq, Hash: hash, Sig: s.keys.SignAnchor(witnessMessage(s.instance, seq, hash))}
	// The request's context may end now; the head must still be written.
	if err := s.witness.Append(context.WithoutCancel(ctx), h); err != nil {
		s.log.Error("audit witness", "seq", seq, "err", err)
		return &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "the change is stored, but the audit witness could not be written"}
	}
	return nil
}

// witnessBaseline gives an empty witness the current head when the log holds
// no signed row yet (a database from before witnesses): from then on the
// witness only moves forward. It never re-bases a witness that lost its
// heads — verification reports that.
func (s *Store) witnessBaseline(ctx context.Context) error {
	if s.witness == nil {
		return nil
	}
	n := 0
	if err := s.witness.Heads(ctx, s.instance, func(zhudun.AuditHead) error { n++; return errStop }); err != nil && err != errStop {
		return err
	}
	if n > 0 {
		return nil
	}
	var signed int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE sig <> ''`).Scan(&signed); err != nil {
		return s.internal("audit signed rows", err)
	}
	if signed > 0 {
		return nil
	}
	var seq int64
	var hash string
	if err := s.queryRow(ctx, `SELECT head_seq, head_hash FROM audit_anchor WHERE id = 1`).Scan(&seq, &hash); err != nil {
		return s.internal("audit anchor", err)
	}
	return s.witnessHead(ctx, seq, hash)
}

// WitnessCurrentHead hands the anchored head to the witness as it is: for
// a restore (installer only), which starts a data directory's witness at
// the restored database. Restored under a witness that is ahead, verify
// still reports the database behind it.
func (s *Store) WitnessCurrentHead(ctx context.Context) error {
	if c := zhudun.CallerFrom(ctx); c == nil || !c.System {
		return zhudun.Errorf(zhudun.EFORBIDDEN, "an installer command")
	}
	var seq int64
	var hash string
	if err := s.queryRow(ctx, `SELECT head_seq, head_hash FROM audit_anchor WHERE id = 1`).Scan(&seq, &hash); err != nil {
		return s.internal("audit anchor", err)
	}
	return s.witnessHead(ctx, seq, hash)
}

var errStop = errors.New("stop")

// witnessed returns the highest valid head in the witness, and a problem
// when an entry is malformed or its signature does not verify.
func (s *Store) witnessed(ctx context.Context) (top zhudun.AuditHead, entries int, problem string, err error) {
	i := 0
	err = s.witness.Heads(ctx, s.instance, func(h zhudun.AuditHead) error {
		i++
		if h.Seq < 0 || !s.keys.VerifyAnchor(witnessMessage(s.instance, h.Seq, h.Hash), h.Sig) {
			problem = fmt.Sprintf("witness entry %d is malformed or its signature is invalid: the head log was edited", i)
			return errStop
		}
		entries++
		if h.Seq > top.Seq || entries == 1 {
			top = h
		}
		return nil
	})
	if err == errStop {
		err = nil
	}
	return top, entries, problem, err
}

// VerifyAudit walks the whole chain in order and checks every row's hash
// and signature, the links between rows, that sequence numbers have no gap,
// that the head matches the anchor signed with a key the database does not
// hold, and that the database is not behind the highest head its witness
// recorded (a restored older copy, or newest rows deleted with an older
// anchor put back). It does not rely on the database's append-only triggers.
// It reports the first problem found: for an edited row, the row itself,
// even when every later hash was recomputed.
func (s *Store) VerifyAudit(ctx context.Context) (*zhudun.AuditReport, error) {
	c := zhudun.CallerFrom(ctx)
	if c == nil || !c.Has(zhudun.PermAuditRead) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission audit:read required")
	}
	rep := &zhudun.AuditReport{CheckedAt: s.clock()}
	fail := func(seq int64, reason string) (*zhudun.AuditReport, error) {
		rep.Problem = &zhudun.AuditProblem{Seq: seq, Reason: reason}
		s.raise(ctx, zhudun.SecurityEvent{Event: zhudun.SecAuditVerifyFailed, Subject: "audit_log", Username: c.Username, ClientAddr: c.ClientAddr,
			Detail: map[string]any{"seq": seq, "reason": reason}})
		return rep, nil
	}
	var wtop zhudun.AuditHead
	witnessEntries := 0
	if s.witness != nil {
		var problem string
		var err error
		wtop, witnessEntries, problem, err = s.witnessed(ctx)
		if err != nil {
			return nil, s.internal("audit witness", err)
		}
		if problem != "" {
			return fail(0, problem)
		}
	}
	var baseSeq, headSeq int64
	var baseHash, headHash, sig string
	if err := s.queryRow(ctx, `SELECT base_seq, base_hash, head_seq, head_hash, sig FROM audit_anchor WHERE id = 1`).
		Scan(&baseSeq, &baseHash, &headSeq, &headHash, &sig); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fail(0, "anchor missing")
		}
		return nil, s.internal("audit anchor", err)
	}
	anchorOK := s.keys.VerifyAnchor(anchorMessage(baseSeq, baseHash, headSeq, headHash), sig)
	rows, err := s.query(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return nil, s.internal("audit verify", err)
	}
	defer rows.Close()
	prevSeq, prevHash := baseSeq, baseHash
	signed := false     // a signed row was seen: every later one must be signed too
	witnessedHash := "" // the table's hash at the witness's head
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
		case e.Sig == "" && signed:
			return fail(e.Seq, "altered: the row's signature was removed")
		case e.Sig != "" && !s.keys.VerifyAnchor(rowMessage(e.Seq, e.Hash), e.Sig):
			return fail(e.Seq, "altered: row content does not match its signature (hashes recomputed after an edit?)")
		case e.PrevHash != prevHash:
			return fail(e.Seq, "altered or reordered: previous-hash link broken")
		}
		signed = signed || e.Sig != ""
		if e.Seq == wtop.Seq {
			witnessedHash = e.Hash
		}
		prevSeq, prevHash = e.Seq, e.Hash
		rep.LastSeq, rep.HeadHash = e.Seq, e.Hash
	}
	if err := rows.Err(); err != nil {
		return nil, s.internal("audit verify rows", err)
	}
	if anchorOK && prevSeq < headSeq {
		return fail(prevSeq+1, fmt.Sprintf("deleted: the anchor records %d rows up to %d; the log ends at %d", headSeq-baseSeq, headSeq, prevSeq))
	}
	if s.witness != nil {
		switch {
		case witnessEntries == 0 && signed:
			return fail(0, "witness missing: the head log holds no head for this database, though its rows were witnessed")
		case witnessEntries > 0 && wtop.Seq > prevSeq:
			return fail(wtop.Seq, fmt.Sprintf("database behind its witness at seq %d: the log ends at %d (rolled back or restored from an older copy)", wtop.Seq, prevSeq))
		case witnessEntries > 0 && wtop.Seq > baseSeq && witnessedHash != wtop.Hash:
			return fail(wtop.Seq, fmt.Sprintf("altered: row %d does not match its witness", wtop.Seq))
		}
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

// auditDeptNames names the rows' departments for the audit page: the
// auditor holds no dept:read, and a code alone tells a reader little. A
// department's name is not personal data and not part of the hash.
func (s *Store) auditDeptNames(ctx context.Context, rows []*zhudun.AuditEntry) error {
	codes := map[string]string{}
	var args []any
	for _, e := range rows {
		if _, ok := codes[e.DeptCode]; e.DeptCode != "" && !ok {
			codes[e.DeptCode] = ""
			args = append(args, e.DeptCode)
		}
	}
	if len(args) == 0 {
		return nil
	}
	q, err := s.query(ctx, `SELECT code, name FROM depts WHERE code IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...)
	if err != nil {
		return s.internal("audit dept names", err)
	}
	defer q.Close()
	for q.Next() {
		var code, name string
		if err := q.Scan(&code, &name); err != nil {
			return s.internal("audit dept names", err)
		}
		codes[code] = name
	}
	for _, e := range rows {
		e.DeptName = codes[e.DeptCode]
	}
	return s.internalIf("audit dept names", q.Err())
}
