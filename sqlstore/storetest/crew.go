package storetest

import (
	"testing"

	"github.com/zhudun/zhudun"
)

func strs(v ...string) *[]string { return &v }

func ptr(s string) *string { return &s }

// testUnitCrew: a unit is bound to its terminal and crew (officers of its
// station), audited; an officer finds their unit and reports its status
// without unit:write; nobody else's crew can be set or reported for.
func testUnitCrew(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	disp1 := e.as(u["disp1"])
	e.user("off1b", "SQ1", zhudun.RoleOfficer) // a squad under ST1
	c1, err := e.s.CreateUnit(disp1, zhudun.NewUnit{Callsign: "ST1-C1", Kind: "car", StationCode: "ST1", Terminal: "T-001"})
	e.must(err)
	c2, err := e.s.CreateUnit(disp1, zhudun.NewUnit{Callsign: "ST1-C2", Kind: "car", StationCode: "ST1"})
	e.must(err)
	// off3 belongs to ST3, not ST1; disp2 sees nothing of SB1.
	if _, err := e.s.UpdateUnit(disp1, c1.ID, zhudun.UnitUpdate{Crew: strs("off1", "off3")}); code(err) != zhudun.EINVALID {
		t.Fatalf("an officer of another station in the crew: %v", err)
	}
	if _, err := e.s.UpdateUnit(disp1, c1.ID, zhudun.UnitUpdate{Crew: strs("nosuchuser")}); code(err) != zhudun.EINVALID {
		t.Fatalf("an unknown username: %v", err)
	}
	if _, err := e.s.UpdateUnit(e.as(u["disp2"]), c1.ID, zhudun.UnitUpdate{Crew: strs("off1")}); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("another sub-bureau's dispatcher: %v", err)
	}
	if _, err := e.s.UpdateUnit(disp1, c2.ID, zhudun.UnitUpdate{Terminal: ptr("T-001")}); code(err) != zhudun.ECONFLICT {
		t.Fatalf("a terminal bound twice: %v", err)
	}
	x, err := e.s.UpdateUnit(disp1, c1.ID, zhudun.UnitUpdate{Crew: strs("off1b", "off1", "off1"), Terminal: ptr(" T-009 ")})
	e.must(err)
	if len(x.Crew) != 2 || x.Crew[0].Username != "off1" || x.Crew[1].Username != "off1b" || x.Terminal != "T-009" || x.Version != c1.Version+1 {
		t.Fatalf("after the update: %+v", x)
	}
	// Listing shows the crew; off1 moving to C2 leaves C1's crew.
	_, err = e.s.UpdateUnit(disp1, c2.ID, zhudun.UnitUpdate{Crew: strs("off1")})
	e.must(err)
	us, _, err := e.s.FindUnits(disp1, zhudun.UnitFilter{Station: "ST1"})
	e.must(err)
	crews := map[string]int{}
	for _, x := range us {
		crews[x.Callsign] = len(x.Crew)
	}
	if crews["ST1-C1"] != 1 || crews["ST1-C2"] != 1 {
		t.Fatalf("crews %v, want C1 1 (off1b), C2 1 (off1)", crews)
	}
	// The officer's own unit, and its status reported by the crew.
	mine, err := e.s.MyUnit(e.as(u["off1"]))
	if err != nil || mine.ID != c2.ID {
		t.Fatalf("off1's unit: %+v %v", mine, err)
	}
	if _, err := e.s.MyUnit(e.as(u["off3"])); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("off3 rides nothing: %v", err)
	}
	if _, err := e.s.SetUnitStatus(e.as(u["off1"]), c2.ID, "meal"); err != nil {
		t.Fatalf("the crew reports 就餐: %v", err)
	}
	if _, err := e.s.SetUnitStatus(e.as(u["off1"]), c1.ID, "patrolling"); code(err) != zhudun.ENOTFOUND && code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("an officer reported for a unit they do not ride: %v", err)
	}
	cands, err := e.s.CrewCandidates(disp1, c1.ID)
	e.must(err)
	names := map[string]bool{}
	for _, m := range cands {
		names[m.Username] = true
	}
	if !names["off1"] || !names["off1b"] || names["off3"] || names["disp1"] {
		t.Fatalf("crew candidates %v; want ST1's officers only", names)
	}
	var n int
	e.must(e.s.DB().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'unit.update'`).Scan(&n))
	if n != 2 {
		t.Fatalf("%d unit.update audit rows, want 2", n)
	}
}
