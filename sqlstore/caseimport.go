package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

// Bulk entry of cases (issue 12 item 6, docs/cases.md "Bulk import"). Each
// row goes through the very steps the API takes one at a time — opening,
// filing (the counter row numbers it), solving, adding a person (sealed,
// blind-indexed, one record across cases), a measure, a seizure, and the
// cross-reference marks they raise — in one transaction, each row in a
// savepoint so that one row's failure is reported and the next row still
// checked. With any problem the whole transaction is rolled back.

var _ zhudun.CaseImportService = (*Store)(nil)

// MaxImportRows bounds one import's rows of all kinds: one transaction
// holds them, and the writer meanwhile (3,000 rows took 9 s on SQLite on
// a shared two-core machine; docs/cases.md).
const MaxImportRows = 5000

// importer is one import's state within its transaction.
type importer struct {
	tx       *Tx
	problems []zhudun.CaseImportProblem
	counts   map[string]zhudun.ImportCount
	// caseKeys are the case keys of this file: the case stored (or found
	// imported before), 0 for a row that failed.
	caseKeys map[string]int64
	// rowKeys are the keys rows of this file used, by kind and case: a
	// second row with the same key is a problem, not a silent skip.
	rowKeys map[string]int
	created []*zhudun.Case
}

// ImportCases stores a bulk entry all or nothing (see CaseImportService):
// case:write, every department named within its scope, every case named
// writable by the caller. Audited case.import with the counts only.
func (s *Store) ImportCases(ctx context.Context, imp zhudun.CaseImport) (*zhudun.CaseImportResult, error) {
	caller := zhudun.CallerFrom(ctx)
	if caller == nil {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "not signed in")
	}
	if !caller.Has(zhudun.PermCaseWrite) {
		return nil, zhudun.Errorf(zhudun.EFORBIDDEN, "permission case:write required")
	}
	total := len(imp.Cases) + len(imp.People) + len(imp.Measures) + len(imp.Seizures)
	if total == 0 && !imp.CheckOnly {
		return nil, zhudun.Errorf(zhudun.EINVALID, "the file holds no rows")
	}
	if total > MaxImportRows {
		return nil, zhudun.Errorf(zhudun.EINVALID, "the file holds %d rows, at most %d at a time; split it", total, MaxImportRows)
	}
	var im *importer
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		im = &importer{tx: tx, counts: map[string]zhudun.ImportCount{}, caseKeys: map[string]int64{}, rowKeys: map[string]int{}}
		for _, k := range zhudun.ImportKinds {
			im.counts[k] = zhudun.ImportCount{}
		}
		for _, k := range imp.RefusedCaseKeys {
			im.caseKeys[strings.TrimSpace(k)] = 0
		}
		for i := range imp.Cases {
			if err := im.row(ctx, zhudun.ImportCases, i, func() (bool, error) { return im.importCase(ctx, i, &imp.Cases[i]) }); err != nil {
				return err
			}
		}
		for i := range imp.People {
			if err := im.row(ctx, zhudun.ImportPeople, i, func() (bool, error) { return im.importPerson(ctx, i, &imp.People[i]) }); err != nil {
				return err
			}
		}
		for i := range imp.Measures {
			if err := im.row(ctx, zhudun.ImportMeasures, i, func() (bool, error) { return im.importMeasure(ctx, i, &imp.Measures[i]) }); err != nil {
				return err
			}
		}
		for i := range imp.Seizures {
			if err := im.row(ctx, zhudun.ImportSeizures, i, func() (bool, error) { return im.importSeizure(ctx, i, &imp.Seizures[i]) }); err != nil {
				return err
			}
		}
		if len(im.problems) > 0 || imp.CheckOnly {
			return errRejected // nothing of it is kept
		}
		for _, c := range im.created {
			if err := tx.caseEmit(ctx, "case.created", c); err != nil {
				return err
			}
		}
		detail := map[string]any{"counts": im.counts}
		if imp.Source != "" {
			detail["source"] = imp.Source
		}
		ids := ""
		if len(im.created) > 0 {
			ids = fmt.Sprintf("%d-%d", im.created[0].ID, im.created[len(im.created)-1].ID)
		}
		return tx.audit(ctx, &zhudun.AuditEntry{Action: "case.import", ObjectType: "case", ObjectID: ids, Detail: Detail(detail)})
	})
	if errors.Is(err, errRejected) {
		return &zhudun.CaseImportResult{Counts: map[string]zhudun.ImportCount{}, Problems: append([]zhudun.CaseImportProblem{}, im.problems...)}, nil
	}
	if err != nil {
		return nil, err
	}
	return &zhudun.CaseImportResult{Counts: im.counts, Problems: []zhudun.CaseImportProblem{}}, nil
}

