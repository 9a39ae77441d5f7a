package coverage

import (
	"context"
	"log/slog"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/peterstace/simplefeatures/rtree"

	"github.com/zhudun/zhudun"
)

// Store is what the coverage service needs of the store.
type Store interface {
	// CoverageInputs returns every grid with its target (by grid id) and
	// every camera not gone, unscoped.
	CoverageInputs(ctx context.Context) ([]*zhudun.Grid, map[int64]float64, []*zhudun.Camera, error)
	SaveCoverageSnapshots(ctx context.Context, month string, s []zhudun.CoverageSnapshot) error
	// RoadsStamp says which road layer is stored (it changes with every
	// import); CoverageRoads returns its roads, unscoped.
	RoadsStamp(ctx context.Context) (string, error)
	CoverageRoads(ctx context.Context) ([]zhudun.Road, error)
}

// Service keeps the city's coverage engine in step with the store and
// answers each caller within its zhudun:read scope (the grid's owning
// station). After a camera import, Sync applies only the cameras that
// changed, so only their grids are recomputed; the current month's
// figures of those grids are written back (the monthly snapshots).
type Service struct {
	store Store
	log   *slog.Logger
	now   func() time.Time

	mu    sync.Mutex
	eng   *Engine
	grids map[int64]*zhudun.Grid
	sig   string // the grids' ids and update times: a change rebuilds
	roads string // the road layer's stamp: a new layer rebuilds
}

// NewService returns a service over st; the engine is built on first use.
func NewService(st Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: st, log: log, now: time.Now}
}

// FromCamera is the coverage view of an inventory camera.
func FromCamera(c *zhudun.Camera) Camera {
	return Camera{ID: c.ID, Lon: c.Lon, Lat: c.Lat, Direction: c.Direction, FOV: c.FOV, Range: c.Range, Online: c.Online && !c.Gone}
}

func gridSig(gs []*zhudun.Grid) string {
	b := make([]byte, 0, 32*len(gs))
	for _, g := range gs {
		b = append(b, []byte(g.Code)...)
		b = append(b, []byte(g.UpdatedAt.Format(time.RFC3339Nano))...)
	}
	return string(b)
}

// Sync brings the engine up to the store: a full build when the grids
// changed (or on first use), else an Upsert per changed camera and a
// Remove per camera gone. It returns the grids recomputed.
func (s *Service) Sync(ctx context.Context) ([]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	grids, targets, cams, err := s.store.CoverageInputs(ctx)
	if err != nil {
		return nil, err
	}
	stamp, err := s.store.RoadsStamp(ctx)
	if err != nil {
		return nil, err
	}
	loadRoads := func() ([]Road, error) {
		zroads, err := s.store.CoverageRoads(ctx)
		if err != nil {
			return nil, err
		}
		roads := make([]Road, len(zroads))
		for i, r := range zroads {
			roads[i] = Road{ID: r.ID, Lines: r.Lines}
		}
		return roads, nil
	}
	var changed []int64
	if sig := gridSig(grids); s.eng == nil || sig != s.sig {
		roads, err := loadRoads()
		if err != nil {
			return nil, err
		}
		in := make([]Grid, len(grids))
		s.grids = map[int64]*zhudun.Grid{}
		for i, g := range grids {
			in[i] = Grid{ID: g.ID, Code: g.Code, Boundary: g.Boundary, Target: targets[g.ID]}
			s.grids[g.ID] = g
			changed = append(changed, g.ID)
		}
		cs := make([]Camera, len(cams))
		for i, c := range cams {
			cs[i] = FromCamera(c)
		}
		if s.eng, err = NewWithRoads(in, cs, roads); err != nil {
			s.eng = nil
			return nil, zhudun.Errorf(zhudun.EINTERNAL, "coverage: %v", err)
		}
		s.sig, s.roads = sig, stamp
	} else {
		seen := map[int64]bool{}
		touched := map[int64]bool{}
		if stamp != s.roads {
			// A new road layer: the roads measured anew, the areas kept.
			roads, err := loadRoads()
			if err != nil {
				return nil, err
			}
			ids, err := s.eng.SetRoads(roads)
			if err != nil {
				return nil, zhudun.Errorf(zhudun.EINTERNAL, "coverage roads: %v", err)
			}
			s.roads = stamp
			for _, id := range ids {
				touched[id] = true
			}
		}
		for _, c := range cams {
			seen[c.ID] = true
			nc := FromCamera(c)
			if old, ok := s.eng.Camera(c.ID); ok && old == nc {
				continue
			}
			ids, err := s.eng.Upsert(nc)
			if err != nil {
				s.log.Warn("coverage upsert", "camera", c.DeviceID, "err", err)
			}
			for _, id := range ids {
				touched[id] = true
			}
		}
		for _, id := range s.eng.CameraIDs() {
			if !seen[id] {
				ids, _ := s.eng.Remove(id)
				for _, g := range ids {
					touched[g] = true
				}
			}
		}
		for _, g := range grids {
			s.eng.SetTarget(g.ID, targets[g.ID])
		}
		for id := range touched {
			changed = append(changed, id)
		}
		sort.Slice(changed, func(i, j int) bool { return changed[i] < changed[j] })
	}
	if len(changed) > 0 {
		snaps := make([]zhudun.CoverageSnapshot, 0, len(changed))
		for _, id := range changed {
			if r, ok := s.eng.Grid(id); ok {
				snaps = append(snaps, zhudun.CoverageSnapshot{Grid: r.Code, AreaM2: r.AreaM2, CovM2: r.CovM2, RoadM: r.RoadM, RoadCovM: r.RoadCovM})
			}
		}
		month := s.now().In(zhudun.CST()).Format("2006-01")
		sys := zhudun.WithCaller(context.WithoutCancel(ctx), zhudun.SystemCaller("coverage"))
		if err := s.store.SaveCoverageSnapshots(sys, month, snaps); err != nil {
			s.log.Error("coverage snapshots", "err", err)
		}
	}
	return changed, nil
}

