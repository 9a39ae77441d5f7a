package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/zhudun/zhudun"
)

// The cyber report's rollup (migration 0030, docs/cases.md "Scale"). Each
// non-merged case has rows in cyber_rollup for what it adds to the
// figures — its steps' days, its people's measures and apprehensions, its
// seizures' sums and listed accounts, the confirmed workbench accounts it
// holds — under campaign 0 and again under each campaign it is tagged
// with; each confirmed black-account finding has its own row (campaign 0:
// the workbench's figure counts it wherever a case holds it or not).
//
// The rows are never adjusted by deltas: a change marks the case (or
// finding) in its transaction (Tx.rollupCase, Tx.rollupFinding) and, before
// the commit, write derives the marked rows again from the base tables
// (flushCyberRollup) — the same SQL the migration's backfill and the check
// run over every case, so the three cannot drift apart. The rows of a case
// are few (a few per seizure day and person), so a write pays one delete,
// one dictionary insert and one insert.

// Metrics of cyber_rollup.
const (
	rmReceived    = "received"
	rmFiled       = "filed"
	rmSolved      = "solved"
	rmTransferred = "transferred"
	rmCoercive    = "coercive"    // k person, sub measure kind
	rmCaught      = "caught"      // k person
	rmFundsTaken  = "funds_taken" // n fen, on the day frozen (else seized)
	rmFundsBack   = "funds_returned"
	rmSIM         = "sim"
	rmDevices     = "devices"           // sub device type
	rmAccounts    = "accounts"          // k account, sub workbench/seized
	rmUnlisted    = "accounts_unlisted" // n accounts counted, not listed
	subWorkbench  = "workbench"
	subSeized     = "seized"
)

// rollupCase marks cases whose rollup rows the transaction's commit
// derives again.
func (tx *Tx) rollupCase(ids ...int64) {
	if tx.rollCases == nil {
		tx.rollCases = map[int64]bool{}
	}
	for _, id := range ids {
		tx.rollCases[id] = true
	}
}

// rollupFinding marks findings whose confirmation may have changed: their
// own row and the rows of every case holding them.
func (tx *Tx) rollupFinding(ids ...int64) {
	if tx.rollFindings == nil {
		tx.rollFindings = map[int64]bool{}
	}
	for _, id := range ids {
		tx.rollFindings[id] = true
	}
}

// rollupAccount marks f when it is a black account, the only findings the
// figures count.
func (tx *Tx) rollupAccount(f *zhudun.Finding) {
	if f.Kind == zhudun.KindFinding && f.Category == "black_account" {
		tx.rollupFinding(f.ID)
	}
}

// sqlb builds a statement and its arguments in step.
type sqlb struct {
	b    strings.Builder
	args []any
}

func (q *sqlb) add(s string, args ...any) *sqlb {
	q.b.WriteString(s)
	q.args = append(q.args, args...)
	return q
}

// idSet is the rows a derivation covers: ids, or every row when all.
type idSet struct {
	all bool
	ids []int64
}

// in writes "col IN (...)" (or a true predicate for every row).
func (q *sqlb) in(col string, s idSet) *sqlb {
	if s.all {
		return q.add("1 = 1")
	}
	if len(s.ids) == 0 {
		return q.add("1 = 0")
	}
	q.b.WriteString(col + " IN (")
	for i, id := range s.ids {
		if i > 0 {
			q.b.WriteString(", ")
		}
		q.b.WriteString("?")
		q.args = append(q.args, id)
	}
	q.b.WriteString(")")
	return q
}

// chinaDay is the SQL of a timestamp column's China day, 'YYYY-MM-DD' (the
// report's periods are China days: an instant is in a period exactly when
// its China day is).
func (s *Store) chinaDay(col string) string {
	if s.dialect.Name() == "postgres" {
		return "to_char((" + col + " AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM-DD')"
	}
	return "date(" + col + ", '+8 hours')"
}

