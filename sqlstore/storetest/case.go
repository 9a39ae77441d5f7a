package storetest

import (
	"context"
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
	if _, _, err := e.s.FindCases(sb1, zhudun.CaseFilter{Status: "opened"}); code(err) != zhudun.EINVALID {
		t.Errorf("bad status filter: %v", err)
	}
}