// Invalidate drops the engine (the grids were re-imported): the next
// answer rebuilds it from the store.
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.eng, s.sig, s.roads = nil, "", ""
	s.mu.Unlock()
}

// GridCoverage is one grid's coverage as the API shows it.
type GridCoverage struct {
	Result
	Name    string `json:"name"`
	Station string `json:"station"`
}

// scope returns the engine and the filter of the caller's zhudun:read
// scope, building the engine on first use.
func (s *Service) scope(ctx context.Context) (*Engine, func(int64) bool, error) {
	f, err := zhudun.ScopeFor(ctx, zhudun.PermZhudunRead)
	if err != nil {
		return nil, nil, err
	}
	// The road layer may have been replaced by another process (the
	// command line, another serve): its stamp is one cheap query.
	stamp, err := s.store.RoadsStamp(ctx)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	eng, grids, roads := s.eng, s.grids, s.roads
	s.mu.Unlock()
	if eng == nil || stamp != roads {
		if _, err := s.Sync(ctx); err != nil {
			return nil, nil, err
		}
		s.mu.Lock()
		eng, grids = s.eng, s.grids
		s.mu.Unlock()
	}
	keep := func(id int64) bool {
		g, ok := grids[id]
		return ok && f.Covers(g.DeptPath, g.StationID, 0)
	}
	return eng, keep, nil
}

// Grids returns the coverage of the grids of the caller's scope, by code.
func (s *Service) Grids(ctx context.Context) ([]GridCoverage, error) {
	eng, keep, err := s.scope(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	grids := s.grids
	s.mu.Unlock()
	out := []GridCoverage{}
	for _, r := range eng.Results() {
		if !keep(r.GridID) {
			continue
		}
		g := grids[r.GridID]
		out = append(out, GridCoverage{Result: r, Name: g.Name, Station: g.StationCode})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// Gaps returns the uncovered part of a grid of the caller's scope
// (ENOTFOUND outside it).
func (s *Service) Gaps(ctx context.Context, code string) ([][][][2]float64, error) {
	eng, keep, err := s.scope(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	var id int64
	for gid, g := range s.grids {
		if g.Code == code {
			id = gid
		}
	}
	s.mu.Unlock()
	if id == 0 || !keep(id) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "grid %s not found", code)
	}
	gaps, err := eng.Uncovered(id)
	if err != nil {
		return nil, zhudun.Errorf(zhudun.EINTERNAL, "coverage gaps: %v", err)
	}
	return gaps, nil
}

// Layer answers the coverage map over box (nil: everywhere) for the
// grids of the caller's scope: their uncovered parts when at most limit
// grids meet the box, else their boundaries (Engine.ViewOf). One request
// for a whole view, not one per grid: a city's 300 grids took a browser
// 10–25 s as 300 requests.
func (s *Service) Layer(ctx context.Context, box *rtree.Box, limit int) (View, error) {
	eng, keep, err := s.scope(ctx)
	if err != nil {
		return View{}, err
	}
	v, err := eng.ViewOf(box, keep, limit)
	if err != nil {
		return View{}, zhudun.Errorf(zhudun.EINTERNAL, "coverage layer: %v", err)
	}
	return v, nil
}

// RegionCoverage is a district's (or community's) coverage over the grids
// of the caller's scope inside it.
type RegionCoverage struct {
	Code   string  `json:"code"`
	Name   string  `json:"name"`
	AreaM2 float64 `json:"area_m2"`
	CovM2  float64 `json:"covered_m2"`
	Pct    float64 `json:"coverage_pct"`
	// Road length inside the region (over the grids counted) and inside
	// some online view, metres; RoadPct null where the region has no roads.
	RoadM    float64  `json:"road_m"`
	RoadCovM float64  `json:"road_covered_m"`
	RoadPct  *float64 `json:"road_coverage_pct"`
}

// Regions measures each district over the grids of the caller's scope.
func (s *Service) Regions(ctx context.Context, ds []zhudun.District) ([]RegionCoverage, error) {
	eng, keep, err := s.scope(ctx)
	if err != nil {
		return nil, err
	}
	out := []RegionCoverage{}
	for _, d := range ds {
		m, err := eng.In(d.Boundary, keep)
		if err != nil {
			s.log.Warn("district coverage", "district", d.Code, "err", err)
			continue
		}
		if m.AreaM2 == 0 {
			continue
		}
		out = append(out, RegionCoverage{Code: d.Code, Name: d.Name, AreaM2: m.AreaM2, CovM2: m.CovM2, Pct: math.Round(m.CovM2/m.AreaM2*10000) / 100,
			RoadM: m.RoadM, RoadCovM: m.RoadCovM, RoadPct: roadPct(m.RoadM, m.RoadCovM)})
	}
	return out, nil
}
