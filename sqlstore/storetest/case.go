package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// Cyber cases (issue 12, docs/cases.md). Every expected number, serial and
// count below is written out by hand from the fixture tree:
//
//	ROOT ── SB1 ── ST1 ── SQ1
//	     └─ SB2 ── ST2

const (
	idA    = "370102198503121233"
	idB    = "370102199001014563"
	phoneA = "13855556666"
)

func (e *env) newCase(ctx context.Context, title, dept string) *zhudun.CaseDetail {
	e.t.Helper()
	c, err := e.s.CreateCase(ctx, zhudun.NewCase{Title: title, Type: "telecom_fraud", Dept: dept})
	if err != nil {
		e.t.Fatalf("create case %s: %v", title, err)
	}
	return c
}

func (e *env) fileCase(ctx context.Context, id int64) *zhudun.CaseDetail {
	e.t.Helper()
	c, err := e.s.TransitionCase(ctx, id, zhudun.CaseTransition{To: zhudun.CaseFiled})
	if err != nil {
		e.t.Fatalf("file case %d: %v", id, err)
	}
	return c
}

// testCaseNumbering: a case has a receipt until filed, then the number
// prefix〔year〕serial号, the serial counting per department and year; the
// root's default prefix, another department's derived one, a prefix set
// by a case:write holder over the department.
func testCaseNumbering(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	cmd := e.as(e.user("cmd1", "SB1", "commander"))

	c := e.newCase(sb1, "冒充客服诈骗案", "")
	if c.Number != "" || c.Status != zhudun.CaseReceived || c.DeptCode != "SB1" || c.TypeVersion != zhudun.CaseTypesVersion {
		t.Fatalf("received: %+v", c)
	}
	if want := fmt.Sprintf("SA2026-%06d", c.ID); c.Receipt != want {
		t.Fatalf("receipt %q; want %q", c.Receipt, want)
	}
	if f := e.fileCase(sb1, c.ID); f.Number != "济公网立SB1〔2026〕0001号" || f.Year != 2026 || f.Serial != 1 || f.FiledAt == nil {
		t.Fatalf("filed: %q %d %d", f.Number, f.Year, f.Serial)
	}
	root := e.newCase(e.sys, "市局网安案", "ROOT")
	if f := e.fileCase(e.sys, root.ID); f.Number != "济公网立〔2026〕0001号" {
		t.Fatalf("root filed: %q", f.Number)
	}
	// The prefix: SB1's analyst sets SB1's, not SB2's; a commander
	// (case:read only) none.
	if _, err := e.s.SetCasePrefix(sb1, "SB2", "济二公网立"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("SB1 sets SB2's prefix: %v", err)
	}
	if _, err := e.s.SetCasePrefix(cmd, "SB1", "济历公网立"); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("commander sets a prefix: %v", err)
	}
	for _, bad := range []string{"", "济", "济公网立2021", "济公〔网", "济 公"} {
		if _, err := e.s.SetCasePrefix(sb1, "SB1", bad); code(err) != zhudun.EINVALID {
			t.Errorf("prefix %q: %v; want EINVALID", bad, err)
		}
	}
	if _, err := e.s.SetCasePrefix(sb1, "SB1", "济历公网立"); err != nil {
		t.Fatal(err)
	}
	if p, err := e.s.CasePrefixFor(sb1, "SB1"); err != nil || p.Prefix != "济历公网立" || p.Default {
		t.Fatalf("prefix for SB1: %+v %v", p, err)
	}
	if _, err := e.s.SetCasePrefix(sb2, "SB2", "济历公网立"); code(err) != zhudun.ECONFLICT {
		t.Fatalf("SB2 takes SB1's prefix: %v", err)
	}
	if _, err := e.s.SetCasePrefix(sb2, "SB2", zhudun.DefaultCasePrefix); code(err) != zhudun.ECONFLICT {
		t.Fatalf("SB2 takes the root's default prefix: %v", err)
	}
	e.must(e.s.CreateDept(e.sys, &zhudun.Dept{Code: "WAZD", Name: "网安支队", Kind: zhudun.DeptDivision}))
	if _, err := e.s.SetCasePrefix(sb2, "SB2", "济公网立WAZD"); code(err) != zhudun.ECONFLICT {
		t.Fatalf("SB2 takes WAZD's default prefix: %v", err)
	}
	c2 := e.newCase(sb1, "第二案", "")
	c3 := e.newCase(sb2, "二分局案", "")
	if f := e.fileCase(sb1, c2.ID); f.Number != "济历公网立〔2026〕0002号" {
		t.Fatalf("after the prefix: %q", f.Number)
	}
	if f := e.fileCase(sb2, c3.ID); f.Number != "济公网立SB2〔2026〕0001号" {
		t.Fatalf("SB2's first: %q", f.Number)
	}
	// A new year (China time) starts at 0001 again.
	e.clock.t = time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC) // 2027-01-01 00:00 in Beijing
	c4 := e.newCase(sb1, "新年第一案", "")
	if f := e.fileCase(sb1, c4.ID); f.Number != "济历公网立〔2027〕0001号" || f.Serial != 1 {
		t.Fatalf("2027: %q", f.Number)
	}
	if n := e.auditCount("case.file"); n != 5 {
		t.Errorf("case.file audited %d times; want 5", n)
	}
	if n := e.auditCount("case.prefix"); n != 1 {
		t.Errorf("case.prefix audited %d times; want 1", n)
	}
	// By number, and by receipt.
	for _, q := range []string{"济历公网立〔2026〕0002号", c2.Receipt} {
		if got, err := e.s.FindCaseByNumber(sb1, q); err != nil || got.ID != c2.ID || got.Note != "" {
			t.Errorf("by number %s: %v %v", q, got, err)
		}
	}
	if _, err := e.s.FindCaseByNumber(sb2, "济历公网立〔2026〕0002号"); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2 finds SB1's case by number: %v", err)
	}
}

