package patrol

import (
	"math"
	"sort"
	"sync"
	"time"

	"github.com/zhudun/zhudun"
)

// MinRevisit: passes of one checkpoint in one window count towards its
// required number of times only when at least this far apart — two cars of
// a convoy, or one car's fix jittering across the edge, are one visit.
const MinRevisit = 10 * time.Minute

const (
	dayNs    = int64(24 * time.Hour)
	cstNs    = int64(8 * time.Hour) // China Standard Time, no daylight saving
	cellDeg  = 0.01                 // checkpoint index cell (about 1.1 × 0.9 km at Jinan)
	keepDays = 3                    // window instances kept in memory after their day
)

// localDay is the CST day number of t (Unix ns).
func localDay(t int64) int32 { return int32(floorDiv(t+cstNs, dayNs)) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// DayString is the date (YYYY-MM-DD, CST) of day number d.
func DayString(d int32) string {
	return time.Unix(0, int64(d)*dayNs-cstNs).In(zhudun.CST()).Format(time.DateOnly)
}

// ParseDay is the day number of a date (YYYY-MM-DD, CST).
func ParseDay(s string) (int32, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, zhudun.CST())
	if err != nil {
		return 0, false
	}
	return localDay(t.UnixNano()), true
}

type window struct {
	shift         string
	start, length int64 // from the shift date's local midnight, ns
	shiftEnd      int64 // the shift's end from the same midnight
	times         int
	cps           []string
}

type plan struct {
	p    *zhudun.PatrolPlan
	wins []window
}

// counts reports whether window w of day d is planned: a window that had
// ended before the plan existed was never asked for (a new plan counts
// from the window under way, not for the shifts before it).
func (pl *plan) counts(w window, d int32) bool {
	return int64(d)*dayNs-cstNs+w.start+w.length > pl.p.CreatedAt.UnixNano()
}

type checkpoint struct {
	plan *plan
	code string
	f    Frame
	r    float64
	wins []int // the plan's windows that require it
	seen uint64
}

type insideState struct {
	cp    int32
	since int64
}

type unitState struct {
	station int64
	tr      Track
	inside  []insideState
}

type slotKey struct {
	plan int64
	win  int
	cp   string
	day  int32
}

type counter struct {
	n    int
	last int64
}

type slot struct {
	all   counter
	units map[int64]*counter
	seen  map[[2]int64]bool // (unit, time) of every pass credited: a pass computed again (a replay after a restart) is not counted twice
}

type cell struct{ x, y int32 }

// Tracker keeps coverage as fixes arrive: per unit its last good fix (and
// which circles it is in), per checkpoint, window and day the passes
// counted. Feeding a fix costs a map lookup, the checkpoints of one or two
// index cells and no allocation unless it makes a visit. Safe for
// concurrent use.
type Tracker struct {
	mu      sync.Mutex
	plans   map[int64]*plan
	cps     []checkpoint
	cells   map[cell][]int32
	units   map[int64]*unitState
	slots   map[slotKey]*slot
	pending []zhudun.PatrolVisit
	gen     uint64
}

// NewTracker returns an empty tracker.
func NewTracker() *Tracker {
	return &Tracker{plans: map[int64]*plan{}, cells: map[cell][]int32{}, units: map[int64]*unitState{}, slots: map[slotKey]*slot{}}
}

func cellOf(lon, lat float64) cell {
	return cell{int32(math.Floor(lon / cellDeg)), int32(math.Floor(lat / cellDeg))}
}

