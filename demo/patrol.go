package demo

import (
	"context"
	"log/slog"
	"math"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// PatrolStore is what the patrol simulator reads and writes, as the system
// caller: the grids and units, the incident a unit is sent to, and the
// positions it reports (the same call a vehicle terminal makes).
type PatrolStore interface {
	AllGrids(ctx context.Context) ([]*zhudun.Grid, error)
	AllUnits(ctx context.Context) ([]*zhudun.Unit, error)
	FindIncidentByID(ctx context.Context, id int64) (*zhudun.Incident, error)
	AddPositions(ctx context.Context, id int64, ps []zhudun.Position) (*zhudun.Unit, error)
}

// PatrolConfig tunes the simulator; zero fields take the defaults.
type PatrolConfig struct {
	Every  time.Duration // between two fixes of every unit; default 15 s (well inside the 3-minute staleness)
	Seed   int64
	Logger *slog.Logger
	Now    func() time.Time
}

// Speeds in metres per second: a car on city streets, an e-bike, officers on foot.
var patrolSpeed = map[string]float64{zhudun.UnitCar: 8, zhudun.UnitEbike: 4, zhudun.UnitFoot: 1.3}

// Patrol is the demo's stand-in for vehicle terminals (issue 18): without
// it every demo unit's one position goes stale three minutes after start
// and nothing can be recommended. Each tick every unit reports a fix:
// patrolling units walk between random points of their station's grids,
// never leaving them; a dispatched unit drives to its incident; off-duty
// units stay where they are. It writes only through the store, so the
// positions flow to the dispatch index and the map as real ones do.
type Patrol struct {
	store   PatrolStore
	cfg     PatrolConfig
	rng     *rng
	grids   map[int64][]*zhudun.Grid // station → its grids
	targets map[int64][2]float64     // unit → where it is walking to
	last    time.Time
}

// NewPatrol returns a simulator over store.
func NewPatrol(store PatrolStore, cfg PatrolConfig) *Patrol {
	if cfg.Every <= 0 {
		cfg.Every = 15 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Patrol{store: store, cfg: cfg, rng: newRNG(cfg.Seed, "patrol"), targets: map[int64][2]float64{}}
}

// Run ticks until ctx ends. A failed tick is logged and the next one tries
// again: the demo must not stop the server.
func (p *Patrol) Run(ctx context.Context) {
	t := time.NewTicker(p.cfg.Every)
	defer t.Stop()
	for {
		if err := p.Step(ctx); err != nil && ctx.Err() == nil {
			p.cfg.Logger.Warn("demo patrol: tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Step moves every unit once and reports its fix.
func (p *Patrol) Step(ctx context.Context) error {
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("demo-patrol"))
	if p.grids == nil {
		gs, err := p.store.AllGrids(sys)
		if err != nil {
			return err
		}
		p.grids = map[int64][]*zhudun.Grid{}
		for _, g := range gs {
			p.grids[g.StationID] = append(p.grids[g.StationID], g)
		}
	}
	us, err := p.store.AllUnits(sys)
	if err != nil {
		return err
	}
	now := p.cfg.Now()
	dt := p.cfg.Every.Seconds()
	if !p.last.IsZero() {
		dt = math.Min(now.Sub(p.last).Seconds(), 4*p.cfg.Every.Seconds())
	}
	p.last = now
	for _, u := range us {
		if err := ctx.Err(); err != nil {
			return err
		}
		lon, lat, ok := p.move(sys, u, dt)
		if !ok {
			continue
		}
		if _, err := p.store.AddPositions(sys, u.ID, []zhudun.Position{{Lon: lon, Lat: lat, TS: now}}); err != nil {
			return err
		}
	}
	return nil
}

// move returns unit u's next position; false when it has nowhere to be
// (its station has no grids).
func (p *Patrol) move(ctx context.Context, u *zhudun.Unit, dt float64) (float64, float64, bool) {
	own := p.grids[u.StationID]
	if len(own) == 0 {
		return 0, 0, false
	}
	// A unit without a position, or (not on a call) outside its grids — a
	// demo unit placed off the map — starts again at a patrol point.
	away := u.Status != zhudun.UnitDispatched && u.Status != zhudun.UnitOnScene
	if u.Lon == nil || u.Lat == nil || away && !p.inside(own, *u.Lon, *u.Lat) {
		g := own[p.rng.intn(len(own))]
		delete(p.targets, u.ID)
		return g.PatrolPoint[0], g.PatrolPoint[1], true
	}
	lon, lat := *u.Lon, *u.Lat
	speed := patrolSpeed[u.Kind]
	if speed == 0 {
		speed = patrolSpeed[zhudun.UnitFoot]
	}
	switch u.Status {
	case zhudun.UnitOffDuty, zhudun.UnitOnScene:
		return lon, lat, true
	case zhudun.UnitDispatched:
		if u.IncidentID == nil {
			return lon, lat, true
		}
		x, err := p.store.FindIncidentByID(ctx, *u.IncidentID)
		if err != nil {
			return lon, lat, true
		}
		nlon, nlat := step(lon, lat, x.Lon, x.Lat, speed*dt)
		return nlon, nlat, true
	}
	tgt, ok := p.targets[u.ID]
	if !ok || geo.Haversine(lon, lat, tgt[0], tgt[1]) < 1 {
		tgt = p.pointIn(own)
		p.targets[u.ID] = tgt
	}
	nlon, nlat := step(lon, lat, tgt[0], tgt[1], speed*dt)
	if !p.inside(own, nlon, nlat) {
		// The straight line left the station's grids (a concave area): pick
		// another target and stay put this tick.
		delete(p.targets, u.ID)
		return lon, lat, true
	}
	return nlon, nlat, true
}

func (p *Patrol) inside(gs []*zhudun.Grid, lon, lat float64) bool {
	for _, g := range gs {
		if geo.MultiPolygon(g.Boundary).Contains(lon, lat) {
			return true
		}
	}
	return false
}

// pointIn draws a point inside one of the grids (by rejection within its
// bounding box; the patrol point when the grid is a sliver).
func (p *Patrol) pointIn(gs []*zhudun.Grid) [2]float64 {
	g := gs[p.rng.intn(len(gs))]
	m := geo.MultiPolygon(g.Boundary)
	b := m.Bounds()
	for range 32 {
		lon := b.MinLon + p.rng.float64()*(b.MaxLon-b.MinLon)
		lat := b.MinLat + p.rng.float64()*(b.MaxLat-b.MinLat)
		if m.Contains(lon, lat) {
			return [2]float64{round6(lon), round6(lat)}
		}
	}
	return g.PatrolPoint
}

// step moves from (lon, lat) towards (tlon, tlat) by at most m metres.
func step(lon, lat, tlon, tlat, m float64) (float64, float64) {
	d := geo.Haversine(lon, lat, tlon, tlat)
	if d <= m || d == 0 {
		return tlon, tlat
	}
	f := m / d
	return round6(lon + (tlon-lon)*f), round6(lat + (tlat-lat)*f)
}
