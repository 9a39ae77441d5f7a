package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// Case numbers: departments' prefixes and the serial counter
// (docs/cases.md, "Numbers").

// casePrefix is the number prefix in force for department d (see
// zhudun.DefaultCasePrefix).
func (s *Store) casePrefix(ctx context.Context, q querier, d *zhudun.Dept) (*zhudun.CasePrefix, error) {
	out := &zhudun.CasePrefix{Dept: d.Code}
	err := q.queryRow(ctx, `SELECT prefix FROM case_prefixes WHERE dept_id = ?`, d.ID).Scan(&out.Prefix)
	if err == nil {
		return out, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, s.internal("case prefix", err)
	}
	out.Default = true
	root := zhudun.DefaultCasePrefix
	if err := q.queryRow(ctx, `SELECT prefix FROM case_prefixes WHERE dept_id = ?`, zhudun.RootDeptID).Scan(&root); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, s.internal("case root prefix", err)
	}
	out.Prefix = root
	if d.ID != zhudun.RootDeptID {
		out.Prefix = root + d.Code
	}
	return out, nil
}

// CasePrefixFor returns the prefix in force for a department of the
// caller's case:read scope.
func (s *Store) CasePrefixFor(ctx context.Context, dept string) (*zhudun.CasePrefix, error) {
	var w where
	if _, err := scoped(ctx, &w, zhudun.PermCaseRead, deptCols); err != nil {
		return nil, err
	}
	w.add("d.code = ?", dept)
	d, err := scanDept(s.queryRow(ctx, deptSelect+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "department %s not found", dept)
	}
	if err != nil {
		return nil, s.internal("dept load", err)
	}
	return s.casePrefix(ctx, s, d)
}

// SetCasePrefix sets a department's number prefix (case:write over it).
// Numbers given already keep theirs; a prefix another department uses is
// ECONFLICT. Audited case.prefix.
func (s *Store) SetCasePrefix(ctx context.Context, dept, prefix string) (*zhudun.CasePrefix, error) {
	prefix = strings.TrimSpace(prefix)
	if err := zhudun.ValidCasePrefix(prefix); err != nil {
		return nil, err
	}
	var out *zhudun.CasePrefix
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		d, err := tx.deptInScope(ctx, dept, zhudun.PermCaseWrite)
		if err != nil {
			return err
		}
		old, err := tx.s.casePrefix(ctx, tx, d)
		if err != nil {
			return err
		}
		var other int64
		err = tx.queryRow(ctx, `SELECT dept_id FROM case_prefixes WHERE prefix = ? AND dept_id <> ?`, prefix, d.ID).Scan(&other)
		if err == nil {
			return zhudun.Errorf(zhudun.ECONFLICT, "prefix %s is another department's", prefix)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return tx.s.internal("case prefix check", err)
		}
		// The root's prefix in force numbers the root's cases even when it
		// is the default: no other department may take it.
		if d.ID != zhudun.RootDeptID {
			rp, err := tx.s.casePrefix(ctx, tx, &zhudun.Dept{ID: zhudun.RootDeptID, Code: zhudun.RootDeptCode})
			if err != nil {
				return err
			}
			if rp.Prefix == prefix {
				return zhudun.Errorf(zhudun.ECONFLICT, "prefix %s is the root department's", prefix)
			}
			// nor another department's default (the root's and its code)
			if code, ok := strings.CutPrefix(prefix, rp.Prefix); ok {
				var n int
				if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM depts WHERE code = ? AND id <> ?`, code, d.ID).Scan(&n); err != nil {
					return tx.s.internal("case prefix default check", err)
				}
				if n > 0 {
					return zhudun.Errorf(zhudun.ECONFLICT, "prefix %s is department %s's default", prefix, code)
				}
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO case_prefixes (dept_id, prefix, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (dept_id) DO UPDATE SET prefix = excluded.prefix, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			d.ID, prefix, zhudun.CallerFrom(ctx).Username, tx.now); err != nil {
			return tx.s.internal("case prefix set", err)
		}
		out = &zhudun.CasePrefix{Dept: d.Code, Prefix: prefix}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "case.prefix", ObjectType: "dept", ObjectID: d.Code,
			Detail: Detail(map[string]any{"from": old.Prefix, "to": prefix})})
	})
	return out, err
}

// fileNumber gives case c the next serial of its department and the
// filing year (China time, of at) and its number. The counter row is incremented
// in one statement — the row lock orders concurrent filings — and a
// rolled-back filing rolls its increment back with it, so no serial is
// given twice or skipped by a failure, and none is reused.
func (tx *Tx) fileNumber(ctx context.Context, c *zhudun.Case, at time.Time) error {
	year := at.In(zhudun.CST()).Year()
	var serial int
	if err := tx.queryRow(ctx, `INSERT INTO case_counters (dept_id, year, last) VALUES (?, ?, 1)
		ON CONFLICT (dept_id, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, c.DeptID, year).Scan(&serial); err != nil {
		return tx.s.internal("case counter", err)
	}
	d := &zhudun.Dept{ID: c.DeptID, Code: c.DeptCode}
	p, err := tx.s.casePrefix(ctx, tx, d)
	if err != nil {
		return err
	}
	number := zhudun.CaseNumber(p.Prefix, year, serial)
	var taken int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM cases WHERE number = ?`, number).Scan(&taken); err != nil {
		return tx.s.internal("case number check", err)
	}
	if taken > 0 {
		return zhudun.Errorf(zhudun.ECONFLICT, "number %s is taken: set the department's prefix", number)
	}
	_, err = tx.exec(ctx, `UPDATE cases SET number = ?, year = ?, serial = ?, serial_dept_id = ? WHERE id = ?`, number, year, serial, c.DeptID, c.ID)
	return tx.s.internalIf("case number", err)
}
