package sqlstore

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/zhudun/zhudun"
)

// AuditRetention is the shortest time audit rows stay in the live table
// (MLPS asks at least six months).
const AuditRetention = 183 * 24 * time.Hour

type archiveHeader struct {
	Format   string `json:"zhudun_audit_archive"`
	BaseSeq  int64  `json:"base_seq"`
	BaseHash string `json:"base_hash"`
	LastSeq  int64  `json:"last_seq"`
	LastHash string `json:"last_hash"`
	Sig      string `json:"sig"`
}

func archiveMessage(h archiveHeader) []byte {
	return fmt.Appendf(nil, "zhudun-audit-archive|%d|%s|%d|%s", h.BaseSeq, h.BaseHash, h.LastSeq, h.LastHash)
}

// archiveRow is an audit row as written to an archive, with the fields the
// API hides (dept_path) that the hash covers.
type archiveRow struct {
	zhudun.AuditEntry
	DeptPath string `json:"dept_path"`
	Sig      string `json:"sig,omitempty"`
}

// ArchiveAudit moves the oldest audit rows, those before cutoff (which must
// be at least AuditRetention ago), to w as JSON lines under a signed header,
// and re-bases the live chain on the last archived row. Both the archive and
// the remaining table verify on their own.
func (s *Store) ArchiveAudit(ctx context.Context, cutoff time.Time, w io.Writer) (int, error) {
	c := zhudun.CallerFrom(ctx)
	if c == nil || !c.System {
		return 0, zhudun.Errorf(zhudun.EFORBIDDEN, "archiving is an installer command")
	}
	if cutoff.After(s.clock().Add(-AuditRetention)) {
		return 0, zhudun.FieldError("before", "audit rows are kept at least 6 months; choose a date before %s", s.clock().Add(-AuditRetention).Format("2006-01-02"))
	}
	n := 0
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		if err := tx.s.dialect.LockChain(ctx, tx.Tx); err != nil {
			return tx.s.internal("archive lock", err)
		}
		var h archiveHeader
		var headSeq int64
		var headHash string
		if err := tx.queryRow(ctx, `SELECT base_seq, base_hash, head_seq, head_hash FROM audit_anchor WHERE id = 1`).Scan(&h.BaseSeq, &h.BaseHash, &headSeq, &headHash); err != nil {
			return tx.s.internal("archive anchor", err)
		}
		rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE seq > ? ORDER BY seq`, h.BaseSeq)
		if err != nil {
			return tx.s.internal("archive select", err)
		}
		var out []*zhudun.AuditEntry
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				rows.Close()
				return tx.s.internal("archive scan", err)
			}
			if !e.At.Before(cutoff) {
				break
			}
			out = append(out, e)
		}
		rows.Close()
		if len(out) == 0 {
			return nil
		}
		// Only an intact prefix is archived: a broken chain must be seen by
		// verify, not carried away.
		prev, prevHash := h.BaseSeq, h.BaseHash
		for _, e := range out {
			if e.Seq != prev+1 || e.PrevHash != prevHash || auditHash(e) != e.Hash || (e.Sig != "" && !tx.s.keys.VerifyAnchor(rowMessage(e.Seq, e.Hash), e.Sig)) {
				return zhudun.Errorf(zhudun.ECONFLICT, "audit row %d does not verify; run 'zhudun audit verify' before archiving", e.Seq)
			}
			prev, prevHash = e.Seq, e.Hash
		}
		h.Format, h.LastSeq, h.LastHash = "1", prev, prevHash
		h.Sig = tx.s.keys.SignAnchor(archiveMessage(h))
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		if err := enc.Encode(h); err != nil {
			return err
		}
		for _, e := range out {
			if err := enc.Encode(archiveRow{AuditEntry: *e, DeptPath: e.DeptPath, Sig: e.Sig}); err != nil {
				return err
			}
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		// The anchor moves its base first: the delete trigger lets only rows
		// at or below the anchor's base go (migration 0004).
		sig := tx.s.keys.SignAnchor(anchorMessage(h.LastSeq, h.LastHash, headSeq, headHash))
		if _, err := tx.exec(ctx, `UPDATE audit_anchor SET base_seq = ?, base_hash = ?, sig = ?, updated_at = ? WHERE id = 1`, h.LastSeq, h.LastHash, sig, tx.now); err != nil {
			return tx.s.internal("archive anchor update", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM audit_log WHERE seq <= ?`, h.LastSeq); err != nil {
			return tx.s.internal("archive delete", err)
		}
		n = len(out)
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "audit.archive", ObjectType: "audit_log",
			Detail: Detail(map[string]any{"rows": n, "first_seq": out[0].Seq, "last_seq": h.LastSeq, "before": cutoff})})
	})
	return n, err
}