// row runs one row's steps in a savepoint. A problem of the row (any
// error but an internal one) is noted and its statements undone, so that
// on PostgreSQL the transaction stays usable for the next row.
func (im *importer) row(ctx context.Context, kind string, i int, fn func() (bool, error)) error {
	tx := im.tx
	if _, err := tx.exec(ctx, `SAVEPOINT case_import`); err != nil {
		return tx.s.internal("import savepoint", err)
	}
	skipped, err := fn()
	if err != nil {
		var ze *zhudun.Error
		if !errors.As(err, &ze) || ze.Code == zhudun.EINTERNAL || ze.Code == zhudun.EUNAVAILABLE {
			return err
		}
		if _, rerr := tx.exec(ctx, `ROLLBACK TO SAVEPOINT case_import`); rerr != nil {
			return tx.s.internal("import rollback to savepoint", rerr)
		}
		im.problems = append(im.problems, zhudun.CaseImportProblem{Kind: kind, Row: i, Field: ze.Field, Message: ze.Message})
		return nil
	}
	if _, err := tx.exec(ctx, `RELEASE SAVEPOINT case_import`); err != nil {
		return tx.s.internal("import release savepoint", err)
	}
	c := im.counts[kind]
	if skipped {
		c.Skipped++
	} else {
		c.Stored++
	}
	im.counts[kind] = c
	return nil
}

// checkKey checks a row's import key and that no earlier row of this file
// of the same kind and owner used it.
func (im *importer) checkKey(kind string, owner int64, i int, key string) error {
	if key == "" || utf8.RuneCountInString(key) > 100 {
		return zhudun.FieldError("key", "an import key of 1 to 100 characters is required")
	}
	k := fmt.Sprintf("%s\x00%d\x00%s", kind, owner, key)
	if j, dup := im.rowKeys[k]; dup {
		return zhudun.FieldError("key", "row %d of this file has the same key: give each row its own", j+1)
	}
	im.rowKeys[k] = i
	return nil
}

// imported looks a key up among earlier imports and returns the row's
// case and object, or ok false.
func (im *importer) imported(ctx context.Context, kind string, owner int64, key string) (caseID, object int64, ok bool, err error) {
	err = im.tx.queryRow(ctx, `SELECT case_id, object_id FROM case_imports WHERE kind = ? AND owner_id = ? AND import_key = ?`,
		kind, owner, key).Scan(&caseID, &object)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, im.tx.s.internal("import key", err)
	}
	return caseID, object, true, nil
}

func (im *importer) keep(ctx context.Context, kind string, owner int64, key string, caseID, object int64) error {
	_, err := im.tx.exec(ctx, `INSERT INTO case_imports (kind, import_key, owner_id, case_id, object_id, imported_at) VALUES (?, ?, ?, ?, ?, ?)`,
		kind, key, owner, caseID, object, im.tx.now)
	return im.tx.s.internalIf("import key insert", err)
}

