package storetest

import (
	"testing"

	"github.com/zhudun/zhudun"
)

// testIncidentOwnCount: a list's total counts the incidents its caller
// created outside its station, not only those it shows. disp1 creates an
// incident in ST1 and is then moved to SB2: the incident is in its reach
// only as its creator (the third scope part of the count).
func testIncidentOwnCount(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	mine, err := e.s.CreateIncident(e.as(u["disp1"]), zhudun.NewIncident{Category: "dispute", Lon: 117.006, Lat: 36.606})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := e.s.CreateIncident(e.as(u["disp2"]), zhudun.NewIncident{Category: "dispute", Lon: 117.006, Lat: 36.626})
	if err != nil {
		t.Fatal(err)
	}
	sb2 := "SB2"
	if _, err := e.s.UpdateUser(e.sys, u["disp1"].ID, zhudun.UserUpdate{DeptCode: &sb2}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who   string
		total int
		ids   []int64
	}{
		{"disp1", 2, []int64{mine.ID, theirs.ID}}, // its new branch's, and its own in ST1
		{"disp2", 1, []int64{theirs.ID}},
		{"cmd1", 1, []int64{mine.ID}}, // SB1's commander still sees the one in ST1
	} {
		list, total, err := e.s.FindIncidents(e.as(u[c.who]), zhudun.IncidentFilter{Limit: 100})
		if err != nil {
			t.Fatalf("%s: %v", c.who, err)
		}
		got := map[int64]bool{}
		for _, x := range list {
			got[x.ID] = true
		}
		if total != c.total || len(list) != len(c.ids) {
			t.Errorf("%s sees %d of total %d; want %d of %d", c.who, len(list), total, len(c.ids), c.total)
		}
		for _, id := range c.ids {
			if !got[id] {
				t.Errorf("%s does not see incident %d", c.who, id)
			}
		}
	}
}
