package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/demo"
	"github.com/zhudun/zhudun/sqlstore"
)

// loadDemoPatrol gives the demo city its patrol grids and units: the grids
// through the store's import (so they are checked like an upload), the
// units patrolling at their stations with one position each. The demo
// patrol simulator (demo.Patrol, started by serve unless --demo-patrol=false)
// then keeps them moving so their positions stay fresh.
func loadDemoPatrol(ctx context.Context, e *env, s *sqlstore.Store, plan *demo.Plan) error {
	grids, units, err := demo.Grids(plan)
	if err != nil {
		return err
	}
	rep, err := s.ImportGrids(ctx, grids, nil)
	if err != nil {
		return err
	}
	if !rep.Accepted {
		return fmt.Errorf("demo grids rejected: %+v", rep.Problems)
	}
	// The demo's generated standard addresses, so the address box works.
	as, err := demo.Addresses(1, grids) // the table is the same for every city seed: it follows the grids
	if err != nil {
		return err
	}
	if err := s.ReplaceAddresses(ctx, as); err != nil {
		return fmt.Errorf("demo addresses: %w", err)
	}
	now := time.Now()
	for _, u := range units {
		x, err := s.CreateUnit(ctx, zhudun.NewUnit{Callsign: u.Callsign, Kind: u.Kind, StationCode: u.StationCode})
		if err != nil {
			return fmt.Errorf("unit %s: %w", u.Callsign, err)
		}
		if _, err := s.SetUnitStatus(ctx, x.ID, zhudun.UnitPatrolling); err != nil {
			return err
		}
		if _, err := s.AddPositions(ctx, x.ID, []zhudun.Position{{Lon: u.Lon, Lat: u.Lat, TS: now}}); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "demo patrol: %d grids, %d units and %d standard addresses (generated)\n", rep.Created, len(units), len(as))
	return nil
}