// itemsExpand is the join expanding a seizure s's JSON items into j.value.
func (s *Store) itemsExpand() (join, length string) {
	if s.dialect.Name() == "postgres" {
		return ` CROSS JOIN LATERAL json_array_elements_text(s.items::json) AS j(value)`, `json_array_length(s.items::json)`
	}
	return ` JOIN json_each(s.items) j`, `json_array_length(s.items)`
}

// blackAccount is the workbench's definition of a malicious account found
// (the Four Cuts figure, sqlstore/fourcutsreport.go): a black-account
// finding confirmed and not dismissed or restored on appeal since.
const blackAccount = `f.kind = '` + zhudun.KindFinding + `' AND f.category = 'black_account' AND f.review NOT IN ('` +
	zhudun.ReviewDismissed + `', '` + zhudun.ReviewRestored + `') AND f.confirmed_at IS NOT NULL`

// rollupDerive inserts into table (cyber_rollup, or the check's copy) the
// rows of cases and of findings, first adding their accounts to
// cyber_accounts.
func (s *Store) rollupDerive(ctx context.Context, tx *Tx, table string, cases, findings idSet) error {
	expand, length := s.itemsExpand()
	// the accounts' ids, inserted in one statement in one order (two
	// transactions inserting the same accounts wait on each other in
	// that order, never in a cycle)
	var d sqlb
	d.add(`INSERT INTO cyber_accounts (account) SELECT a FROM (SELECT j.value AS a FROM case_seizures s`+expand+
		` WHERE s.kind = '`+zhudun.SeizureAccounts+`' AND `).in("s.case_id", cases)
	// (the cases' entities and the findings as two branches: one "OR"
	// made PostgreSQL read every confirmed black account for a case)
	d.add(` UNION SELECT f.entity FROM case_entities e JOIN findings f ON f.id = e.finding_id WHERE `+blackAccount+` AND `).in("e.case_id", cases)
	d.add(` UNION SELECT f.entity FROM findings f WHERE `+blackAccount+` AND `).in("f.id", findings)
	d.add(`) x WHERE a IS NOT NULL ORDER BY a ON CONFLICT (account) DO NOTHING`)
	if _, err := tx.exec(ctx, d.b.String(), d.args...); err != nil {
		return fmt.Errorf("cyber rollup accounts: %w", err)
	}

	var q sqlb
	q.add(`INSERT INTO ` + table + ` (campaign_id, metric, day, dept_id, sub, k, n, case_id, finding_id) `)
	// camps: each case under campaign 0 and under each of its campaigns
	camps := func() {
		q.add(` JOIN (SELECT id AS case_id, 0 AS campaign_id FROM cases WHERE `).in("id", cases)
		q.add(` UNION ALL SELECT case_id, campaign_id FROM case_campaigns WHERE `).in("case_id", cases)
		q.add(`) t ON t.case_id = c.id`)
	}
	live := func() { q.add(` WHERE c.status <> '`+zhudun.CaseMerged+`' AND `).in("c.id", cases) }
	for i, step := range []struct{ metric, col string }{
		{rmReceived, "received_at"}, {rmFiled, "filed_at"}, {rmSolved, "solved_at"}, {rmTransferred, "transferred_at"}} {
		if i > 0 {
			q.add(` UNION ALL `)
		}
		q.add(`SELECT t.campaign_id, '` + step.metric + `', ` + s.chinaDay("c."+step.col) + `, c.dept_id, '', 0, 1, c.id, 0 FROM cases c`)
		camps()
		live()
		q.add(` AND c.` + step.col + ` IS NOT NULL`)
	}
	// people: once per case, day and kind however many measures
	q.add(` UNION ALL SELECT DISTINCT t.campaign_id, '` + rmCoercive + `', m.from_day, c.dept_id, m.kind, m.person_id, 1, c.id, 0
		FROM case_measures m JOIN cases c ON c.id = m.case_id`)
	camps()
	live()
	q.add(` AND m.coercive = ? AND m.from_day <> ''`, true)
	q.add(` UNION ALL SELECT DISTINCT t.campaign_id, '` + rmCaught + `', p.apprehended_on, c.dept_id, '', p.person_id, 1, c.id, 0
		FROM case_people p JOIN cases c ON c.id = p.case_id`)
	camps()
	live()
	q.add(` AND p.role = '` + zhudun.RoleSuspect + `' AND p.apprehended_on <> ''`)
	// sums per case and day
	sum := func(metric, day, sub, n, kind, cond string) {
		q.add(` UNION ALL SELECT t.campaign_id, '` + metric + `', ` + day + `, c.dept_id, ` + sub + `, 0, SUM(` + n + `), c.id, 0
			FROM case_seizures s JOIN cases c ON c.id = s.case_id`)
		camps()
		live()
		group := ` GROUP BY t.campaign_id, ` + day + `, c.dept_id, c.id`
		if sub != "''" {
			group += ", " + sub
		}
		q.add(` AND s.kind = '` + kind + `' AND ` + day + ` <> ''` + cond + group)
	}
	sum(rmFundsTaken, fundsTakenDay, "''", "s.amount_fen", zhudun.SeizureFunds, "")
	sum(rmFundsBack, "s.returned_on", "''", "s.amount_fen", zhudun.SeizureFunds, " AND s.state = '"+zhudun.FundsReturned+"'")
	sum(rmSIM, "s.seized_on", "''", "s.count", zhudun.SeizureSIMCards, "")
	sum(rmDevices, "s.seized_on", "s.device_type", "s.count", zhudun.SeizureDevices, "")
	sum(rmUnlisted, "s.seized_on", "''", "s.count - "+length, zhudun.SeizureAccounts, "")
	// the accounts listed, each once per case and day
	q.add(` UNION ALL SELECT DISTINCT t.campaign_id, '` + rmAccounts + `', s.seized_on, c.dept_id, '` + subSeized + `', a.id, 1, c.id, 0
		FROM case_seizures s` + expand + ` JOIN cyber_accounts a ON a.account = j.value JOIN cases c ON c.id = s.case_id`)
	camps()
	live()
	q.add(` AND s.kind = '` + zhudun.SeizureAccounts + `' AND s.seized_on <> ''`)
	// the workbench's accounts a case holds count in its campaigns' figures
	// (by the finding's department and day, as the workbench counts them)
	q.add(` UNION ALL SELECT DISTINCT t.campaign_id, '` + rmAccounts + `', ` + s.chinaDay("f.confirmed_at") + `, f.dept_id, '` + subWorkbench + `', a.id, 1, c.id, 0
		FROM case_entities e JOIN cases c ON c.id = e.case_id JOIN case_campaigns t ON t.case_id = c.id
		JOIN findings f ON f.id = e.finding_id JOIN cyber_accounts a ON a.account = f.entity`)
	live()
	q.add(` AND ` + blackAccount)
	// and each confirmed finding under campaign 0, held or not
	q.add(` UNION ALL SELECT 0, '`+rmAccounts+`', `+s.chinaDay("f.confirmed_at")+`, f.dept_id, '`+subWorkbench+`', a.id, 1, 0, f.id
		FROM findings f JOIN cyber_accounts a ON a.account = f.entity WHERE `+blackAccount+` AND `).in("f.id", findings)
	if _, err := tx.exec(ctx, q.b.String(), q.args...); err != nil {
		return fmt.Errorf("cyber rollup derive: %w", err)
	}
	return nil
}