// importCase opens the case of a row and takes it along its lifecycle:
// each day given is a transition at that moment, as the case page's
// 办理时间 enters history.
func (im *importer) importCase(ctx context.Context, i int, ic *zhudun.ImportCase) (bool, error) {
	tx := im.tx
	key := strings.TrimSpace(ic.Key)
	if _, seen := im.caseKeys[key]; !seen {
		im.caseKeys[key] = 0 // until stored: rows naming it learn it failed
	}
	n := ic.NewCase
	n.Lead, n.Team, n.FromGang, n.FromFindings = 0, nil, "", nil
	if err := n.Validate(); err != nil {
		return false, err
	}
	if n.ReceivedAt == nil {
		return false, zhudun.FieldError("received_at", "the day the case was received is required")
	}
	code := n.Dept
	if code == "" {
		code = zhudun.CallerFrom(ctx).DeptCode
	}
	d, err := tx.deptInScope(ctx, code, zhudun.PermCaseWrite)
	if err != nil {
		return false, zhudun.FieldError("dept", "%s", zhudun.ErrorMessage(err))
	}
	if err := im.checkKey("case", d.ID, i, key); err != nil {
		return false, err
	}
	if id, _, ok, err := im.imported(ctx, "case", d.ID, key); err != nil || ok {
		im.caseKeys[key] = id
		return ok, err
	}
	steps := []struct {
		to, field string
		at        bool
	}{{zhudun.CaseFiled, "filed_at", ic.FiledAt != nil}, {zhudun.CaseSolved, "solved_at", ic.SolvedAt != nil}, {zhudun.CaseTransferred, "transferred_at", ic.TransferredAt != nil}}
	for j, st := range steps {
		if st.at && j > 0 && !steps[j-1].at {
			return false, zhudun.FieldError(st.field, "a case is %s only after it was %s: give %s", st.to, steps[j-1].to, steps[j-1].field)
		}
	}
	for _, name := range ic.CampaignNames {
		var id int64
		err := tx.queryRow(ctx, `SELECT id FROM campaigns WHERE name = ?`, name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return false, zhudun.FieldError("campaigns", "campaign %s not found", name)
		}
		if err != nil {
			return false, tx.s.internal("import campaign", err)
		}
		n.Campaigns = append(n.Campaigns, id)
	}
	n.Dept = d.Code
	c, _, err := tx.createCase(ctx, n)
	if err != nil {
		return false, err
	}
	for j, at := range []*zhudun.CaseTransition{{To: zhudun.CaseFiled, At: ic.FiledAt}, {To: zhudun.CaseSolved, At: ic.SolvedAt}, {To: zhudun.CaseTransferred, At: ic.TransferredAt}} {
		if at.At == nil {
			break
		}
		if c, _, _, err = tx.transitionCase(ctx, c.ID, *at); err != nil {
			var ze *zhudun.Error
			if errors.As(err, &ze) && ze.Field == "at" {
				return false, zhudun.FieldError(steps[j].field, "%s", strings.Replace(ze.Message, "at ", steps[j].field+" ", 1))
			}
			return false, err
		}
	}
	if err := im.keep(ctx, "case", d.ID, key, c.ID, c.ID); err != nil {
		return false, err
	}
	im.caseKeys[key] = c.ID
	im.created = append(im.created, c)
	return false, nil
}

// resolveCase finds the case a row names: a case key of this file, a
// number or receipt, or a case key of an earlier import — each only as a
// case the caller may write.
func (im *importer) resolveCase(ctx context.Context, ref string) (*zhudun.Case, error) {
	tx := im.tx
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, zhudun.FieldError("case", "the case is required: its number, receipt or import key")
	}
	notFound := zhudun.FieldError("case", "case %s not found", ref)
	id, inFile := im.caseKeys[ref]
	if inFile && id == 0 {
		return nil, zhudun.FieldError("case", "case %s has problems of its own in this file", ref)
	}
	if !inFile {
		err := tx.queryRow(ctx, `SELECT id FROM cases WHERE number = ? OR receipt = ?`, ref, ref).Scan(&id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, tx.s.internal("import case by number", err)
		}
	}
	if id == 0 {
		var w where
		if _, err := scoped(ctx, &w, zhudun.PermCaseWrite, caseCols); err != nil {
			return nil, err
		}
		w.add("k.kind = ?", "case")
		w.add("k.import_key = ?", ref)
		rows, err := tx.query(ctx, `SELECT k.case_id FROM case_imports k JOIN cases c ON c.id = k.case_id JOIN depts d ON d.id = c.dept_id`+w.sql(), w.args...)
		if err != nil {
			return nil, tx.s.internal("import case by key", err)
		}
		var ids []int64
		for rows.Next() {
			var x int64
			if err := rows.Scan(&x); err != nil {
				rows.Close()
				return nil, tx.s.internal("import case by key scan", err)
			}
			ids = append(ids, x)
		}
		rows.Close()
		switch len(ids) {
		case 0:
			return nil, notFound
		case 1:
			id = ids[0]
		default:
			return nil, zhudun.FieldError("case", "import key %s names cases of %d departments: name the case by its number or receipt", ref, len(ids))
		}
	}
	c, err := tx.writableCase(ctx, id)
	if err != nil {
		var ze *zhudun.Error
		if errors.As(err, &ze) && ze.Code == zhudun.ENOTFOUND {
			return nil, notFound
		}
		if errors.As(err, &ze) && ze.Code != zhudun.EINTERNAL {
			return nil, zhudun.FieldError("case", "%s", ze.Message)
		}
		return nil, err
	}
	return c, nil
}

