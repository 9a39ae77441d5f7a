package sqlstore

import (
	"context"
	"strconv"

	"github.com/zhudun/zhudun"
)

// scopeCols names the columns a table's data scope is decided on. They are
// constants in this package, never request text.
type scopeCols struct {
	Path   string // department materialised path of the record
	DeptID string // department id of the record
	Owner  string // user who owns the record ("" when the table has none)
}

// scopeSQL turns a scope filter into a parameterised predicate. Anything it
// does not know fails closed with EFORBIDDEN, and a self scope on a table
// without an owner matches nothing.
func scopeSQL(f zhudun.ScopeFilter, c scopeCols) (string, []any, error) {
	switch f.Kind {
	case zhudun.ScopeAll:
		return "1 = 1", nil, nil
	case zhudun.ScopeSubtree:
		if f.DeptPath == "" {
			break
		}
		// A prefix compared as a prefix, not "LIKE ?": SQLite re-prepares a
		// statement whose LIKE pattern is a bound parameter every time the
		// value is bound (the pattern decides the plan), which was 7 % of
		// the CPU at 2,000 unit fixes a second (docs/livemap.md). The
		// length is a number of this code's, so the statement texts are one
		// per depth of the tree; paths are ASCII ids and slashes, so bytes
		// and characters agree on both backends.
		return "substr(" + c.Path + ", 1, " + strconv.Itoa(len(f.DeptPath)) + ") = ?", []any{f.DeptPath}, nil
	case zhudun.ScopeDept:
		if f.DeptID == 0 {
			break
		}
		return c.DeptID + " = ?", []any{f.DeptID}, nil
	case zhudun.ScopeSelf:
		if f.UserID == 0 {
			break
		}
		if c.Owner == "" {
			return "1 = 0", nil, nil
		}
		return c.Owner + " = ?", []any{f.UserID}, nil
	}
	return "", nil, zhudun.Errorf(zhudun.EFORBIDDEN, "data scope not recognised")
}

// scoped adds the caller's scope predicate for perm to w.
func scoped(ctx context.Context, w *where, perm zhudun.Permission, c scopeCols) (zhudun.ScopeFilter, error) {
	f, err := zhudun.ScopeFor(ctx, perm)
	if err != nil {
		return f, err
	}
	pred, args, err := scopeSQL(f, c)
	if err != nil {
		return f, err
	}
	w.add(pred, args...)
	return f, nil
}