// SetPlans replaces the plans (after an edit). Counts already made are kept
// by plan, window index and checkpoint code; units' tracks are kept.
func (t *Tracker) SetPlans(ps []*zhudun.PatrolPlan) {
	plans := map[int64]*plan{}
	var cps []checkpoint
	cells := map[cell][]int32{}
	for _, p := range ps {
		pl := &plan{p: p}
		shifts := map[string]zhudun.PatrolShift{}
		for _, sh := range p.Shifts {
			shifts[sh.Name] = sh
		}
		for _, w := range p.Windows {
			sh := shifts[w.Shift]
			ss, sn, err1 := zhudun.ClockSpan(sh.Start, sh.End)
			off, wn, err2 := zhudun.WindowShiftOffset(sh, w)
			if err1 != nil || err2 != nil {
				continue // Validate refuses such plans; a row edited by hand is skipped, not guessed
			}
			m := int64(time.Minute)
			pl.wins = append(pl.wins, window{shift: w.Shift, start: int64(ss+off) * m, length: int64(wn) * m,
				shiftEnd: int64(ss+sn) * m, times: w.Times, cps: w.Checkpoints})
		}
		plans[p.ID] = pl
		for _, c := range p.Checkpoints {
			cp := checkpoint{plan: pl, code: c.Code, f: NewFrame(c.Lon, c.Lat), r: c.RadiusM}
			for wi, w := range pl.wins {
				for _, code := range w.cps {
					if code == c.Code {
						cp.wins = append(cp.wins, wi)
					}
				}
			}
			if len(cp.wins) == 0 {
				continue
			}
			id := int32(len(cps))
			cps = append(cps, cp)
			// Every cell the circle's bounding box touches.
			dlon, dlat := (c.RadiusM+1)/cp.f.KX, (c.RadiusM+1)/cp.f.KY
			lo, hi := cellOf(c.Lon-dlon, c.Lat-dlat), cellOf(c.Lon+dlon, c.Lat+dlat)
			for x := lo.x; x <= hi.x; x++ {
				for y := lo.y; y <= hi.y; y++ {
					cells[cell{x, y}] = append(cells[cell{x, y}], id)
				}
			}
		}
	}
	t.mu.Lock()
	t.plans, t.cps, t.cells = plans, cps, cells
	for _, u := range t.units {
		u.inside = u.inside[:0] // indexes changed; a pass in progress restarts (its window is credited once anyway)
	}
	t.mu.Unlock()
}

// Feed takes one fix of a unit of a station (WGS-84, time of the fix).
// Fixes must come in time order per unit; older ones are ignored.
func (t *Tracker) Feed(unitID, stationID int64, lon, lat float64, at time.Time) {
	f := Fix{Lon: lon, Lat: lat, T: at.UnixNano()}
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.units[unitID]
	if u == nil {
		u = &unitState{}
		t.units[unitID] = u
	}
	u.station = stationID
	step, prev := u.tr.Add(f)
	a := f
	switch step {
	case StepStale, StepBad:
		return
	case StepFirst, StepPoint:
		u.inside = u.inside[:0] // no line from the fix before: a pass cannot continue
	case StepSegment:
		a = prev
	}
	if len(t.cps) == 0 {
		return
	}
	t.gen++
	lo := cellOf(math.Min(a.Lon, f.Lon), math.Min(a.Lat, f.Lat))
	hi := cellOf(math.Max(a.Lon, f.Lon), math.Max(a.Lat, f.Lat))
	if int64(hi.x-lo.x+1)*int64(hi.y-lo.y+1) > 64 {
		return // a segment across more than 64 cells (≈ 70 km) is no patrol; plausibility bounds it already
	}
	for x := lo.x; x <= hi.x; x++ {
		for y := lo.y; y <= hi.y; y++ {
			for _, id := range t.cells[cell{x, y}] {
				cp := &t.cps[id]
				if cp.seen == t.gen {
					continue
				}
				cp.seen = t.gen
				t.pass(unitID, u, id, cp, a, f, step == StepSegment)
			}
		}
	}
}