// testCaseFilingRace: 20 cases of one department filed at once get the
// serials 1 to 20, each once.
func testCaseFilingRace(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	const n = 20
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = e.newCase(sb1, fmt.Sprintf("并发立案%02d", i), "").ID
	}
	serials := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := e.s.TransitionCase(sb1, ids[i], zhudun.CaseTransition{To: zhudun.CaseFiled})
			if err == nil {
				serials[i] = c.Serial
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("filing %d: %v", i, err)
		}
	}
	slices.Sort(serials)
	for i, s := range serials {
		if s != i+1 {
			t.Fatalf("serials %v; want 1 to %d, each once", serials, n)
		}
	}
	// Two filings of the same case at once: one wins.
	c := e.newCase(sb1, "同案两次立案", "")
	var ok, conflict int
	var mu sync.Mutex
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.s.TransitionCase(sb1, c.ID, zhudun.CaseTransition{To: zhudun.CaseFiled})
			mu.Lock()
			defer mu.Unlock()
			switch code(err) {
			case "":
				ok++
			case zhudun.ECONFLICT:
				conflict++
			default:
				t.Errorf("double filing: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || conflict != 1 {
		t.Fatalf("double filing: %d filed, %d conflicts; want 1 and 1", ok, conflict)
	}
	got, err := e.s.FindCaseByID(sb1, c.ID)
	e.must(err)
	if got.Serial != n+1 {
		t.Fatalf("the doubly filed case's serial %d; want %d", got.Serial, n+1)
	}
}

// testCaseLifecycle: the allowed transitions, the reasons the law asks,
// ECONFLICT for the others, and the events recorded.
func testCaseLifecycle(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	a := e.newCase(sb1, "甲案", "")
	bc := e.newCase(sb1, "乙案", "")
	const why = "经审查没有犯罪事实"
	for _, s := range []struct {
		id     int64
		to     string
		reason string
		want   string
	}{
		{a.ID, zhudun.CaseSolved, "", zhudun.ECONFLICT},
		{a.ID, zhudun.CaseTransferred, "", zhudun.ECONFLICT},
		{a.ID, zhudun.CaseRevoked, why, zhudun.ECONFLICT},
		{a.ID, zhudun.CaseMerged, why, zhudun.EINVALID},
		{a.ID, zhudun.CaseReceived, "", zhudun.EINVALID},
		{a.ID, "bogus", "", zhudun.EINVALID},
		{a.ID, zhudun.CaseClosedUnfiled, "", zhudun.EINVALID}, // a reason is required
		{a.ID, zhudun.CaseClosedUnfiled, "短", zhudun.EINVALID},
		{a.ID, zhudun.CaseClosedUnfiled, why, ""},
		{a.ID, zhudun.CaseFiled, "", zhudun.ECONFLICT},
		{bc.ID, zhudun.CaseFiled, "", ""},
		{bc.ID, zhudun.CaseRevoked, "", zhudun.EINVALID},
		{bc.ID, zhudun.CaseTransferred, "", zhudun.ECONFLICT},
		{bc.ID, zhudun.CaseSolved, "", ""},
		{bc.ID, zhudun.CaseRevoked, why, zhudun.ECONFLICT},
		{bc.ID, zhudun.CaseTransferred, "移送检察院审查起诉", ""},
		{bc.ID, zhudun.CaseSolved, "", zhudun.ECONFLICT},
		{999999, zhudun.CaseFiled, "", zhudun.ENOTFOUND},
	} {
		if _, err := e.s.TransitionCase(sb1, s.id, zhudun.CaseTransition{To: s.to, Reason: s.reason}); code(err) != s.want {
			t.Errorf("case %d → %s (%q): %v; want %q", s.id, s.to, s.reason, err, s.want)
		}
	}
	ga, err := e.s.FindCaseByID(sb1, a.ID)
	e.must(err)
	if ga.Status != zhudun.CaseClosedUnfiled || ga.ClosedAt == nil || ga.Number != "" {
		t.Fatalf("closed unfiled: %+v", ga)
	}
	var steps []string
	for _, ev := range ga.Events {
		steps = append(steps, ev.From+">"+ev.To+":"+ev.Reason+"@"+ev.Actor)
	}
	if got := strings.Join(steps, ","); got != ">received:@ana1,received>closed_unfiled:"+why+"@ana1" {
		t.Fatalf("events of a: %s", got)
	}
	gb, err := e.s.FindCaseByID(sb1, bc.ID)
	e.must(err)
	steps = nil
	for _, ev := range gb.Events {
		steps = append(steps, ev.From+">"+ev.To)
	}
	if got := strings.Join(steps, ","); got != ">received,received>filed,filed>solved,solved>transferred" || gb.SolvedAt == nil || gb.TransferAt == nil {
		t.Fatalf("events of b: %s", got)
	}
	if n := e.auditCount("case.transition"); n != 3 {
		t.Errorf("case.transition audited %d times; want 3", n)
	}
	// A filed case revoked keeps its number, which is not given again.
	c := e.newCase(sb1, "丙案", "")
	c = e.fileCase(sb1, c.ID)
	if _, err := e.s.TransitionCase(sb1, c.ID, zhudun.CaseTransition{To: zhudun.CaseRevoked, Reason: "发现不应追究刑事责任"}); err != nil {
		t.Fatal(err)
	}
	d := e.fileCase(sb1, e.newCase(sb1, "丁案", "").ID)
	if c.Serial != 2 || d.Serial != 3 {
		t.Fatalf("serials after a revocation: %d, %d; want 2, 3", c.Serial, d.Serial)
	}
	// History entered after the fact: received and filed in December,
	// solved in January; the number is of the filing year.
	recv := time.Date(2025, 12, 20, 2, 0, 0, 0, time.UTC)
	h, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "去年受理案", Type: "gambling", ReceivedAt: &recv})
	e.must(err)
	at := func(y int, m time.Month, d int) *time.Time { t := time.Date(y, m, d, 2, 0, 0, 0, time.UTC); return &t }
	for _, s := range []struct {
		tr   zhudun.CaseTransition
		want string
	}{
		{zhudun.CaseTransition{To: zhudun.CaseFiled, At: at(2025, 12, 19)}, zhudun.EINVALID}, // before it was received
		{zhudun.CaseTransition{To: zhudun.CaseFiled, At: at(2026, 3, 2)}, zhudun.EINVALID},   // tomorrow
		{zhudun.CaseTransition{To: zhudun.CaseFiled, At: at(2025, 12, 28)}, ""},
		{zhudun.CaseTransition{To: zhudun.CaseSolved, At: at(2025, 12, 27)}, zhudun.EINVALID}, // before the filing
		{zhudun.CaseTransition{To: zhudun.CaseSolved, At: at(2026, 1, 10)}, ""},
	} {
		if _, err := e.s.TransitionCase(sb1, h.ID, s.tr); code(err) != s.want || (s.want != "" && field(err) != "at") {
			t.Errorf("%s at %s: %v; want %q", s.tr.To, s.tr.At, err, s.want)
		}
	}
	gh, err := e.s.FindCaseByID(sb1, h.ID)
	e.must(err)
	if gh.Number != "济公网立SB1〔2025〕0001号" || !gh.ReceivedAt.Equal(recv) || !gh.FiledAt.Equal(*at(2025, 12, 28)) || !gh.SolvedAt.Equal(*at(2026, 1, 10)) ||
		len(gh.Events) != 3 || !gh.Events[0].At.Equal(recv) || !gh.Events[2].At.Equal(*at(2026, 1, 10)) {
		t.Fatalf("history: %q %v %v %v %+v", gh.Number, gh.ReceivedAt, gh.FiledAt, gh.SolvedAt, gh.Events)
	}
	list, n, err := e.s.FindCases(sb1, zhudun.CaseFilter{Status: zhudun.CaseRevoked})
	e.must(err)
	if n != 1 || list[0].ID != c.ID || list[0].Number != c.Number {
		t.Fatalf("revoked list: %d %+v", n, list)
	}
}