// child resolves the case of a row of a later kind and checks its key:
// skip when the key was imported into that case before.
func (im *importer) child(ctx context.Context, kind string, i int, caseRef, rowKey string) (c *zhudun.Case, key string, skip bool, err error) {
	if c, err = im.resolveCase(ctx, caseRef); err != nil {
		return nil, "", false, err
	}
	key = strings.TrimSpace(rowKey)
	if err := im.checkKey(kind, c.ID, i, key); err != nil {
		return nil, "", false, err
	}
	_, _, skip, err = im.imported(ctx, kind, c.ID, key)
	return c, key, skip, err
}

// importPerson adds a row's person to its case as AddCasePerson does.
func (im *importer) importPerson(ctx context.Context, i int, ip *zhudun.ImportPerson) (bool, error) {
	c, key, skip, err := im.child(ctx, "person", i, ip.Case, ip.Key)
	if err != nil || skip {
		return skip, err
	}
	n := ip.NewCasePerson
	if err := n.Validate(); err != nil {
		return false, err
	}
	idno, phone, err := canonPersonal(n)
	if err != nil {
		return false, err
	}
	p, err := im.tx.addCasePerson(ctx, c, n, idno, phone)
	if err != nil {
		return false, err
	}
	return false, im.keep(ctx, "person", c.ID, key, c.ID, p.ID)
}

// importMeasure records a row's measure on a suspect of its case, named by
// resident ID or by a person row's key.
func (im *importer) importMeasure(ctx context.Context, i int, m *zhudun.ImportMeasure) (bool, error) {
	tx := im.tx
	c, key, skip, err := im.child(ctx, "measure", i, m.Case, m.Key)
	if err != nil || skip {
		return skip, err
	}
	ref := strings.TrimSpace(m.PersonRef)
	if ref == "" {
		return false, zhudun.FieldError("person", "the person is required: a resident ID or a person's key")
	}
	var pid int64
	if idno, err := pii.NormalizeIDNumber(ref); err == nil {
		err := tx.queryRow(ctx, `SELECT p.id FROM people p JOIN case_people cp ON cp.person_id = p.id AND cp.case_id = ? WHERE p.idno_idx = ?`,
			c.ID, tx.s.keys.Index("idno", idno)).Scan(&pid)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, tx.s.internal("import measure person", err)
		}
		if pid == 0 {
			return false, zhudun.FieldError("person", "no person of case %s has resident ID %s", caseName(c), pii.MaskIDNumber(idno))
		}
	} else {
		_, cpid, ok, err := im.imported(ctx, "person", c.ID, ref)
		if err != nil {
			return false, err
		}
		if !ok {
			if _, tried := im.rowKeys[fmt.Sprintf("person\x00%d\x00%s", c.ID, ref)]; tried {
				return false, zhudun.FieldError("person", "person %s has problems of its own in this file", ref)
			}
			// (masked: a mistyped resident ID is still one, nearly)
			return false, zhudun.FieldError("person", "%q is neither a valid resident ID nor the key of a person of case %s", pii.MaskText(ref), caseName(c))
		}
		if err := tx.queryRow(ctx, `SELECT person_id FROM case_people WHERE id = ?`, cpid).Scan(&pid); err != nil {
			return false, tx.s.internal("import measure person key", err)
		}
	}
	n := m.NewMeasure
	n.Person = pid
	if err := n.Validate(); err != nil {
		return false, err
	}
	ms, err := tx.addMeasure(ctx, c, n)
	if err != nil {
		return false, err
	}
	return false, im.keep(ctx, "measure", c.ID, key, c.ID, ms.ID)
}

// importSeizure records a row's seizure as AddSeizure does.
func (im *importer) importSeizure(ctx context.Context, i int, is *zhudun.ImportSeizure) (bool, error) {
	c, key, skip, err := im.child(ctx, "seizure", i, is.Case, is.Key)
	if err != nil || skip {
		return skip, err
	}
	z, err := is.NewSeizure.Validate()
	if err != nil {
		return false, err
	}
	out, err := im.tx.addSeizure(ctx, c, z)
	if err != nil {
		return false, err
	}
	return false, im.keep(ctx, "seizure", c.ID, key, c.ID, out.ID)
}
