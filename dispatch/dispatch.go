// Package dispatch decides which patrol unit should take an incident. Index
// is pure: an in-memory index of grids (a bucket grid over their bounding
// boxes, and which grids touch which) and of units (state, latest position,
// the grid that position falls in), with no database or network inside, so
// that the server, the importer and benchmarks use the same code. Service
// (service.go) is a server's live copy of it, fed from the store and by bus
// events; the HTTP layer only asks it.
//
// The rule (issue 6): the nearest available unit whose latest position is
// in the incident's grid; else the nearest available unit in the grids that
// touch it; else none, with the reason. A unit whose position is missing or
// older than the staleness limit is never recommended. Distance is the
// straight line (haversine) between the unit's latest position and the
// incident — not the road distance.
//
// A recommendation never blocks dispatch (issue 18): beside the fresh
// candidates it lists the units of the incident grid's station (or, for a
// point outside every grid, every unit the dispatcher may see) with their
// state and the age of their position, so that a dispatcher can pick one by
// hand — with a reason, which the store requires and audits — when no unit
// reports a fresh position.
package dispatch

import (
	"math"
	"sort"
	"sync"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// TouchTolerance is how close (metres) two grids' boundaries must come for
// the grids to count as touching: shared edges of a tessellation drawn by
// hand or converted from GCJ-02 differ by rounding noise.
const TouchTolerance = 5.0

// Grid is what the index needs of a grid.
type Grid struct {
	ID        int64
	Code      string
	StationID int64
	Boundary  geo.MultiPolygon
}

// Unit is what the index needs of a unit. DeptPath and StationID let the
// caller filter candidates by data scope.
type Unit struct {
	ID         int64
	Callsign   string
	StationID  int64
	DeptPath   string
	Status     string // base state
	HasPos     bool
	Lon, Lat   float64
	PositionAt time.Time
	Version    int64 // state changes: a lower version never overwrites a higher one
}

// Tier says where a candidate was found.
const (
	TierGrid      = "grid"
	TierNeighbour = "neighbour"
	TierStation   = "station" // a manual choice: the station's units, whatever their position
)

// Candidate is a unit that could take the incident.
type Candidate struct {
	UnitID    int64   `json:"unit_id"`
	Callsign  string  `json:"callsign"`
	StationID int64   `json:"station_id"`
	Status    string  `json:"status"`
	GridID    int64   `json:"grid_id"`
	GridCode  string  `json:"grid"`
	Tier      string  `json:"tier"`
	DistanceM float64 `json:"distance_m"` // straight line; 0 without a position
	Lon       float64 `json:"lon"`
	Lat       float64 `json:"lat"`
	// Station candidates only: whether the unit's state lets it take an
	// incident, whether it has a position at all, and whether that is stale.
	Available   bool     `json:"available"`
	HasPosition bool     `json:"has_position"`
	Stale       bool     `json:"stale"`
	PositionAge *float64 `json:"position_age_seconds,omitempty"`
}

// Recommendation is the answer for one incident point.
type Recommendation struct {
	GridID       int64       `json:"grid_id,omitempty"`
	GridCode     string      `json:"grid,omitempty"`
	Unit         *Candidate  `json:"unit"`                  // nil: none
	Reason       string      `json:"reason,omitempty"`      // why none, in words
	ReasonCode   string      `json:"reason_code,omitempty"` // why none, for clients to translate: outside_grids, no_units, stale, busy, busy_or_stale
	Alternatives []Candidate `json:"alternatives"`          // every available candidate, best first (the unit included)
	StationUnits []Candidate `json:"station_units"`         // for a manual pick: the station's other units, available first
	Neighbours   []string    `json:"neighbour_grids"`       // codes of the touching grids searched
	Busy         int         `json:"busy_units"`            // units in those grids that are not available
	Stale        int         `json:"stale_units"`           // available units skipped for a stale or missing position
	Distance     string      `json:"distance_measure"`      // always "straight_line"
}

type gridEntry struct {
	Grid
	box   geo.Box
	units map[int64]*Unit // units whose latest position is in this grid
}

// Index is safe for concurrent use: many recommendations read while
// position updates write.
type Index struct {
	mu         sync.RWMutex
	staleAfter time.Duration

	grids    []*gridEntry
	byID     map[int64]int32
	cell     float64 // bucket size in degrees
	buckets  map[int64][]int32
	oversize []int32   // grids spanning too many buckets: always checked
	adj      [][]int32 // touching grids

	units     map[int64]*Unit
	unitIn    map[int64]int32           // unit → grid index, for units inside some grid
	byStation map[int64]map[int64]*Unit // station → its units, for the manual list
}

// New returns an empty index; staleAfter <= 0 means zhudun.DefaultStaleAfter.
func New(staleAfter time.Duration) *Index {
	if staleAfter <= 0 {
		staleAfter = zhudun.DefaultStaleAfter
	}
	return &Index{staleAfter: staleAfter, byID: map[int64]int32{}, buckets: map[int64][]int32{},
		units: map[int64]*Unit{}, unitIn: map[int64]int32{}, byStation: map[int64]map[int64]*Unit{}, cell: 0.01}
}

// StaleAfter returns the staleness limit.
func (x *Index) StaleAfter() time.Duration { return x.staleAfter }

// Stale reports whether a position taken at t is too old at now.
func (x *Index) Stale(hasPos bool, t, now time.Time) bool {
	return !hasPos || now.Sub(t) > x.staleAfter
}

func (x *Index) key(c, r int64) int64 { return c<<32 ^ (r & 0xffffffff) }

// maxBucketsPerGrid keeps one enormous polygon from filling the map.
const maxBucketsPerGrid = 4096

// SetGrids replaces every grid: rebuilds the buckets and the adjacency and
// places every known unit again.
func (x *Index) SetGrids(gs []Grid) {
	entries := make([]*gridEntry, len(gs))
	byID := make(map[int64]int32, len(gs))
	sizes := make([]float64, 0, len(gs))
	for i, g := range gs {
		b := g.Boundary.Bounds()
		entries[i] = &gridEntry{Grid: g, box: b, units: map[int64]*Unit{}}
		byID[g.ID] = int32(i)
		if !b.Empty() {
			sizes = append(sizes, math.Max(b.MaxLon-b.MinLon, b.MaxLat-b.MinLat))
		}
	}
	cell := 0.01
	if len(sizes) > 0 {
		sort.Float64s(sizes)
		if m := sizes[len(sizes)/2]; m > 0 {
			cell = m
		}
	}
	buckets := map[int64][]int32{}
	var oversize []int32
	for i, e := range entries {
		if e.box.Empty() {
			continue
		}
		c0, c1 := int64(math.Floor(e.box.MinLon/cell)), int64(math.Floor(e.box.MaxLon/cell))
		r0, r1 := int64(math.Floor(e.box.MinLat/cell)), int64(math.Floor(e.box.MaxLat/cell))
		if (c1-c0+1)*(r1-r0+1) > maxBucketsPerGrid {
			oversize = append(oversize, int32(i))
			continue
		}
		for c := c0; c <= c1; c++ {
			for r := r0; r <= r1; r++ {
				k := x.key(c, r)
				buckets[k] = append(buckets[k], int32(i))
			}
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.grids, x.byID, x.cell, x.buckets, x.oversize = entries, byID, cell, buckets, oversize
	x.adj = x.adjacency()
	x.unitIn = map[int64]int32{}
	for _, u := range x.units {
		x.place(u)
	}
}

// candidatesNear calls f for every grid whose bucket range meets box b.
func (x *Index) candidatesNear(b geo.Box, f func(int32)) {
	seen := map[int32]bool{}
	c0, c1 := int64(math.Floor(b.MinLon/x.cell)), int64(math.Floor(b.MaxLon/x.cell))
	r0, r1 := int64(math.Floor(b.MinLat/x.cell)), int64(math.Floor(b.MaxLat/x.cell))
	for c := c0; c <= c1; c++ {
		for r := r0; r <= r1; r++ {
			for _, i := range x.buckets[x.key(c, r)] {
				if !seen[i] {
					seen[i] = true
					f(i)
				}
			}
		}
	}
	for _, i := range x.oversize {
		if !seen[i] {
			f(i)
		}
	}
}

// adjacency finds touching grids: boundaries within TouchTolerance of each
// other (a shared edge, or a shared corner).
func (x *Index) adjacency() [][]int32 {
	adj := make([][]int32, len(x.grids))
	tolDeg := TouchTolerance / 100000 // ≥ TouchTolerance metres in degrees at any latitude below 60°
	for i, e := range x.grids {
		if e.box.Empty() {
			continue
		}
		b := geo.Box{MinLon: e.box.MinLon - tolDeg*2, MinLat: e.box.MinLat - tolDeg, MaxLon: e.box.MaxLon + tolDeg*2, MaxLat: e.box.MaxLat + tolDeg}
		x.candidatesNear(b, func(j int32) {
			if int(j) <= i {
				return // each pair once
			}
			o := x.grids[j]
			if o.box.MinLon > b.MaxLon || o.box.MaxLon < b.MinLon || o.box.MinLat > b.MaxLat || o.box.MaxLat < b.MinLat {
				return
			}
			if touches(e.Boundary, o.Boundary) {
				adj[i] = append(adj[i], j)
				adj[j] = append(adj[j], int32(i))
			}
		})
	}
	return adj
}

func touches(a, b geo.MultiPolygon) bool {
	near := func(p, q geo.MultiPolygon) bool {
		for _, poly := range p {
			for _, ring := range poly {
				for _, v := range ring {
					if q.BoundaryDistance(v[0], v[1]) <= TouchTolerance {
						return true
					}
				}
			}
		}
		return false
	}
	return near(a, b) || near(b, a)
}

// locate returns the index of the grid containing the point, or -1. Where
// grids overlap (they should not), the lowest id wins, so that the answer
// does not depend on map order.
func (x *Index) locate(lon, lat float64) int32 {
	best := int32(-1)
	check := func(i int32) {
		e := x.grids[i]
		if e.box.Contains(lon, lat) && e.Boundary.Contains(lon, lat) && (best < 0 || e.ID < x.grids[best].ID) {
			best = i
		}
	}
	for _, i := range x.buckets[x.key(int64(math.Floor(lon/x.cell)), int64(math.Floor(lat/x.cell)))] {
		check(i)
	}
	for _, i := range x.oversize {
		check(i)
	}
	return best
}

// Locate returns the grid containing the point.
func (x *Index) Locate(lon, lat float64) (Grid, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if i := x.locate(lon, lat); i >= 0 {
		return x.grids[i].Grid, true
	}
	return Grid{}, false
}

// Neighbours returns the codes of the grids touching grid id.
func (x *Index) Neighbours(id int64) []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	i, ok := x.byID[id]
	if !ok {
		return nil
	}
	out := make([]string, 0, len(x.adj[i]))
	for _, j := range x.adj[i] {
		out = append(out, x.grids[j].Code)
	}
	sort.Strings(out)
	return out
}

// place files u under the grid its position falls in; the lock is held.
func (x *Index) place(u *Unit) {
	if i, ok := x.unitIn[u.ID]; ok {
		delete(x.grids[i].units, u.ID)
		delete(x.unitIn, u.ID)
	}
	if !u.HasPos || len(x.grids) == 0 {
		return
	}
	if i := x.locate(u.Lon, u.Lat); i >= 0 {
		x.grids[i].units[u.ID] = u
		x.unitIn[u.ID] = i
	}
}

// UpsertUnit merges what is known of a unit: its state when v.Version is not
// older than the index's, its position when v.PositionAt is newer. Updates
// arrive twice (from the writing request and from the bus) and out of order
// across processes; merging this way makes that harmless.
func (x *Index) UpsertUnit(v Unit) {
	x.mu.Lock()
	defer x.mu.Unlock()
	u, ok := x.units[v.ID]
	if !ok {
		c := v
		x.units[v.ID] = &c
		x.file(&c)
		x.place(&c)
		return
	}
	if v.Version >= u.Version {
		if v.StationID != u.StationID {
			x.unfile(u)
		}
		u.Callsign, u.StationID, u.DeptPath, u.Status, u.Version = v.Callsign, v.StationID, v.DeptPath, v.Status, v.Version
		x.file(u)
	}
	if v.HasPos && (!u.HasPos || v.PositionAt.After(u.PositionAt)) {
		u.HasPos, u.Lon, u.Lat, u.PositionAt = true, v.Lon, v.Lat, v.PositionAt
		x.place(u)
	}
}

// file and unfile keep byStation; the lock is held.
func (x *Index) file(u *Unit) {
	m := x.byStation[u.StationID]
	if m == nil {
		m = map[int64]*Unit{}
		x.byStation[u.StationID] = m
	}
	m[u.ID] = u
}

func (x *Index) unfile(u *Unit) {
	if m := x.byStation[u.StationID]; m != nil {
		delete(m, u.ID)
	}
}

// UnitGrid returns the code of the grid unit id's latest position is in.
func (x *Index) UnitGrid(id int64) (string, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if i, ok := x.unitIn[id]; ok {
		return x.grids[i].Code, true
	}
	return "", false
}

// Len returns the number of grids and units indexed.
func (x *Index) Len() (grids, units int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.grids), len(x.units)
}

// maxAlternatives bounds the list shown in the dispatch dialog.
const maxAlternatives = 10

// Recommend proposes a unit for an incident at (lon, lat). allow filters
// the units the asking dispatcher may see (nil: all).
func (x *Index) Recommend(lon, lat float64, now time.Time, allow func(*Unit) bool) Recommendation {
	rec := Recommendation{Distance: "straight_line", Alternatives: []Candidate{}, Neighbours: []string{}, StationUnits: []Candidate{}}
	x.mu.RLock()
	defer x.mu.RUnlock()
	gi := x.locate(lon, lat)
	if gi < 0 {
		rec.Reason, rec.ReasonCode = "the incident is outside every grid", "outside_grids"
		rec.StationUnits = x.stationUnits(lon, lat, now, -1, allow, nil)
		return rec
	}
	g := x.grids[gi]
	rec.GridID, rec.GridCode = g.ID, g.Code
	collect := func(e *gridEntry, tier string) {
		for _, u := range e.units {
			if allow != nil && !allow(u) {
				continue
			}
			if !zhudun.UnitAvailable(u.Status) {
				rec.Busy++
				continue
			}
			if x.Stale(u.HasPos, u.PositionAt, now) {
				rec.Stale++
				continue
			}
			rec.Alternatives = append(rec.Alternatives, Candidate{UnitID: u.ID, Callsign: u.Callsign, StationID: u.StationID,
				Status: u.Status, GridID: e.ID, GridCode: e.Code, Tier: tier, DistanceM: geo.Haversine(lon, lat, u.Lon, u.Lat), Lon: u.Lon, Lat: u.Lat})
		}
	}
	collect(g, TierGrid)
	for _, j := range x.adj[gi] {
		rec.Neighbours = append(rec.Neighbours, x.grids[j].Code)
		collect(x.grids[j], TierNeighbour)
	}
	sort.Strings(rec.Neighbours)
	// Grid tier first, then distance, then id for a stable order.
	sort.Slice(rec.Alternatives, func(a, b int) bool {
		p, q := rec.Alternatives[a], rec.Alternatives[b]
		if (p.Tier == TierGrid) != (q.Tier == TierGrid) {
			return p.Tier == TierGrid
		}
		if p.DistanceM != q.DistanceM {
			return p.DistanceM < q.DistanceM
		}
		return p.UnitID < q.UnitID
	})
	if len(rec.Alternatives) > maxAlternatives {
		rec.Alternatives = rec.Alternatives[:maxAlternatives]
	}
	listed := make(map[int64]bool, len(rec.Alternatives))
	for _, c := range rec.Alternatives {
		listed[c.UnitID] = true
	}
	rec.StationUnits = x.stationUnits(lon, lat, now, g.StationID, allow, listed)
	if len(rec.Alternatives) > 0 {
		best := rec.Alternatives[0]
		rec.Unit = &best
		return rec
	}
	switch {
	case rec.Busy+rec.Stale == 0:
		rec.Reason, rec.ReasonCode = "no unit is in grid "+g.Code+" or the grids touching it", "no_units"
	case rec.Stale > 0 && rec.Busy == 0:
		rec.Reason, rec.ReasonCode = "the units in grid "+g.Code+" and the grids touching it have no fresh position", "stale"
	case rec.Stale == 0:
		rec.Reason, rec.ReasonCode = "every unit in grid "+g.Code+" and the grids touching it is busy or off duty", "busy"
	default:
		rec.Reason, rec.ReasonCode = "the units in grid "+g.Code+" and the grids touching it are busy, off duty or without a fresh position", "busy_or_stale"
	}
	return rec
}

// maxStationUnits bounds the manual list (a station has a handful of units;
// a city-wide dispatcher outside every grid could see hundreds).
const maxStationUnits = 30

// stationUnits lists, for a manual pick, the units of station (every
// station when station < 0) that allow admits and that are not listed:
// available ones first, then by distance when known, then by call sign.
// The read lock is held.
func (x *Index) stationUnits(lon, lat float64, now time.Time, station int64, allow func(*Unit) bool, listed map[int64]bool) []Candidate {
	out := []Candidate{}
	from := x.units
	if station >= 0 {
		from = x.byStation[station]
	}
	for _, u := range from {
		if listed[u.ID] || allow != nil && !allow(u) {
			continue
		}
		c := Candidate{UnitID: u.ID, Callsign: u.Callsign, StationID: u.StationID, Status: u.Status, Tier: TierStation,
			Available: zhudun.UnitAvailable(u.Status), HasPosition: u.HasPos, Stale: x.Stale(u.HasPos, u.PositionAt, now)}
		if u.HasPos {
			age := now.Sub(u.PositionAt).Seconds()
			c.PositionAge, c.Lon, c.Lat, c.DistanceM = &age, u.Lon, u.Lat, geo.Haversine(lon, lat, u.Lon, u.Lat)
		}
		if i, ok := x.unitIn[u.ID]; ok {
			c.GridID, c.GridCode = x.grids[i].ID, x.grids[i].Code
		}
		out = append(out, c)
	}
	sort.Slice(out, func(a, b int) bool {
		p, q := out[a], out[b]
		if p.Available != q.Available {
			return p.Available
		}
		if p.HasPosition != q.HasPosition {
			return p.HasPosition
		}
		if p.DistanceM != q.DistanceM {
			return p.DistanceM < q.DistanceM
		}
		return p.Callsign < q.Callsign
	})
	if len(out) > maxStationUnits {
		out = out[:maxStationUnits]
	}
	return out
}