// testCaseScope: a case is read and written within the data scope of its
// department; outside it, it does not exist.
func testCaseScope(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	st2 := e.as(e.user("ana3", "ST2", "analyst")) // a station's analyst
	cmd := e.as(e.user("cmd1", "SB1", "commander"))
	off := e.as(e.user("off1", "ST1", "officer"))
	c := e.newCase(sb1, "一分局案", "ST1")
	other := e.newCase(sb2, "二分局案", "")
	if _, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "越权", Type: "other", Dept: "SB2"}); code(err) != zhudun.EINVALID || field(err) != "dept" {
		t.Fatalf("SB1 opens a case in SB2: %v", err)
	}
	if _, err := e.s.CreateCase(cmd, zhudun.NewCase{Title: "指挥员立案", Type: "other"}); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("commander creates: %v", err)
	}
	for _, x := range []struct {
		name string
		ctx  context.Context
		want string
	}{{"sb2", sb2, zhudun.ENOTFOUND}, {"st2", st2, zhudun.ENOTFOUND}, {"officer", off, zhudun.EFORBIDDEN}, {"commander", cmd, ""}, {"sb1", sb1, ""}} {
		if _, err := e.s.FindCaseByID(x.ctx, c.ID); code(err) != x.want {
			t.Errorf("%s reads SB1's case: %v; want %q", x.name, err, x.want)
		}
	}
	for _, x := range []struct {
		name string
		ctx  context.Context
		want int
	}{{"sb1", sb1, 1}, {"sb2", sb2, 1}, {"st2", st2, 0}, {"commander", cmd, 1}} {
		list, n, err := e.s.FindCases(x.ctx, zhudun.CaseFilter{})
		e.must(err)
		if n != x.want || len(list) != x.want {
			t.Errorf("%s lists %d cases; want %d", x.name, n, x.want)
		}
		for _, l := range list {
			if x.name != "sb2" && l.ID == other.ID {
				t.Errorf("%s lists SB2's case", x.name)
			}
		}
	}
	for name, err := range map[string]error{
		"transition": func() error {
			_, err := e.s.TransitionCase(sb2, c.ID, zhudun.CaseTransition{To: zhudun.CaseFiled})
			return err
		}(),
		"person": func() error {
			_, err := e.s.AddCasePerson(sb2, c.ID, zhudun.NewCasePerson{Name: "张三", Role: zhudun.RoleSuspect})
			return err
		}(),
		"seizure": func() error {
			_, err := e.s.AddSeizure(sb2, c.ID, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 1, SeizedOn: "2026-02-01"})
			return err
		}(),
		"link": func() error { _, err := e.s.LinkCases(sb2, other.ID, c.ID, "同一诈骗团伙"); return err }(),
		"merge": func() error {
			_, err := e.s.MergeCase(sb2, other.ID, c.ID, "同一诈骗团伙")
			return err
		}(),
	} {
		if code(err) != zhudun.ENOTFOUND {
			t.Errorf("SB2 %s on SB1's case: %v; want ENOTFOUND", name, err)
		}
	}
	if _, err := e.s.TransitionCase(cmd, c.ID, zhudun.CaseTransition{To: zhudun.CaseFiled}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("commander files: %v; want EFORBIDDEN", err)
	}
	// The filters.
	if _, n, err := e.s.FindCases(sb1, zhudun.CaseFilter{Dept: "ST1"}); err != nil || n != 1 {
		t.Errorf("SB1 under ST1: %d %v", n, err)
	}
	if _, n, err := e.s.FindCases(sb1, zhudun.CaseFilter{Dept: "SB2"}); err != nil || n != 0 {
		t.Errorf("SB1 under SB2: %d %v", n, err)
	}
	if _, n, err := e.s.FindCases(sb1, zhudun.CaseFilter{Q: "一分局"}); err != nil || n != 1 {
		t.Errorf("SB1 q: %d %v", n, err)
	}
	if _, _, err := e.s.FindCases(sb1, zhudun.CaseFilter{Status: "open"}); code(err) != zhudun.EINVALID {
		t.Errorf("bad status filter: %v", err)
	}
}