// VerifyAuditArchive checks an archive written by ArchiveAudit: its signed
// header, and every row's hash and link from the header's base to its last.
func (s *Store) VerifyAuditArchive(ctx context.Context, r io.Reader) (*zhudun.AuditReport, error) {
	rep := &zhudun.AuditReport{CheckedAt: s.clock()}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	if !sc.Scan() {
		rep.Problem = &zhudun.AuditProblem{Reason: "empty archive"}
		return rep, nil
	}
	var h archiveHeader
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil || h.Format != "1" {
		rep.Problem = &zhudun.AuditProblem{Reason: "line 1: not a zhudun audit archive header"}
		return rep, nil
	}
	if !s.keys.VerifyAnchor(archiveMessage(h), h.Sig) {
		rep.Problem = &zhudun.AuditProblem{Seq: h.LastSeq, Reason: "header signature invalid"}
		return rep, nil
	}
	prev, prevHash := h.BaseSeq, h.BaseHash
	line := 1
	for sc.Scan() {
		line++
		var ar archiveRow
		if err := json.Unmarshal(sc.Bytes(), &ar); err != nil {
			rep.Problem = &zhudun.AuditProblem{Seq: prev + 1, Reason: fmt.Sprintf("line %d: malformed", line)}
			return rep, nil
		}
		e := ar.AuditEntry
		e.DeptPath, e.Sig = ar.DeptPath, ar.Sig
		if rep.Rows == 0 {
			rep.FirstSeq = e.Seq
		}
		rep.Rows++
		switch {
		case e.Seq != prev+1:
			rep.Problem = &zhudun.AuditProblem{Seq: prev + 1, Reason: "deleted or reordered"}
		case auditHash(&e) != e.Hash:
			rep.Problem = &zhudun.AuditProblem{Seq: e.Seq, Reason: "altered: row content does not match its hash"}
		case e.Sig != "" && !s.keys.VerifyAnchor(rowMessage(e.Seq, e.Hash), e.Sig):
			rep.Problem = &zhudun.AuditProblem{Seq: e.Seq, Reason: "altered: row content does not match its signature"}
		case e.PrevHash != prevHash:
			rep.Problem = &zhudun.AuditProblem{Seq: e.Seq, Reason: "altered: previous-hash link broken"}
		}
		if rep.Problem != nil {
			return rep, nil
		}
		prev, prevHash = e.Seq, e.Hash
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if prev != h.LastSeq || prevHash != h.LastHash {
		rep.Problem = &zhudun.AuditProblem{Seq: prev + 1, Reason: fmt.Sprintf("deleted: the header records rows up to %d; the archive ends at %d", h.LastSeq, prev)}
		return rep, nil
	}
	rep.OK, rep.LastSeq, rep.HeadHash = true, prev, prevHash
	return rep, nil
}

// RequirePasswordChange makes the user change the password at next login
// (after an installer set a generated one).
func (s *Store) RequirePasswordChange(ctx context.Context, id int64) error {
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		u, err := tx.userInScope(ctx, id, zhudun.PermUserWrite)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET must_change = ? WHERE id = ?`, true, id); err != nil {
			return tx.s.internal("must change", err)
		}
		return tx.userChanged(ctx, "user.must_change", u, nil)
	})
}