// rollupChunk bounds the ids one derivation names (placeholders).
const rollupChunk = 400

// flushCyberRollup derives the marked cases' and findings' rows again;
// write runs it last in every transaction.
func (tx *Tx) flushCyberRollup(ctx context.Context) error {
	if len(tx.rollCases) == 0 && len(tx.rollFindings) == 0 {
		return nil
	}
	s := tx.s
	findings := sortedIDs(tx.rollFindings)
	cases := tx.rollCases
	if cases == nil {
		cases = map[int64]bool{}
	}
	for c := range slices.Chunk(findings, rollupChunk) {
		var q sqlb
		q.add(`SELECT DISTINCT case_id FROM case_entities WHERE `).in("finding_id", idSet{ids: c})
		rows, err := tx.query(ctx, q.b.String(), q.args...)
		if err != nil {
			return s.internal("cyber rollup holders", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return s.internal("cyber rollup holders scan", err)
			}
			cases[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.internal("cyber rollup holders rows", err)
		}
	}
	caseIDs := sortedIDs(cases)
	tx.rollCases, tx.rollFindings = nil, nil
	// On PostgreSQL two transactions deriving one case's rows at once would
	// each delete what it saw and both insert: each takes the case's (and
	// finding's) lock first, in one order, and derives after the other's
	// commit. SQLite has one writer.
	if s.dialect.Name() == "postgres" {
		for _, l := range []struct {
			class int
			ids   []int64
		}{{rollupLockCase, caseIDs}, {rollupLockFinding, findings}} {
			for c := range slices.Chunk(l.ids, rollupChunk) {
				var q sqlb
				q.add(fmt.Sprintf(`SELECT COUNT(pg_advisory_xact_lock(%d, CAST(x AS integer))) FROM (SELECT x FROM (VALUES `, l.class))
				for i, id := range c {
					if i > 0 {
						q.add(", ")
					}
					q.add("(CAST(? AS bigint))", id)
				}
				q.add(`) v(x) ORDER BY x) o`)
				var n int
				if err := tx.queryRow(ctx, q.b.String(), q.args...).Scan(&n); err != nil {
					return s.internal("cyber rollup lock", err)
				}
			}
		}
	}
	// the cases' rows, then the findings' own
	for _, part := range []struct {
		col string
		ids []int64
		set func(c []int64) (cases, findings idSet)
	}{
		{"case_id", caseIDs, func(c []int64) (idSet, idSet) { return idSet{ids: c}, idSet{} }},
		{"finding_id", findings, func(c []int64) (idSet, idSet) { return idSet{}, idSet{ids: c} }},
	} {
		for c := range slices.Chunk(part.ids, rollupChunk) {
			var q sqlb
			q.add(`DELETE FROM cyber_rollup WHERE `+part.col+` <> 0 AND `).in(part.col, idSet{ids: c})
			if _, err := tx.exec(ctx, q.b.String(), q.args...); err != nil {
				return s.internal("cyber rollup delete", err)
			}
			cs, fs := part.set(c)
			if err := s.rollupDerive(ctx, tx, "cyber_rollup", cs, fs); err != nil {
				return s.internal("cyber rollup", err)
			}
		}
	}
	return nil
}

// The advisory lock classes (the two-key form: apart from the one-key
// locks of XactLocker).
const (
	rollupLockCase    = 30001
	rollupLockFinding = 30002
)

func sortedIDs(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// backfillCyberRollup is migration 0030's Go step: every case's and
// finding's rows, from the rows already there.
func (s *Store) backfillCyberRollup(ctx context.Context, stx *sql.Tx) error {
	tx := &Tx{Tx: stx, s: s, now: s.clock()}
	if err := s.rollupDerive(ctx, tx, "cyber_rollup", idSet{all: true}, idSet{all: true}); err != nil {
		return err
	}
	if s.dialect.Name() == "postgres" {
		if _, err := tx.exec(ctx, `ANALYZE cyber_rollup`); err != nil {
			return fmt.Errorf("cyber rollup analyze: %w", err)
		}
	}
	return nil
}

// CheckCyberRollup derives the whole rollup again from the base tables and
// compares it with the stored one, row for row (docs/cases.md "Scale": the
// base tables are the truth, the rollup only a faster way to count them).
// With repair it replaces the stored rollup by the derived one; without,
// nothing is written. System callers only (the CLI).
func (s *Store) CheckCyberRollup(ctx context.Context, repair bool) (*zhudun.RollupCheck, error) {
	if !zhudun.CallerFrom(ctx).System {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "the rollup check is for the command line")
	}
	out := &zhudun.RollupCheck{}
	run := func(ctx context.Context, tx *Tx) error {
		if s.dialect.Name() == "postgres" {
			// writers wait: their derivations would race the rebuild's
			if _, err := tx.exec(ctx, `LOCK TABLE cyber_rollup IN EXCLUSIVE MODE`); err != nil {
				return s.internal("cyber rollup check lock", err)
			}
		}
		if _, err := tx.exec(ctx, `CREATE TEMP TABLE cyber_rollup_check AS SELECT * FROM cyber_rollup WHERE 1 = 0`); err != nil {
			return s.internal("cyber rollup check table", err)
		}
		if err := s.rollupDerive(ctx, tx, "cyber_rollup_check", idSet{all: true}, idSet{all: true}); err != nil {
			return s.internal("cyber rollup check", err)
		}
		if err := tx.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM cyber_rollup), (SELECT COUNT(*) FROM cyber_rollup_check)`).Scan(&out.Stored, &out.Derived); err != nil {
			return s.internal("cyber rollup check count", err)
		}
		// as multisets: each row with how often it is there
		g := func(t string) string {
			return `SELECT campaign_id, metric, day, dept_id, sub, k, n, case_id, finding_id, COUNT(*) AS times FROM ` + t +
				` GROUP BY campaign_id, metric, day, dept_id, sub, k, n, case_id, finding_id`
		}
		for _, d := range []struct {
			a, b string
			n    *int64
			ex   *[]string
		}{{"cyber_rollup", "cyber_rollup_check", &out.Extra, &out.ExtraRows}, {"cyber_rollup_check", "cyber_rollup", &out.Missing, &out.MissingRows}} {
			rows, err := tx.query(ctx, `SELECT campaign_id, metric, day, dept_id, sub, k, n, case_id, finding_id, times FROM (`+g(d.a)+` EXCEPT `+g(d.b)+`) x ORDER BY case_id, finding_id, metric, day`)
			if err != nil {
				return s.internal("cyber rollup check compare", err)
			}
			for rows.Next() {
				var r [10]any
				var cp, dept, k, n, c, f, times int64
				var metric, day, sub string
				r = [10]any{&cp, &metric, &day, &dept, &sub, &k, &n, &c, &f, &times}
				if err := rows.Scan(r[:]...); err != nil {
					rows.Close()
					return s.internal("cyber rollup check scan", err)
				}
				*d.n++
				if len(*d.ex) < 20 {
					*d.ex = append(*d.ex, fmt.Sprintf("case %d finding %d campaign %d %s %s dept %d %s k=%d n=%d ×%d", c, f, cp, metric, day, dept, sub, k, n, times))
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return s.internal("cyber rollup check rows", err)
			}
		}
		if repair && (out.Extra > 0 || out.Missing > 0) {
			if _, err := tx.exec(ctx, `DELETE FROM cyber_rollup`); err != nil {
				return s.internal("cyber rollup repair", err)
			}
			if _, err := tx.exec(ctx, `INSERT INTO cyber_rollup SELECT * FROM cyber_rollup_check`); err != nil {
				return s.internal("cyber rollup repair", err)
			}
			out.Repaired = true
			if err := tx.audit(ctx, &zhudun.AuditEntry{Action: "report.rollup.repair", ObjectType: "report", ObjectID: "cyber",
				Detail: Detail(map[string]any{"stored": out.Stored, "derived": out.Derived, "only_stored": out.Extra, "only_derived": out.Missing})}); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `DROP TABLE cyber_rollup_check`); err != nil {
			return s.internal("cyber rollup check drop", err)
		}
		if !repair {
			return errCheckOnly
		}
		return nil
	}
	err := s.write(ctx, run)
	if errors.Is(err, errCheckOnly) {
		err = nil
	}
	return out, err
}

// errCheckOnly rolls a check's transaction back: it wrote its copy only.
var errCheckOnly = errors.New("check only")