// rawContains reports the table.column cells that hold any of vals.
func (e *env) rawContains(table string, vals ...string) []string {
	e.t.Helper()
	rows, err := e.s.DB().Query(`SELECT * FROM ` + table)
	e.must(err)
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		cells := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		e.must(rows.Scan(ptrs...))
		for i, c := range cells {
			for _, v := range vals {
				if strings.Contains(toString(c), v) {
					out = append(out, table+"."+cols[i])
				}
			}
		}
	}
	e.must(rows.Err())
	return out
}

// testCasePeople: one person across two cases is one record; the ID and
// phone are sealed (never in clear in any table), shown masked, revealed
// with pii:view and a reason, audited; a person's page lists the cases in
// scope; measures only on suspects, the summons not coercive.
func testCasePeople(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	cmd := e.as(e.user("cmd1", "SB1", "commander"))
	a := e.newCase(sb1, "一分局诈骗案", "")
	bc := e.newCase(sb2, "二分局帮信案", "")
	pa, err := e.s.AddCasePerson(sb1, a.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Phone: phoneA, Role: zhudun.RoleSuspect, ApprehendedOn: "2026-02-20"})
	e.must(err)
	if pa.IDNumberMasked != "370102********1233" || pa.PhoneMasked != "138****6666" || pa.ApprehendedOn != "2026-02-20" {
		t.Fatalf("masked: %+v", pa)
	}
	// The same ID, written with spaces around it, in another
	// department's case: the same person.
	pb, err := e.s.AddCasePerson(sb2, bc.ID, zhudun.NewCasePerson{Name: "张叁", IDNumber: " " + idA + " ", Role: zhudun.RoleSuspect})
	e.must(err)
	if pb.PersonID != pa.PersonID || pb.Name != "张三" {
		t.Fatalf("one person across two cases: %d (%s) and %d", pa.PersonID, pb.Name, pb.PersonID)
	}
	if _, err := e.s.AddCasePerson(sb1, a.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Role: zhudun.RoleSuspect}); code(err) != zhudun.ECONFLICT {
		t.Fatalf("the same person twice in one role: %v", err)
	}
	victim, err := e.s.AddCasePerson(sb1, a.ID, zhudun.NewCasePerson{Name: "李四", IDNumber: idB, Role: zhudun.RoleVictim})
	e.must(err)
	if victim.PersonID == pa.PersonID {
		t.Fatal("another ID, the same person")
	}
	for _, bad := range []struct {
		n     zhudun.NewCasePerson
		field string
	}{
		{zhudun.NewCasePerson{Name: "王五", IDNumber: "370102198503121234", Role: zhudun.RoleVictim}, "id_number"}, // check digit
		{zhudun.NewCasePerson{Name: "王五", Phone: "12345", Role: zhudun.RoleVictim}, "phone"},
		{zhudun.NewCasePerson{Name: "王五", Role: "accomplice"}, "role"},
		{zhudun.NewCasePerson{Name: "", Role: zhudun.RoleVictim}, "name"},
		{zhudun.NewCasePerson{Name: "王五", Role: zhudun.RoleVictim, ApprehendedOn: "2026-02-01"}, "apprehended_on"},
		{zhudun.NewCasePerson{Name: "王五", Role: zhudun.RoleSuspect, ApprehendedOn: "2026/02/01"}, "apprehended_on"},
	} {
		if _, err := e.s.AddCasePerson(sb1, a.ID, bad.n); code(err) != zhudun.EINVALID || field(err) != bad.field {
			t.Errorf("%+v: %v; want EINVALID on %s", bad.n, err, bad.field)
		}
	}
	var np int
	e.must(e.s.DB().QueryRow(`SELECT COUNT(*) FROM people`).Scan(&np))
	if np != 2 {
		t.Fatalf("%d people; want 2", np)
	}
	// Sealed everywhere: people, case_people, the audit log, the outbox.
	for _, table := range []string{"people", "case_people", "audit_log", "outbox"} {
		if cells := e.rawContains(table, idA, idB, phoneA, "198503121233"); len(cells) > 0 {
			t.Errorf("clear personal data in %v", cells)
		}
	}
	// The person's page: the cases the caller's scope allows.
	for _, x := range []struct {
		name string
		ctx  context.Context
		want []int64
	}{{"sb1", sb1, []int64{a.ID}}, {"sb2", sb2, []int64{bc.ID}}, {"sys", e.sys, []int64{bc.ID, a.ID}}} {
		p, err := e.s.FindPerson(x.ctx, pa.PersonID)
		e.must(err)
		var got []int64
		for _, c := range p.Cases {
			got = append(got, c.CaseID)
		}
		if !slices.Equal(got, x.want) || p.IDNumberMasked != "370102********1233" {
			t.Errorf("%s: person's cases %v; want %v", x.name, got, x.want)
		}
	}
	if _, err := e.s.FindPerson(sb2, victim.PersonID); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2 reads a person of SB1's only: %v", err)
	}
	// The clear text: pii:view in scope, a reason, audited.
	const why = "核查嫌疑人身份信息"
	got, err := e.s.RevealPersonPII(sb1, pa.PersonID, why)
	e.must(err)
	if got.IDNumber != idA || got.Phone != phoneA {
		t.Fatalf("revealed %+v", got)
	}
	if _, err := e.s.RevealPersonPII(sb1, pa.PersonID, "查"); code(err) != zhudun.EINVALID {
		t.Errorf("no reason: %v", err)
	}
	if _, err := e.s.RevealPersonPII(cmd, pa.PersonID, why); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("commander reveals: %v", err)
	}
	if _, err := e.s.RevealPersonPII(sb2, victim.PersonID, why); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2 reveals SB1's victim: %v", err)
	}
	if n := e.auditCount("pii.view"); n != 1 {
		t.Errorf("pii.view audited %d times; want 1", n)
	}
	// Measures: on a suspect of this case; the summons is recorded, not
	// coercive.
	det := zhudun.NewMeasure{Person: pa.PersonID, Kind: zhudun.MeasureDetention, From: "2026-02-20", To: "2026-03-20", Authority: "济南市公安局", DocumentNo: "济公（网）拘字〔2026〕12号"}
	m, err := e.s.AddMeasure(sb1, a.ID, det)
	e.must(err)
	if !m.Coercive || m.PersonName != "张三" || m.Kind != zhudun.MeasureDetention {
		t.Fatalf("measure %+v", m)
	}
	sum := det
	sum.Kind, sum.To = zhudun.MeasureSummons, ""
	if m, err := e.s.AddMeasure(sb1, a.ID, sum); err != nil || m.Coercive {
		t.Fatalf("summons %+v %v", m, err)
	}
	for _, bad := range []struct {
		mod   func(*zhudun.NewMeasure)
		field string
	}{
		{func(n *zhudun.NewMeasure) { n.Person = victim.PersonID }, "person"},
		{func(n *zhudun.NewMeasure) { n.Kind = "house_arrest" }, "kind"},
		{func(n *zhudun.NewMeasure) { n.To = "2026-01-01" }, "to"},
		{func(n *zhudun.NewMeasure) { n.From = "20260220" }, "from"},
		{func(n *zhudun.NewMeasure) { n.Authority = "" }, "authority"},
		{func(n *zhudun.NewMeasure) { n.DocumentNo = "" }, "document_no"},
	} {
		n := det
		bad.mod(&n)
		if _, err := e.s.AddMeasure(sb1, a.ID, n); code(err) != zhudun.EINVALID || field(err) != bad.field {
			t.Errorf("measure %+v: %v; want EINVALID on %s", n, err, bad.field)
		}
	}
	// The suspect of SB2's case is not one of this case's suspects there.
	if _, err := e.s.AddMeasure(sb2, bc.ID, zhudun.NewMeasure{Person: victim.PersonID, Kind: zhudun.MeasureBail, From: "2026-02-21",
		Authority: "二分局", DocumentNo: "取保〔2026〕1号"}); code(err) != zhudun.EINVALID {
		t.Errorf("a measure on a person not in the case: %v", err)
	}
	// Apprehension later: suspects only, in scope, a day.
	if _, err := e.s.SetApprehended(sb1, a.ID, victim.PersonID, "2026-02-22"); code(err) != zhudun.ENOTFOUND {
		t.Errorf("apprehend a victim: %v", err)
	}
	if _, err := e.s.SetApprehended(sb1, a.ID, pa.PersonID, "22/02/2026"); code(err) != zhudun.EINVALID {
		t.Errorf("apprehend on a bad day: %v", err)
	}
	if _, err := e.s.SetApprehended(sb2, a.ID, pa.PersonID, "2026-02-22"); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2 apprehends in SB1's case: %v", err)
	}
	if p, err := e.s.SetApprehended(sb1, a.ID, pa.PersonID, "2026-02-22"); err != nil || p.ApprehendedOn != "2026-02-22" {
		t.Errorf("apprehend: %+v %v", p, err)
	}
	full, err := e.s.FindCaseByID(sb1, a.ID)
	e.must(err)
	if len(full.People) != 2 || len(full.Measures) != 2 {
		t.Fatalf("case a: %d people, %d measures", len(full.People), len(full.Measures))
	}
	// A key rotation re-seals and re-indexes people: the old keys then seal
	// nothing, the clear text opens, and the ID still finds the person.
	active, err := e.keys.Rotate("pii")
	e.must(err)
	_, err = e.keys.Rotate("index")
	e.must(err)
	_, err = e.s.RekeyPII(e.sys)
	e.must(err)
	usage, err := e.s.KeyUsage(e.sys)
	e.must(err)
	for id, n := range usage {
		if id != active && n != 0 {
			t.Errorf("pii key %d still seals %d values after the rekey", id, n)
		}
	}
	if got, err := e.s.RevealPersonPII(sb1, pa.PersonID, why); err != nil || got.IDNumber != idA || got.Phone != phoneA {
		t.Errorf("reveal after the rekey: %+v %v", got, err)
	}
	c3 := e.newCase(sb1, "轮换后案件", "")
	if p3, err := e.s.AddCasePerson(sb1, c3.ID, zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Role: zhudun.RoleWitness}); err != nil || p3.PersonID != pa.PersonID {
		t.Errorf("found again after the index key rotated: %+v %v", p3, err)
	}
	for _, a := range []string{"case.person.add", "case.measure.add", "case.person.apprehend"} {
		if n := e.auditCount(a); n == 0 {
			t.Errorf("%s not audited", a)
		}
	}
}

