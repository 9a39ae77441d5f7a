package storetest

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testListPlans is issue 19.13's guard against index regressions: every
// statement the incident lists build (counts by scope part, pages) is
// explained, and none may scan the incidents table; on SQLite a page is
// read in its order from an index, never gathered by a multi-index OR and
// sorted. Each was once the case: the creator index over every row made
// the planner scan the table for a history's creator part (0.6 s at 2 M),
// and an id list in the page's predicate made SQLite sort a district's
// whole history for its first 50 rows (0.15 s).
func testListPlans(t *testing.T, b Backend) {
	if b.Explain == nil {
		t.Fatal("backend has no Explain")
	}
	e, u := patrolEnv(t, b)
	at := time.Date(2025, 5, 1, 2, 0, 0, 0, time.UTC)
	var rows []zhudun.NewIncident
	for i := range 400 {
		recv := at.Add(time.Duration(i) * time.Minute)
		closed := recv.Add(time.Hour)
		rows = append(rows, zhudun.NewIncident{Category: "dispute", Lon: 117.005, Lat: 36.605, ReceivedAt: &recv, ClosedAt: &closed, Outcome: "mediated"})
	}
	if n, bad, err := e.s.ImportIncidents(e.sys, zhudun.IncidentImport{Rows: rows}); err != nil || len(bad) != 0 || n != len(rows) {
		t.Fatalf("import: %d %v %v", n, bad, err)
	}
	for range 3 {
		_, err := e.s.CreateIncident(e.as(u["disp1"]), zhudun.NewIncident{Category: "dispute", Lon: 117.005, Lat: 36.605})
		e.must(err)
	}
	var mu sync.Mutex
	type stmt struct {
		q    string
		args []any
	}
	var seen []stmt
	o := optionsLike(e)
	o.Trace = func(q string, args []any) {
		mu.Lock()
		seen = append(seen, stmt{q, append([]any(nil), args...)})
		mu.Unlock()
	}
	s := b.Open(t, "main", o)
	yes := true
	for _, who := range []string{"disp1", "cmd1"} { // a station's scope, a sub-bureau's subtree
		for _, f := range []zhudun.IncidentFilter{{Open: &yes}, {}, {Category: "dispute", Limit: 20}} {
			if _, _, err := s.FindIncidents(e.as(u[who]), f); err != nil {
				t.Fatalf("%s %+v: %v", who, f, err)
			}
		}
	}
	if len(seen) < 12 {
		t.Fatalf("%d statements traced, want a count and a page per list at least", len(seen))
	}
	sqliteScan := regexp.MustCompile(`(?m)^\s*SCAN i\s*$`) // the whole table, no index
	for _, st := range seen {
		plan := b.Explain(t, s.DB(), st.q, st.args)
		bad := ""
		switch {
		case strings.Contains(plan, "Seq Scan on incidents"), sqliteScan.MatchString(plan):
			bad = "scans the incidents table"
		case strings.Contains(plan, "MULTI-INDEX OR"):
			bad = "gathers rows by a multi-index OR"
		case strings.Contains(st.q, "ORDER BY") && strings.Contains(plan, "USE TEMP B-TREE FOR ORDER BY"):
			bad = "sorts the page instead of reading it in order"
		}
		if bad != "" {
			t.Errorf("statement %s:\n%s\nplan:\n%s", bad, st.q, plan)
		}
	}
}
