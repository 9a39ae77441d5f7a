package patrol

import (
	"math"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// Metres per degree at 36.65°N on WGS-84 (meridional and parallel arcs as
// printed in geodesy tables: 110,971 m per degree of latitude, 89,418 m
// per degree of longitude). Written here, not taken from the code.
const (
	mLat = 110971.09
	mLon = 89417.99
	lon0 = 117.0
	lat0 = 36.65
)

// pt is the point east, north metres from the checkpoint.
func pt(east, north float64) (float64, float64) { return lon0 + east/mLon, lat0 + north/mLat }

// at is a CST time on 3 December 2026.
func at(h, m, s int) time.Time { return time.Date(2026, 12, 3, h, m, s, 0, zhudun.CST()) }

func dayPlan(times int) *zhudun.PatrolPlan {
	return &zhudun.PatrolPlan{ID: 7, GridID: 3, GridCode: "G1", StationID: 2, Name: "p",
		Checkpoints: []zhudun.PatrolCheckpoint{{Code: "A", Lon: lon0, Lat: lat0, RadiusM: 50}},
		Shifts:      []zhudun.PatrolShift{{Name: "day", Start: "08:00", End: "20:00"}, {Name: "night", Start: "20:00", End: "08:00"}},
		Windows: []zhudun.PatrolWindow{{Shift: "day", Start: "09:00", End: "11:00", Checkpoints: []string{"A"}, Times: times},
			{Shift: "night", Start: "02:00", End: "04:00", Checkpoints: []string{"A"}, Times: 1}}}
}

type fix struct {
	east, north float64
	t           time.Time
}

// visited feeds one unit's track and returns the day shift's visited count.
func visited(t *testing.T, times int, track []fix) int {
	t.Helper()
	tr := NewTracker()
	tr.SetPlans([]*zhudun.PatrolPlan{dayPlan(times)})
	for _, f := range track {
		lon, lat := pt(f.east, f.north)
		tr.Feed(1, 2, lon, lat, f.t)
	}
	d, _ := ParseDay("2026-12-03")
	c := cov(tr, d, "day")
	if c.Planned != times {
		t.Fatalf("planned %d, want %d", c.Planned, times)
	}
	return c.Visited
}

// cov is the grid row of plan 7.
func cov(tr *Tracker, d int32, shift string) zhudun.PatrolCoverage {
	g, _ := tr.Coverage(d, shift)
	return g[0]
}

func TestVisitRule(t *testing.T) {
	for _, tc := range []struct {
		name  string
		times int
		track []fix
		want  int
	}{
		{"fix inside the radius", 1, []fix{{30, 0, at(9, 30, 0)}}, 1},
		{"far away", 1, []fix{{300, 0, at(9, 30, 0)}}, 0},
		// 1 km in 40 s (90 km/h), both fixes 500 m out: only the line between them passes.
		{"segment through the circle, both fixes outside", 1, []fix{{-500, 0, at(9, 30, 0)}, {500, 0, at(9, 30, 40)}}, 1},
		{"segment passing 1 m outside the radius", 1, []fix{{-500, 51, at(9, 30, 0)}, {500, 51, at(9, 30, 40)}}, 0},
		{"segment passing 0.5 m inside", 1, []fix{{-500, 49.5, at(9, 30, 0)}, {500, 49.5, at(9, 30, 40)}}, 1},
		{"fix exactly at the edge (inclusive)", 1, []fix{{0, 50, at(9, 30, 0)}}, 1},
		{"fix 1 m outside the edge", 1, []fix{{0, -51, at(9, 30, 0)}}, 0},
		{"segment tangent to the circle", 1, []fix{{-500, -50, at(9, 30, 0)}, {500, -50, at(9, 30, 40)}}, 1},
		// 5 km from the last fix in 10 s is 1,800 km/h: a bad fix, and no
		// line is drawn from it to the next fix either.
		{"teleport into the circle", 1, []fix{{5000, 0, at(9, 30, 0)}, {0, 0, at(9, 30, 10)}, {5000, 10, at(9, 30, 20)}}, 0},
		{"teleport then a line back across", 1, []fix{{-5000, 0, at(9, 30, 0)}, {5000, 0, at(9, 30, 10)}, {-5000, 10, at(9, 30, 20)}}, 0},
		{"inside before the window", 1, []fix{{0, 0, at(8, 59, 59)}}, 0},
		{"inside at the window's start (inclusive)", 1, []fix{{0, 0, at(9, 0, 0)}}, 1},
		{"inside at the window's end (exclusive)", 1, []fix{{0, 0, at(11, 0, 0)}}, 0},
		{"inside a second before the end", 1, []fix{{0, 0, at(10, 59, 59)}}, 1},
		// Inside the circle 08:59:56–09:00:00.5 (the line), fixes both outside the window's time.
		{"line inside the circle across the window's start", 1, []fix{{-500, 0, at(8, 59, 38)}, {500, 0, at(9, 0, 18)}}, 1},
		{"line inside the circle just before the window", 1, []fix{{-500, 0, at(8, 59, 30)}, {500, 0, at(9, 0, 10)}}, 0},
		{"a gap longer than MaxGap is not interpolated", 1, []fix{{-500, 0, at(9, 30, 0)}, {500, 0, at(9, 36, 0)}}, 0},
		{"inside from before the window, staying: credited once at its start", 2, []fix{{0, 0, at(8, 58, 0)}, {1, 0, at(9, 0, 30)}, {0, 1, at(9, 4, 0)}, {1, 1, at(9, 8, 0)}, {0, 0, at(9, 12, 0)}}, 1},
		{"staying inside is one pass", 2, []fix{{0, 0, at(9, 30, 0)}, {1, 0, at(9, 34, 0)}, {0, 1, at(9, 38, 0)}, {0, 0, at(9, 42, 0)}, {1, 1, at(9, 46, 0)}}, 1},
		{"two passes 5 min apart count once", 2, []fix{{0, 0, at(9, 30, 0)}, {500, 0, at(9, 31, 0)}, {0, 0, at(9, 35, 0)}}, 1},
		{"two passes 15 min apart count twice", 2, []fix{{0, 0, at(9, 30, 0)}, {500, 0, at(9, 32, 0)}, {500, 0, at(9, 36, 0)}, {500, 0, at(9, 40, 0)}, {0, 0, at(9, 45, 0)}}, 2},
		{"more passes than required count as required", 1, []fix{{0, 0, at(9, 30, 0)}, {500, 0, at(9, 32, 0)}, {500, 0, at(9, 36, 0)}, {500, 0, at(9, 40, 0)}, {0, 0, at(9, 45, 0)}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := visited(t, tc.times, tc.track); got != tc.want {
				t.Errorf("visited %d, want %d", got, tc.want)
			}
		})
	}
}

// Three consistent fixes far from a wrong last fix move the track there.
func TestBadFixReset(t *testing.T) {
	tr := NewTracker()
	tr.SetPlans([]*zhudun.PatrolPlan{dayPlan(1)})
	feed := func(e, n float64, t time.Time) { lon, lat := pt(e, n); tr.Feed(1, 2, lon, lat, t) }
	feed(90000, 0, at(9, 0, 0)) // a cold start's wrong first fix, 90 km away
	feed(-600, 0, at(9, 0, 10))
	feed(-500, 0, at(9, 0, 20))
	feed(-400, 0, at(9, 0, 30)) // third agreeing fix: reset here
	feed(400, 0, at(9, 1, 0))   // the line -400 → 400 crosses the circle
	d, _ := ParseDay("2026-12-03")
	if c := cov(tr, d, "day"); c.Visited != 1 {
		t.Errorf("visited %d after the reset, want 1", c.Visited)
	}
}

// A night window after midnight belongs to the shift that began the evening before.
func TestNightShiftAcrossMidnight(t *testing.T) {
	tr := NewTracker()
	tr.SetPlans([]*zhudun.PatrolPlan{dayPlan(1)})
	lon, lat := pt(0, 0)
	tr.Feed(1, 2, lon, lat, time.Date(2026, 12, 4, 3, 0, 0, 0, zhudun.CST()))
	d3, _ := ParseDay("2026-12-03")
	if c := cov(tr, d3, "night"); c.Visited != 1 || c.ShiftDate != "2026-12-03" {
		t.Errorf("night of 3 Dec: %+v, want visited 1", c)
	}
	d4, _ := ParseDay("2026-12-04")
	if c := cov(tr, d4, "night"); c.Visited != 0 {
		t.Errorf("night of 4 Dec visited %d, want 0", c.Visited)
	}
	// The day shift of 3 December ends at 20:00 CST, the night at 08:00 on the 4th.
	ends := tr.Ended(at(19, 0, 0), time.Date(2026, 12, 4, 8, 0, 0, 0, zhudun.CST()))
	if len(ends) != 2 || ends[0].Shift != "day" || !ends[0].End.Equal(at(20, 0, 0)) || ends[1].Shift != "night" || DayString(ends[1].Day) != "2026-12-03" {
		t.Errorf("ended %+v", ends)
	}
}

// Per unit: each unit's own visits; the grid's: the required ones made by anyone.
func TestCoveragePerUnit(t *testing.T) {
	p := dayPlan(1)
	p.Checkpoints = append(p.Checkpoints, zhudun.PatrolCheckpoint{Code: "B", Lon: lon0 + 0.01, Lat: lat0, RadiusM: 30})
	p.Windows[0].Checkpoints = []string{"A", "B"}
	tr := NewTracker()
	tr.SetPlans([]*zhudun.PatrolPlan{p})
	lon, lat := pt(0, 0)
	tr.Feed(1, 2, lon, lat, at(9, 30, 0))
	tr.Feed(2, 5, lon, lat, at(9, 31, 0)) // a unit of another station
	d, _ := ParseDay("2026-12-03")
	g, u := tr.Coverage(d, "day")
	if len(g) != 1 || g[0].Planned != 2 || g[0].Visited != 1 || *g[0].Percent != 50 || g[0].GridCode != "G1" {
		t.Errorf("grid coverage %+v", g)
	}
	// Unit 1 (station 2, the grid's): 1 of its station's 2; unit 2 (station 5): nothing planned, 1 elsewhere.
	if len(u) != 2 || u[0].UnitID != 1 || u[0].Planned != 2 || u[0].Visited != 1 || u[0].Other != 0 ||
		u[1].UnitID != 2 || u[1].Planned != 0 || u[1].Visited != 0 || u[1].Other != 1 || u[1].Percent != nil {
		t.Errorf("unit coverage %+v %+v", u[0], u[1])
	}
	if vs := tr.TakePending(); len(vs) != 2 || vs[0].Checkpoint != "A" || vs[0].ShiftDate != "2026-12-03" || vs[0].Shift != "day" {
		t.Errorf("pending %+v", vs)
	}
	// Restored into a new tracker, the counts come back.
	tr2 := NewTracker()
	tr2.SetPlans([]*zhudun.PatrolPlan{p})
	tr2.Restore([]zhudun.PatrolVisit{{PlanID: 7, Checkpoint: "A", Window: 0, ShiftDate: "2026-12-03", UnitID: 1, At: at(9, 30, 0)}})
	if c := cov(tr2, d, "day"); c.Visited != 1 {
		t.Errorf("restored %+v", c)
	}
}

func TestDistanceWGS84(t *testing.T) {
	// One degree of latitude at 36.65°N, centred there: the tables' 110,971 m (±2 m).
	if d := Distance(lon0, lat0-0.5, lon0, lat0+0.5); math.Abs(d-110971) > 2 {
		t.Errorf("1° of latitude = %.1f m", d)
	}
	if d := Distance(lon0, lat0, lon0+0.01, lat0); math.Abs(d-894.18) > 0.05 {
		t.Errorf("0.01° of longitude = %.2f m", d)
	}
}