// testCaseSeizures: each kind's fields checked; money in integer fen.
func testCaseSeizures(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	c := e.newCase(sb1, "四断专案", "")
	funds := zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "1980000.00", Account: "6222020200112233445", Bank: "工商银行济南分行",
		State: zhudun.FundsFrozen, FrozenOn: "2026-02-10"}
	z, err := e.s.AddSeizure(sb1, c.ID, funds)
	e.must(err)
	if z.AmountFen != 198000000 || z.Amount != "1980000.00" {
		t.Fatalf("funds %+v", z)
	}
	var fen int64
	e.must(e.s.DB().QueryRow(e.s.Dialect().Rebind(`SELECT amount_fen FROM case_seizures WHERE id = ?`), z.ID).Scan(&fen))
	if fen != 198000000 {
		t.Fatalf("stored %d fen", fen)
	}
	ok := []zhudun.NewSeizure{
		{Kind: zhudun.SeizureSIMCards, Count: 1210, Items: []string{"13800000001", "13800000002"}, SeizedOn: "2026-02-10"},
		{Kind: zhudun.SeizureBankCards, Count: 2, Items: []string{"6222020200112233445"}, SeizedOn: "2026-02-10"},
		{Kind: zhudun.SeizureDevices, DeviceType: "cat_pool", Slots: 32, Count: 1, Items: []string{"861234567890123"}, SeizedOn: "2026-02-10"},
		{Kind: zhudun.SeizureDevices, DeviceType: "goip", Slots: 16, Count: 2, SeizedOn: "2026-02-10"},
		{Kind: zhudun.SeizureDevices, DeviceType: "phone", Count: 3, SeizedOn: "2026-02-10"},
		{Kind: zhudun.SeizureAccounts, Count: 1200000, Items: []string{"wechat:w1", "qq:12345"}, SeizedOn: "2026-02-10"},
		{Kind: zhudun.SeizureFunds, Amount: "0.1", Account: "6222", Bank: "建设银行", State: zhudun.FundsReturned, ReturnedOn: "2026-02-12"},
	}
	for _, n := range ok {
		if _, err := e.s.AddSeizure(sb1, c.ID, n); err != nil {
			t.Errorf("%+v: %v", n, err)
		}
	}
	mod := func(n zhudun.NewSeizure, f func(*zhudun.NewSeizure)) zhudun.NewSeizure { f(&n); return n }
	sim := ok[0]
	dev := ok[2]
	for _, bad := range []struct {
		n     zhudun.NewSeizure
		field string
	}{
		{mod(funds, func(n *zhudun.NewSeizure) { n.Amount = "1.005" }), "amount"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.Amount = "-1" }), "amount"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.Amount = "1e6" }), "amount"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.Amount = "0.00" }), "amount"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.State = "lost" }), "state"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.FrozenOn = "" }), "frozen_on"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.Bank = "" }), "bank"},
		{mod(funds, func(n *zhudun.NewSeizure) { n.Count = 3 }), "count"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.Count = 1 }), "items"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.Items = []string{"1380000000x"} }), "items"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.Items = []string{"13800000001", "13800000001"} }), "items"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.Count = 0 }), "count"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.SeizedOn = "" }), "seized_on"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.Amount = "1.00" }), "amount"},
		{mod(dev, func(n *zhudun.NewSeizure) { n.Slots = 0 }), "slots"},
		{mod(dev, func(n *zhudun.NewSeizure) { n.DeviceType = "router" }), "device_type"},
		{mod(dev, func(n *zhudun.NewSeizure) { n.Items = []string{"123"} }), "items"},
		{mod(ok[4], func(n *zhudun.NewSeizure) { n.Slots = 4 }), "slots"},
		{mod(sim, func(n *zhudun.NewSeizure) { n.Slots = 4 }), "slots"},
		{zhudun.NewSeizure{Kind: "drugs", Count: 1, SeizedOn: "2026-02-10"}, "kind"},
	} {
		if _, err := e.s.AddSeizure(sb1, c.ID, bad.n); code(err) != zhudun.EINVALID || field(err) != bad.field {
			t.Errorf("%+v: %v; want EINVALID on %s", bad.n, err, bad.field)
		}
	}
	full, err := e.s.FindCaseByID(sb1, c.ID)
	e.must(err)
	if len(full.Seizures) != 8 {
		t.Fatalf("%d seizures; want 8", len(full.Seizures))
	}
	if s := full.Seizures[3]; s.DeviceType != "cat_pool" || s.Slots != 32 || !slices.Equal(s.Items, []string{"861234567890123"}) {
		t.Fatalf("cat pool %+v", s)
	}
	if n := e.auditCount("case.seizure.add"); n != 8 {
		t.Errorf("case.seizure.add audited %d times; want 8", n)
	}
}

