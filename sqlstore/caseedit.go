package sqlstore

import (
	"context"
	"slices"
	"strings"

	"github.com/zhudun/zhudun"
)

// Editing a case after opening (docs/cases.md): title, type, owning
// department, lead and team.

var _ zhudun.CaseEditor = (*Store)(nil)

// UpdateCase changes a case the caller may write (not merged), validated
// as at creation: the type from the dictionary in force (its version
// updated), lead and team enabled users within the caller's case:write
// scope, the new department within it too. A moved case keeps its number
// and receipt (the serial stays counted to the department that gave it),
// its team and its campaign tags. Each changed field is a row of the
// change, in one timeline event (kind edit) and one audit row case.update,
// with before and after; a change to nothing is no event.
func (s *Store) UpdateCase(ctx context.Context, id int64, u zhudun.CaseUpdate) (*zhudun.CaseDetail, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		c, err := tx.writableCase(ctx, id)
		if err != nil {
			return err
		}
		var changes []zhudun.CaseChange
		var sets []string
		var args []any
		set := func(field, before, after, col string, v any) {
			changes = append(changes, zhudun.CaseChange{Field: field, Before: before, After: after})
			if col != "" {
				sets = append(sets, col)
				args = append(args, v)
			}
		}
		if u.Title != nil && *u.Title != c.Title {
			set("title", c.Title, *u.Title, "title = ?", *u.Title)
		}
		if u.Type != nil && (*u.Type != c.Type || c.TypeVersion != zhudun.CaseTypesVersion) {
			set("type", c.Type, *u.Type, "type = ?", *u.Type)
			sets, args = append(sets, "type_version = ?"), append(args, zhudun.CaseTypesVersion)
		}
		if u.Dept != nil && *u.Dept != c.DeptCode {
			d, err := tx.deptInScope(ctx, *u.Dept, zhudun.PermCaseWrite)
			if err != nil {
				return zhudun.FieldError("dept", "%s", zhudun.ErrorMessage(err))
			}
			if d.Disabled {
				return zhudun.FieldError("dept", "department %s is disabled", d.Code)
			}
			set("dept", c.DeptCode, d.Code, "dept_id = ?", d.ID)
		}
		// the team as it is, by id
		var team []int64
		rows, err := tx.query(ctx, `SELECT user_id FROM case_team WHERE case_id = ? ORDER BY user_id`, id)
		if err != nil {
			return tx.s.internal("case team", err)
		}
		for rows.Next() {
			var uid int64
			if err := rows.Scan(&uid); err != nil {
				rows.Close()
				return tx.s.internal("case team scan", err)
			}
			team = append(team, uid)
		}
		rows.Close()
		lead, newTeam := c.LeadID, team
		if u.Lead != nil {
			lead = *u.Lead
		}
		if u.Team != nil {
			newTeam = slices.Clone(*u.Team)
		}
		newTeam = slices.DeleteFunc(newTeam, func(x int64) bool { return x == lead || x <= 0 })
		slices.Sort(newTeam)
		newTeam = slices.Compact(newTeam)
		// new people must be users the caller reaches; those already on
		// the case stay even if they are no longer
		var check []int64
		if lead != c.LeadID && lead != 0 {
			check = append(check, lead)
		}
		for _, x := range newTeam {
			if !slices.Contains(team, x) {
				check = append(check, x)
			}
		}
		users, err := tx.caseUsers(ctx, check)
		if err != nil {
			return err
		}
		for _, x := range check {
			if _, ok := users[x]; !ok {
				f := "team"
				if x == lead {
					f = "lead"
				}
				return zhudun.FieldError(f, "user %d not found", x)
			}
		}
		names, err := tx.usernames(ctx, append(slices.Clone(team), append(newTeam, lead, c.LeadID)...))
		if err != nil {
			return err
		}
		if lead != c.LeadID {
			set("lead", names[c.LeadID], names[lead], "lead_id = ?", nullID(lead))
		}
		if !slices.Equal(team, newTeam) {
			set("team", joinNames(names, team), joinNames(names, newTeam), "", nil)
			if _, err := tx.exec(ctx, `DELETE FROM case_team WHERE case_id = ?`, id); err != nil {
				return tx.s.internal("case team clear", err)
			}
			for _, x := range newTeam {
				if _, err := tx.exec(ctx, `INSERT INTO case_team (case_id, user_id) VALUES (?, ?)`, id, x); err != nil {
					return tx.s.internal("case team", err)
				}
			}
		}
		if len(changes) == 0 {
			return nil
		}
		sets = append(sets, "updated_at = ?")
		args = append(args, tx.now, id)
		if _, err := tx.exec(ctx, `UPDATE cases SET `+strings.Join(sets, ", ")+` WHERE id = ?`, args...); err != nil {
			return tx.s.internal("case update", err)
		}
		tx.rollupCase(id) // a move to another department moves its figures
		nc, err := tx.s.caseInScope(ctx, tx, id, zhudun.PermCaseWrite)
		if err != nil {
			return err
		}
		if err := tx.caseNote(ctx, nc, "edit", "", changes); err != nil {
			return err
		}
		return tx.caseChanged(ctx, "case.update", nc, map[string]any{"changes": changes})
	})
	if err != nil {
		return nil, err
	}
	return s.caseDetail(ctx, s, id, zhudun.PermCaseWrite)
}

// usernames names users by id (0 is "").
func (tx *Tx) usernames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{0: ""}
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		var name string
		if err := tx.queryRow(ctx, `SELECT username FROM users WHERE id = ?`, id).Scan(&name); err != nil {
			return nil, tx.s.internal("username", err)
		}
		out[id] = name
	}
	return out, nil
}

func joinNames(names map[int64]string, ids []int64) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = names[id]
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}
