package dispatch

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/zhudun/zhudun"
)

// Source is what the service reads to build its index: every grid and unit
// (as the system caller), and one unit again after a change.
type Source interface {
	AllGrids(ctx context.Context) ([]*zhudun.Grid, error)
	AllUnits(ctx context.Context) ([]*zhudun.Unit, error)
	FindUnitByID(ctx context.Context, id int64) (*zhudun.Unit, error)
}

// Service is the live dispatch state of one server process: the Index,
// built from the store at Load and kept current two ways — the writer of a
// change tells it at once (UnitChanged, RefreshUnit, ReloadGrids, so that a
// dispatcher sees the effect of their own action), and the bus brings
// unit.* and grid.imported events (OnEvent), which covers changes made by
// other processes (the CLI, other servers). Both paths merge by version and
// position time, so an update that arrives twice or late is harmless. The
// HTTP layer only asks it; nothing here knows of requests.
type Service struct {
	src    Source
	idx    *Index
	log    *slog.Logger
	reload sync.Mutex // one grid reload at a time
	now    func() time.Time
}

// NewService returns a service over src; staleAfter <= 0 means
// zhudun.DefaultStaleAfter, a nil log discards.
func NewService(src Source, staleAfter time.Duration, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{src: src, idx: New(staleAfter), log: log, now: time.Now}
}

func systemCtx(ctx context.Context) context.Context {
	return zhudun.WithCaller(ctx, zhudun.SystemCaller("dispatch-index"))
}

// Load builds the index from the store.
func (s *Service) Load(ctx context.Context) error {
	if err := s.ReloadGrids(ctx); err != nil {
		return err
	}
	us, err := s.src.AllUnits(systemCtx(ctx))
	if err != nil {
		return err
	}
	for _, u := range us {
		s.idx.UpsertUnit(indexUnit(u))
	}
	return nil
}

// ReloadGrids reads every grid again (after an import).
func (s *Service) ReloadGrids(ctx context.Context) error {
	s.reload.Lock()
	defer s.reload.Unlock()
	gs, err := s.src.AllGrids(systemCtx(ctx))
	if err != nil {
		return err
	}
	out := make([]Grid, len(gs))
	for i, g := range gs {
		out[i] = Grid{ID: g.ID, Code: g.Code, StationID: g.StationID, Boundary: g.Boundary}
	}
	s.idx.SetGrids(out)
	return nil
}

func indexUnit(u *zhudun.Unit) Unit {
	d := Unit{ID: u.ID, Callsign: u.Callsign, StationID: u.StationID, DeptPath: u.DeptPath, Status: u.Status, Version: u.Version}
	if u.PositionAt != nil && u.Lon != nil && u.Lat != nil {
		d.HasPos, d.Lon, d.Lat, d.PositionAt = true, *u.Lon, *u.Lat, *u.PositionAt
	}
	return d
}

// UnitChanged merges a unit just written by this process.
func (s *Service) UnitChanged(u *zhudun.Unit) { s.idx.UpsertUnit(indexUnit(u)) }

// RefreshUnit reads a unit again after a write that changed it as a side
// effect (a dispatch, an arrival, a close). A failure is logged: the bus
// event will bring the change.
func (s *Service) RefreshUnit(ctx context.Context, id int64) {
	u, err := s.src.FindUnitByID(systemCtx(ctx), id)
	if err != nil {
		s.log.Warn("dispatch index: unit refresh", "unit", id, "err", err)
		return
	}
	s.idx.UpsertUnit(indexUnit(u))
}

// OnEvent applies a bus event.
func (s *Service) OnEvent(ctx context.Context, e zhudun.Event) {
	switch e.Type {
	case "unit.created", "unit.status", "unit.position", "unit.updated":
		var u zhudun.Unit
		if err := json.Unmarshal(e.Data, &u); err != nil {
			s.log.Warn("dispatch index: bad unit event", "id", e.ID, "err", err)
			return
		}
		u.DeptPath = e.DeptPath // routing metadata: not in the event's data
		s.idx.UpsertUnit(indexUnit(&u))
	case "grid.imported":
		go func() {
			if err := s.ReloadGrids(context.WithoutCancel(ctx)); err != nil {
				s.log.Error("dispatch index: grid reload", "err", err)
			}
		}()
	}
}

// Decorate fills what depends on now and on the index: age, staleness, grid.
func (s *Service) Decorate(u *zhudun.Unit) *zhudun.Unit {
	now := s.now()
	var at time.Time
	if u.PositionAt != nil {
		at = *u.PositionAt
		age := now.Sub(at).Seconds()
		u.PositionAge = &age
	}
	u.Stale = s.idx.Stale(u.PositionAt != nil, at, now)
	u.GridCode, _ = s.idx.UnitGrid(u.ID)
	return u
}

// Recommend answers for the caller in ctx, among the units it may see
// (unit:read). Errors: EFORBIDDEN without unit:read.
func (s *Service) Recommend(ctx context.Context, lon, lat float64) (Recommendation, error) {
	c := zhudun.CallerFrom(ctx)
	if c == nil {
		return Recommendation{}, zhudun.Errorf(zhudun.EUNAUTHORIZED, "sign in first")
	}
	f, err := c.Filter(zhudun.PermUnitRead)
	if err != nil {
		return Recommendation{}, err
	}
	return s.idx.Recommend(lon, lat, s.now(), func(u *Unit) bool { return f.Covers(u.DeptPath, u.StationID, 0) }), nil
}

// Neighbours returns the codes of the grids touching grid id.
func (s *Service) Neighbours(id int64) []string { return s.idx.Neighbours(id) }

// StaleAfter returns the staleness limit.
func (s *Service) StaleAfter() time.Duration { return s.idx.StaleAfter() }