// gangWorld is cutWorld plus a member of G-000001 raised by SB2's feed:
// SB1's analyst sees five of the gang's six findings.
func gangWorld(e *env) map[string]*zhudun.Finding {
	w := cutWorld(e)
	at := time.Date(2026, 2, 27, 3, 0, 0, 0, time.UTC)
	f := &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: "13900000010", Score: 0.7, Gang: "G-000001",
		FirstSeen: at, LastSeen: at, Evidence: json.RawMessage(`[{"signal":"imsi_per_imei","value":5,"threshold":4,"window":"7d"}]`), Source: "sb2feed", Networks: []string{"cmcc"}}
	e.must(e.s.ApplyFindingChange(e.sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{f}}))
	w[f.Entity] = f
	return w
}

// testCaseFromEngine: a case opened from a gang takes exactly the gang's
// findings in the caller's finding:read scope, with their evidence; from
// chosen findings, only visible ones; more added later, each entity once.
func testCaseFromEngine(t *testing.T, b Backend) {
	e := newEnv(t, b)
	w := gangWorld(e)
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	c, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "G-000001 猫池团伙", Type: "helping_crime", FromGang: "G-000001"})
	e.must(err)
	var got []string
	for _, x := range c.Entities {
		got = append(got, x.Category+"|"+x.Entity)
		f := w[x.Entity]
		if x.FindingID == nil || *x.FindingID != f.ID || x.Gang != "G-000001" || x.EntityType != f.EntityType {
			t.Errorf("entity %+v of finding %+v", x, f)
		}
		var a, b any
		e.must(json.Unmarshal(x.Evidence, &a))
		e.must(json.Unmarshal(f.Evidence, &b))
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s evidence %s; want %s", x.Entity, x.Evidence, f.Evidence)
		}
	}
	slices.Sort(got)
	want := "black_account|wechat:w1,black_card|13800000001,black_card|13800000002,black_card|13800000003,black_device|86123456789012"
	if strings.Join(got, ",") != want {
		t.Fatalf("entities from the gang:\n%s\nwant\n%s", strings.Join(got, ","), want)
	}
	// SB2's analyst opens one from the same gang: its own member only.
	c2, err := e.s.CreateCase(sb2, zhudun.NewCase{Title: "二分局涉 G-000001", Type: "helping_crime", FromGang: "G-000001"})
	e.must(err)
	if len(c2.Entities) != 1 || c2.Entities[0].Entity != "13900000010" {
		t.Fatalf("SB2's case from the gang: %+v", c2.Entities)
	}
	if _, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "无此团伙", Type: "other", FromGang: "G-999999"}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("an unknown gang: %v", err)
	}
	if _, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "越权线索", Type: "other", FromFindings: []int64{w["13800000001"].ID, w["13900000009"].ID}}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("a case from another division's finding: %v", err)
	}
	if _, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "两者", Type: "other", FromGang: "G-000001", FromFindings: []int64{1}}); code(err) != zhudun.EINVALID {
		t.Fatalf("gang and findings: %v", err)
	}
	c3, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "两个号码", Type: "telecom_fraud", FromFindings: []int64{w["13800000001"].ID, w["13800000002"].ID, w["13800000001"].ID}})
	e.must(err)
	if len(c3.Entities) != 2 {
		t.Fatalf("from findings: %d entities; want 2", len(c3.Entities))
	}
	added, err := e.s.AddCaseEntities(sb1, c3.ID, []int64{w["13800000002"].ID, w["86123456789012"].ID})
	e.must(err)
	if len(added) != 1 || added[0].Entity != "86123456789012" {
		t.Fatalf("added %+v; want the device only", added)
	}
	if _, err := e.s.AddCaseEntities(sb1, c3.ID, []int64{w["13900000010"].ID}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("adding SB2's finding: %v", err)
	}
	if _, err := e.s.AddCaseEntities(sb2, c3.ID, []int64{w["13900000010"].ID}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("SB2 adds to SB1's case: %v", err)
	}
	full, err := e.s.FindCaseByID(sb1, c3.ID)
	e.must(err)
	if len(full.Entities) != 3 {
		t.Fatalf("case 3 holds %d entities; want 3", len(full.Entities))
	}
	if n := e.auditCount("case.entity.add"); n != 1 {
		t.Errorf("case.entity.add audited %d; want 1", n)
	}
}