// pass applies the segment a→b (or the point b when a == b) to one checkpoint.
func (t *Tracker) pass(unitID int64, u *unitState, id int32, cp *checkpoint, a, b Fix, segment bool) {
	ax, ay := cp.f.XY(a.Lon, a.Lat)
	bx, by := cp.f.XY(b.Lon, b.Lat)
	k := -1
	for i, in := range u.inside {
		if in.cp == id {
			k = i
			break
		}
	}
	u0, u1, ok := SegmentInside(ax, ay, bx, by, cp.r)
	if !ok {
		if k >= 0 {
			u.inside = append(u.inside[:k], u.inside[k+1:]...)
		}
		return
	}
	dt := float64(b.T - a.T)
	tin, tout := a.T+int64(u0*dt), a.T+int64(u1*dt)
	cont := segment && k >= 0 && u0 == 0
	since := tin
	if cont {
		since = u.inside[k].since
	}
	for _, wi := range cp.wins {
		w := &cp.plan.wins[wi]
		for d := localDay(tin) - 2; d <= localDay(tout); d++ {
			ws := int64(d)*dayNs - cstNs + w.start
			we := ws + w.length
			if !(tin < we && tout >= ws) {
				continue
			}
			if cont && since < we && tin >= ws {
				continue // this pass was inside the window already: credited then
			}
			at := max(tin, ws)
			at -= at % 1000 // microseconds, as stored: a replayed pass matches its stored visit
			if !t.credit(slotKey{plan: cp.plan.p.ID, win: wi, cp: cp.code, day: d}, unitID, at) {
				continue
			}
			t.pending = append(t.pending, zhudun.PatrolVisit{PlanID: cp.plan.p.ID, GridID: cp.plan.p.GridID, StationID: cp.plan.p.StationID,
				Checkpoint: cp.code, Window: wi, ShiftDate: DayString(d), Shift: w.shift, UnitID: unitID, At: time.Unix(0, at).UTC()})
		}
	}
	switch {
	case u1 < 1 && k >= 0:
		u.inside = append(u.inside[:k], u.inside[k+1:]...)
	case u1 == 1 && k < 0:
		u.inside = append(u.inside, insideState{cp: id, since: since})
	case u1 == 1 && !cont:
		u.inside[k].since = since
	}
}

func (c *counter) add(at int64) {
	if c.n == 0 || at-c.last >= int64(MinRevisit) || c.last-at >= int64(MinRevisit) {
		c.n++
		c.last = max(c.last, at)
	}
}

// credit counts a pass; false when this very pass was credited before.
func (t *Tracker) credit(k slotKey, unitID int64, at int64) bool {
	s := t.slots[k]
	if s == nil {
		s = &slot{units: map[int64]*counter{}, seen: map[[2]int64]bool{}}
		t.slots[k] = s
	}
	if s.seen[[2]int64{unitID, at}] {
		return false
	}
	s.seen[[2]int64{unitID, at}] = true
	s.all.add(at)
	c := s.units[unitID]
	if c == nil {
		c = &counter{}
		s.units[unitID] = c
	}
	c.add(at)
	return true
}

// Restore counts visits read back after a restart (in time order), without
// queueing them for persistence again.
func (t *Tracker) Restore(vs []zhudun.PatrolVisit) {
	sort.Slice(vs, func(i, j int) bool { return vs[i].At.Before(vs[j].At) })
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, v := range vs {
		d, ok := ParseDay(v.ShiftDate)
		if !ok {
			continue
		}
		t.credit(slotKey{plan: v.PlanID, win: v.Window, cp: v.Checkpoint, day: d}, v.UnitID, v.At.Truncate(time.Microsecond).UnixNano())
	}
}

// SeedFix sets a unit's last good fix without counting it (after a restart:
// the unit's stored position), so the next fix is checked against it.
func (t *Tracker) SeedFix(unitID, stationID int64, lon, lat float64, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.units[unitID] == nil {
		u := &unitState{station: stationID}
		u.tr.Add(Fix{Lon: lon, Lat: lat, T: at.UnixNano()})
		t.units[unitID] = u
	}
}

// TakePending returns the visits made since the last call (to persist).
func (t *Tracker) TakePending() []zhudun.PatrolVisit {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.pending
	t.pending = nil
	return p
}

