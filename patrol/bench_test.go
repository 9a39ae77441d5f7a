package patrol

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// cityPlans: n plans of 4 checkpoints (radius 30 m) scattered over a
// 60 × 60 km city around Jinan, an 8-hour day shift 08:00–16:00 with four
// 2-hour windows requiring every checkpoint once.
func cityPlans(n int, r *rand.Rand) []*zhudun.PatrolPlan {
	var ps []*zhudun.PatrolPlan
	for i := range n {
		p := &zhudun.PatrolPlan{ID: int64(i + 1), GridID: int64(i + 1), GridCode: fmt.Sprintf("G%04d", i), StationID: int64(i%96 + 1), Name: "p",
			Shifts: []zhudun.PatrolShift{{Name: "day", Start: "08:00", End: "16:00"}}}
		var codes []string
		for j := range 4 {
			c := fmt.Sprintf("C%d", j)
			codes = append(codes, c)
			p.Checkpoints = append(p.Checkpoints, zhudun.PatrolCheckpoint{Code: c, Lon: 116.85 + r.Float64()*lonSpan, Lat: 36.55 + r.Float64()*latSpan, RadiusM: 30})
		}
		for h := 8; h < 16; h += 2 {
			p.Windows = append(p.Windows, zhudun.PatrolWindow{Shift: "day", Start: fmt.Sprintf("%02d:00", h), End: fmt.Sprintf("%02d:00", h+2), Checkpoints: codes, Times: 1})
		}
		ps = append(ps, p)
	}
	return ps
}

// fleet moves units at 36 km/h, turning now and then, one fix every 10 s.
type fleet struct {
	lon, lat, hdg []float64
	r             *rand.Rand
}

func newFleet(n int, r *rand.Rand) *fleet {
	f := &fleet{r: r}
	for range n {
		f.lon = append(f.lon, 116.85+r.Float64()*lonSpan)
		f.lat = append(f.lat, 36.55+r.Float64()*latSpan)
		f.hdg = append(f.hdg, r.Float64()*2*math.Pi)
	}
	return f
}

func (f *fleet) step(i int) (float64, float64) {
	if f.r.IntN(30) == 0 {
		f.hdg[i] += (f.r.Float64() - 0.5) * math.Pi
	}
	f.lon[i] += 100 * math.Cos(f.hdg[i]) / 89418
	f.lat[i] += 100 * math.Sin(f.hdg[i]) / 110971
	if f.lon[i] < 116.85 || f.lon[i] > 116.85+lonSpan || f.lat[i] < 36.55 || f.lat[i] > 36.55+latSpan {
		f.hdg[i] += math.Pi
	}
	return f.lon[i], f.lat[i]
}

const benchUnits = 5000

// The city: 60 × 60 km (Jinan's built-up area and its ring of towns).
const lonSpan, latSpan = 0.672, 0.54

// BenchmarkFeed: one fix of one of 5,000 units against 2,000 checkpoints.
func BenchmarkFeed(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	tr := NewTracker()
	tr.SetPlans(cityPlans(500, r))
	fl := newFleet(benchUnits, r)
	start := time.Date(2026, 12, 3, 8, 0, 0, 0, zhudun.CST())
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		u := i % benchUnits
		lon, lat := fl.step(u)
		tr.Feed(int64(u+1), int64(u%96+1), lon, lat, start.Add(time.Duration(i/benchUnits)*10*time.Second))
		if i%100000 == 0 {
			tr.TakePending()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fixes/s")
}

// BenchmarkShiftEnd: a city's 8-hour shift — 5,000 units, one fix every
// 10 s (2,880,000 fixes), 2,000 checkpoints in 500 grids — is fed first
// (not timed); the timed part is what the shift's end costs: finding the
// ended shift instances and every grid's and unit's coverage.
func BenchmarkShiftEnd(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	tr := NewTracker()
	tr.SetPlans(cityPlans(500, r))
	fl := newFleet(benchUnits, r)
	start := time.Date(2026, 12, 3, 8, 0, 0, 0, zhudun.CST())
	t0 := time.Now()
	steps := 8 * 360
	for s := range steps {
		ts := start.Add(time.Duration(s) * 10 * time.Second)
		for u := range benchUnits {
			lon, lat := fl.step(u)
			tr.Feed(int64(u+1), int64(u%96+1), lon, lat, ts)
		}
	}
	feed := time.Since(t0)
	visits := len(tr.TakePending())
	end := start.Add(8 * time.Hour)
	b.ReportAllocs()
	b.ResetTimer()
	var rows, planned, visited int
	for range b.N {
		rows, planned, visited = 0, 0, 0
		done := map[ShiftInstance]bool{}
		for _, si := range tr.Ended(end.Add(-time.Second), end) {
			k := ShiftInstance{Day: si.Day, Shift: si.Shift}
			if done[k] {
				continue
			}
			done[k] = true
			g, u := tr.Coverage(si.Day, si.Shift)
			rows += len(g) + len(u)
			for _, c := range g {
				planned += c.Planned
				visited += c.Visited
			}
		}
	}
	b.StopTimer()
	if rows == 0 {
		b.Fatal("no coverage")
	}
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(visited)*100/float64(planned), "coverage%")
	b.ReportMetric(float64(steps*benchUnits)/feed.Seconds(), "feed-fixes/s")
	b.ReportMetric(float64(visits), "visits")
}