// testCaseMerge: links listed from both sides; a duplicate merged moves
// its people, measures, seizures and entities to the survivor (what both
// hold, once), becomes merged, takes no more writes, and its number finds
// the survivor.
func testCaseMerge(t *testing.T, b Backend) {
	e := newEnv(t, b)
	w := gangWorld(e)
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	surv, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "主案", Type: "telecom_fraud", FromFindings: []int64{w["13800000001"].ID}})
	e.must(err)
	dup, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "重复案", Type: "telecom_fraud", FromFindings: []int64{w["13800000001"].ID, w["13800000002"].ID}})
	e.must(err)
	surv, dup = e.fileCase(sb1, surv.ID), e.fileCase(sb1, dup.ID)
	sb2case := e.newCase(sb2, "二分局关联案", "")
	// Links.
	if _, err := e.s.LinkCases(sb1, surv.ID, surv.ID, "同一团伙作案"); code(err) != zhudun.EINVALID {
		t.Fatalf("self link: %v", err)
	}
	if _, err := e.s.LinkCases(sb1, surv.ID, sb2case.ID, "同一团伙作案"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("link to a case out of scope: %v", err)
	}
	l, err := e.s.LinkCases(sb1, dup.ID, surv.ID, "同一团伙作案")
	e.must(err)
	if l.Case != surv.ID || l.Reason != "同一团伙作案" {
		t.Fatalf("link %+v", l)
	}
	if _, err := e.s.LinkCases(sb1, surv.ID, dup.ID, "再次关联"); code(err) != zhudun.ECONFLICT {
		t.Fatalf("a link twice: %v", err)
	}
	for _, x := range []struct{ id, other int64 }{{surv.ID, dup.ID}, {dup.ID, surv.ID}} {
		c, err := e.s.FindCaseByID(sb1, x.id)
		e.must(err)
		if len(c.Links) != 1 || c.Links[0].Case != x.other {
			t.Errorf("case %d links %+v; want %d", x.id, c.Links, x.other)
		}
	}
	// The parts: one person on both, one on the duplicate only.
	zs := zhudun.NewCasePerson{Name: "张三", IDNumber: idA, Role: zhudun.RoleSuspect}
	ps, err := e.s.AddCasePerson(sb1, surv.ID, zs)
	e.must(err)
	caught := zs
	caught.ApprehendedOn = "2026-02-24"
	pd, err := e.s.AddCasePerson(sb1, dup.ID, caught)
	e.must(err)
	_, err = e.s.AddCasePerson(sb1, dup.ID, zhudun.NewCasePerson{Name: "李四", IDNumber: idB, Role: zhudun.RoleVictim})
	e.must(err)
	if ps.PersonID != pd.PersonID {
		t.Fatal("one person, two records")
	}
	_, err = e.s.AddMeasure(sb1, dup.ID, zhudun.NewMeasure{Person: pd.PersonID, Kind: zhudun.MeasureArrest, From: "2026-02-25", Authority: "济南市人民检察院", DocumentNo: "济检捕〔2026〕3号"})
	e.must(err)
	_, err = e.s.AddSeizure(sb1, dup.ID, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 10, SeizedOn: "2026-02-25"})
	e.must(err)
	// Out of scope, a closed duplicate, a survivor of its own: refused.
	if _, err := e.s.MergeCase(sb2, dup.ID, surv.ID, "重复立案"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("SB2 merges: %v", err)
	}
	closed := e.newCase(sb1, "已不予立案", "")
	_, err = e.s.TransitionCase(sb1, closed.ID, zhudun.CaseTransition{To: zhudun.CaseClosedUnfiled, Reason: "没有犯罪事实"})
	e.must(err)
	if _, err := e.s.MergeCase(sb1, closed.ID, surv.ID, "重复立案"); code(err) != zhudun.ECONFLICT {
		t.Fatalf("merge a closed case: %v", err)
	}
	if _, err := e.s.MergeCase(sb1, dup.ID, dup.ID, "重复立案"); code(err) != zhudun.EINVALID {
		t.Fatalf("merge into itself: %v", err)
	}
	got, err := e.s.MergeCase(sb1, dup.ID, surv.ID, "重复立案，并入主案")
	e.must(err)
	var people, ents []string
	for _, p := range got.People {
		people = append(people, p.Name+":"+p.Role)
		if p.Role == zhudun.RoleSuspect && p.ApprehendedOn != "2026-02-24" {
			t.Errorf("the survivor's suspect lost the duplicate's apprehension day: %+v", p)
		}
	}
	for _, x := range got.Entities {
		ents = append(ents, x.Entity)
	}
	slices.Sort(people)
	slices.Sort(ents)
	if strings.Join(people, ",") != "张三:suspect,李四:victim" || strings.Join(ents, ",") != "13800000001,13800000002" ||
		len(got.Measures) != 1 || len(got.Seizures) != 1 {
		t.Fatalf("survivor: people %v, entities %v, %d measures, %d seizures", people, ents, len(got.Measures), len(got.Seizures))
	}
	d, err := e.s.FindCaseByID(sb1, dup.ID)
	e.must(err)
	if d.Status != zhudun.CaseMerged || d.MergedInto == nil || *d.MergedInto != surv.ID || len(d.People) != 0 || len(d.Seizures) != 0 || d.Number != dup.Number {
		t.Fatalf("the duplicate: %+v", d)
	}
	// Its number and receipt find the survivor, with a note.
	for _, q := range []string{dup.Number, dup.Receipt} {
		c, err := e.s.FindCaseByNumber(sb1, q)
		e.must(err)
		if c.ID != surv.ID || !strings.Contains(c.Note, q) || !strings.Contains(c.Note, surv.Number) {
			t.Errorf("by %s: case %d, note %q", q, c.ID, c.Note)
		}
	}
	if _, err := e.s.AddSeizure(sb1, dup.ID, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 1, SeizedOn: "2026-02-25"}); code(err) != zhudun.ECONFLICT {
		t.Errorf("a seizure for the merged case: %v", err)
	}
	if _, err := e.s.TransitionCase(sb1, dup.ID, zhudun.CaseTransition{To: zhudun.CaseSolved}); code(err) != zhudun.ECONFLICT {
		t.Errorf("solving the merged case: %v", err)
	}
	if _, err := e.s.FindCaseByNumber(sb2, dup.Number); code(err) != zhudun.ENOTFOUND {
		t.Errorf("SB2 by the duplicate's number: %v", err)
	}
	if n := e.auditCount("case.merge"); n != 2 {
		t.Errorf("case.merge audited %d times; want 2 (both cases)", n)
	}
}