// Requeue puts visits back after a failed write (ahead of newer ones).
func (t *Tracker) Requeue(vs []zhudun.PatrolVisit) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = append(vs, t.pending...)
}

// ShiftInstance names one shift of one plan on one date.
type ShiftInstance struct {
	PlanID int64
	Day    int32
	Shift  string
	End    time.Time
}

// Ended lists the shift instances whose end lies in (after, upTo].
func (t *Tracker) Ended(after, upTo time.Time) []ShiftInstance {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []ShiftInstance
	a, b := after.UnixNano(), upTo.UnixNano()
	for _, pl := range t.plans {
		seen := map[string]bool{}
		for _, w := range pl.wins {
			if seen[w.shift] {
				continue
			}
			seen[w.shift] = true
			for d := localDay(a) - 2; d <= localDay(b); d++ {
				end := int64(d)*dayNs - cstNs + w.shiftEnd
				if end > a && end <= b {
					out = append(out, ShiftInstance{PlanID: pl.p.ID, Day: d, Shift: w.shift, End: time.Unix(0, end).UTC()})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].End.Before(out[j].End) })
	return out
}

// Coverage returns the coverage of one shift (date and name) across every
// plan that has it: one row per grid (by grid code), then one per unit that
// made a counted visit (by unit id). A unit's Planned is the sum of its own
// station's grids' and its Visited counts visits in those grids only
// (visits elsewhere are in Other).
func (t *Tracker) Coverage(day int32, shift string) (grids, units []zhudun.PatrolCoverage) {
	t.mu.Lock()
	defer t.mu.Unlock()
	date := DayString(day)
	planned := map[int64]int{} // station → planned
	type unitSum struct{ own, other int }
	us := map[int64]*unitSum{}
	for _, pl := range t.plans {
		g := zhudun.PatrolCoverage{PlanID: pl.p.ID, GridID: pl.p.GridID, GridCode: pl.p.GridCode, StationID: pl.p.StationID, ShiftDate: date, Shift: shift}
		has := false
		for wi, w := range pl.wins {
			if w.shift != shift || !pl.counts(w, day) {
				continue
			}
			has = true
			for _, code := range w.cps {
				g.Planned += w.times
				s := t.slots[slotKey{plan: pl.p.ID, win: wi, cp: code, day: day}]
				if s == nil {
					continue
				}
				g.Visited += min(s.all.n, w.times)
				for id, c := range s.units {
					u := us[id]
					if u == nil {
						u = &unitSum{}
						us[id] = u
					}
					if st := t.units[id]; st != nil && st.station == pl.p.StationID {
						u.own += min(c.n, w.times)
					} else {
						u.other += min(c.n, w.times)
					}
				}
			}
		}
		if !has {
			continue
		}
		planned[pl.p.StationID] += g.Planned
		g.Percent = zhudun.CoveragePercent(g.Visited, g.Planned)
		grids = append(grids, g)
	}
	sort.Slice(grids, func(i, j int) bool { return grids[i].GridCode < grids[j].GridCode })
	for id, u := range us {
		var st int64
		if s := t.units[id]; s != nil {
			st = s.station
		}
		r := zhudun.PatrolCoverage{ShiftDate: date, Shift: shift, UnitID: id, StationID: st, Planned: planned[st], Visited: u.own, Other: u.other}
		r.Percent = zhudun.CoveragePercent(r.Visited, r.Planned)
		units = append(units, r)
	}
	sort.Slice(units, func(i, j int) bool { return units[i].UnitID < units[j].UnitID })
	return grids, units
}

// gridCoverage is Coverage's row of one plan (for the live layer).
func (t *Tracker) gridCoverage(pl *plan, day int32, shift string) (planned, visited int, seen map[string]bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	seen = map[string]bool{}
	for wi, w := range pl.wins {
		if w.shift != shift || !pl.counts(w, day) {
			continue
		}
		for _, code := range w.cps {
			planned += w.times
			if s := t.slots[slotKey{plan: pl.p.ID, win: wi, cp: code, day: day}]; s != nil && s.all.n > 0 {
				visited += min(s.all.n, w.times)
				seen[code] = true
			}
		}
	}
	return planned, visited, seen
}

// LiveCheckpoint is a checkpoint's state in the shift under way.
type LiveCheckpoint struct {
	Code    string  `json:"code"`
	Name    string  `json:"name"`
	Lon     float64 `json:"lon"`
	Lat     float64 `json:"lat"`
	RadiusM float64 `json:"radius_m"`
	Visited bool    `json:"visited"` // passed in one of its windows of this shift
}

// LivePlan is a plan's coverage in the shift under way at a moment.
type LivePlan struct {
	PlanID      int64            `json:"plan_id"`
	GridID      int64            `json:"grid_id"`
	GridCode    string           `json:"grid"`
	StationID   int64            `json:"station_id"`
	DeptPath    string           `json:"-"`
	ShiftDate   string           `json:"shift_date,omitempty"`
	Shift       string           `json:"shift,omitempty"` // empty: no shift under way
	Planned     int              `json:"planned"`
	Visited     int              `json:"visited"`
	Percent     *float64         `json:"percent"`
	Checkpoints []LiveCheckpoint `json:"checkpoints"`
}

// Live returns every plan's state at now, for the shift under way.
func (t *Tracker) Live(now time.Time) []LivePlan {
	t.mu.Lock()
	plans := make([]*plan, 0, len(t.plans))
	for _, pl := range t.plans {
		plans = append(plans, pl)
	}
	t.mu.Unlock()
	sort.Slice(plans, func(i, j int) bool { return plans[i].p.GridCode < plans[j].p.GridCode })
	n := now.UnixNano()
	out := make([]LivePlan, 0, len(plans))
	for _, pl := range plans {
		lp := LivePlan{PlanID: pl.p.ID, GridID: pl.p.GridID, GridCode: pl.p.GridCode, StationID: pl.p.StationID, DeptPath: pl.p.DeptPath}
		var cur *ShiftInstance
		for _, w := range pl.wins {
			for d := localDay(n) - 1; d <= localDay(n); d++ {
				midnight := int64(d)*dayNs - cstNs
				shiftStart := midnight + w.shiftEnd - shiftLen(pl, w.shift)
				if n >= shiftStart && n < midnight+w.shiftEnd {
					cur = &ShiftInstance{PlanID: pl.p.ID, Day: d, Shift: w.shift}
				}
			}
		}
		var visited map[string]bool
		if cur != nil {
			lp.ShiftDate, lp.Shift = DayString(cur.Day), cur.Shift
			lp.Planned, lp.Visited, visited = t.gridCoverage(pl, cur.Day, cur.Shift)
			lp.Percent = zhudun.CoveragePercent(lp.Visited, lp.Planned)
		}
		for _, c := range pl.p.Checkpoints {
			lp.Checkpoints = append(lp.Checkpoints, LiveCheckpoint{Code: c.Code, Name: c.Name, Lon: c.Lon, Lat: c.Lat, RadiusM: c.RadiusM, Visited: visited[c.Code]})
		}
		out = append(out, lp)
	}
	return out
}

// shiftLen is the length of the named shift of a plan in ns.
func shiftLen(pl *plan, name string) int64 {
	for _, sh := range pl.p.Shifts {
		if sh.Name == name {
			_, n, _ := zhudun.ClockSpan(sh.Start, sh.End)
			return int64(n) * int64(time.Minute)
		}
	}
	return 0
}

// Forget drops window instances older than keepDays before now and units
// not heard from for as long, bounding memory over weeks of running.
func (t *Tracker) Forget(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	limit := localDay(now.UnixNano()) - keepDays
	for k := range t.slots {
		if k.day < limit {
			delete(t.slots, k)
		}
	}
	old := now.UnixNano() - int64(keepDays)*dayNs
	for id, u := range t.units {
		if f, ok := u.tr.Last(); ok && f.T < old {
			delete(t.units, id)
		}
	}
}