// testCampaigns: a campaign reaches its department's subtree; a city-wide
// one every analyst sees; cases tagged and listed by campaign.
func testCampaigns(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	sb2 := e.as(e.user("ana2", "SB2", "analyst"))
	cmd := e.as(e.user("cmd1", "SB1", "commander"))
	city, err := e.s.CreateCampaign(e.sys, zhudun.NewCampaign{Name: "净网2026", From: "2026-01-01", To: "2026-12-31", Dept: "ROOT"})
	e.must(err)
	four, err := e.s.CreateCampaign(sb1, zhudun.NewCampaign{Name: "四断", From: "2026-02-01", To: "2026-06-30"})
	e.must(err)
	if four.DeptCode != "SB1" {
		t.Fatalf("campaign dept %s", four.DeptCode)
	}
	for _, bad := range []struct {
		ctx  context.Context
		n    zhudun.NewCampaign
		want string
	}{
		{sb1, zhudun.NewCampaign{Name: "四断", From: "2026-02-01", To: "2026-06-30"}, zhudun.ECONFLICT},
		{sb1, zhudun.NewCampaign{Name: "城市", From: "2026-02-01", To: "2026-06-30", Dept: "ROOT"}, zhudun.EINVALID},
		{sb1, zhudun.NewCampaign{Name: "倒序", From: "2026-06-30", To: "2026-02-01"}, zhudun.EINVALID},
		{cmd, zhudun.NewCampaign{Name: "指挥", From: "2026-02-01", To: "2026-06-30"}, zhudun.EFORBIDDEN},
	} {
		if _, err := e.s.CreateCampaign(bad.ctx, bad.n); code(err) != bad.want {
			t.Errorf("campaign %+v: %v; want %s", bad.n, err, bad.want)
		}
	}
	names := func(ctx context.Context) string {
		ps, err := e.s.FindCampaigns(ctx)
		e.must(err)
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	for who, want := range map[string]string{"sb1": "净网2026,四断", "sb2": "净网2026", "cmd": "净网2026,四断"} {
		ctx := map[string]context.Context{"sb1": sb1, "sb2": sb2, "cmd": cmd}[who]
		if got := names(ctx); got != want {
			t.Errorf("%s sees campaigns %s; want %s", who, got, want)
		}
	}
	c, err := e.s.CreateCase(sb1, zhudun.NewCase{Title: "四断专案", Type: "helping_crime", Campaigns: []int64{city.ID, four.ID}})
	e.must(err)
	if len(c.Campaigns) != 2 {
		t.Fatalf("tags %+v", c.Campaigns)
	}
	if _, err := e.s.CreateCase(sb2, zhudun.NewCase{Title: "二分局四断", Type: "helping_crime", Campaigns: []int64{four.ID}}); code(err) != zhudun.EINVALID || field(err) != "campaigns" {
		t.Fatalf("SB2 tags SB1's campaign: %v", err)
	}
	c2 := e.newCase(sb2, "二分局净网", "")
	if _, err := e.s.TagCase(sb2, c2.ID, four.ID); code(err) != zhudun.EINVALID {
		t.Fatalf("SB2 tags with SB1's campaign: %v", err)
	}
	if got, err := e.s.TagCase(sb2, c2.ID, city.ID); err != nil || len(got.Campaigns) != 1 || got.Campaigns[0].Name != "净网2026" {
		t.Fatalf("tag: %+v %v", got, err)
	}
	e.newCase(sb1, "无专项", "")
	if _, n, err := e.s.FindCases(sb1, zhudun.CaseFilter{Campaign: four.ID}); err != nil || n != 1 {
		t.Errorf("SB1 by 四断: %d %v", n, err)
	}
	if _, n, err := e.s.FindCases(e.sys, zhudun.CaseFilter{Campaign: city.ID}); err != nil || n != 2 {
		t.Errorf("all by 净网: %d %v", n, err)
	}
	if n := e.auditCount("campaign.create"); n != 2 {
		t.Errorf("campaign.create audited %d; want 2", n)
	}
}
