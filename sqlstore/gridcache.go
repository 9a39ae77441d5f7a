package sqlstore

import (
	"context"
	"database/sql"
	"sync"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// gridCache holds every grid with its bounding box, as read at one
// grid_version (migration 0010: triggers change it on every write to grids
// or depts, from any process). A creation's grid lookup reads the version
// in its own transaction, one row by key, and uses the memory while it
// matches; otherwise it reads the grids again in that transaction.
type gridCache struct {
	mu    sync.Mutex
	v     int64
	valid bool
	grids []cachedGrid
}

type cachedGrid struct {
	box  geo.Box
	poly geo.MultiPolygon
	g    *zhudun.Grid
}

func (c *gridCache) get(v int64) []cachedGrid {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.valid && c.v == v {
		return c.grids
	}
	return nil
}

func (c *gridCache) put(v int64, grids []cachedGrid) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.v, c.valid, c.grids = v, true, grids
}

// gridAt finds the grid containing (lon, lat); sql.ErrNoRows when none
// does. Grids are tried in id order, the first containing the point wins
// (grids do not overlap; the order only makes a tie on a shared edge
// deterministic). The caller gets its own copy of the grid.
func (tx *Tx) gridAt(ctx context.Context, lon, lat float64) (*zhudun.Grid, error) {
	var v int64
	if g := tx.grp; g != nil && g.gridRead {
		// A grouped transaction reads the version once: a change to the
		// grids committed while the group runs is as concurrent with the
		// group's creations as one committed just before its first.
		v = g.gridV
	} else {
		if err := tx.queryRowFixed(ctx, `SELECT v FROM grid_version WHERE id = 1`).Scan(&v); err != nil {
			return nil, tx.s.internal("grid version", err)
		}
		if g != nil {
			g.gridV, g.gridRead = v, true
		}
	}
	grids := tx.s.grids.get(v)
	if grids == nil {
		var err error
		if grids, err = tx.loadGrids(ctx); err != nil {
			return nil, err
		}
		tx.s.grids.put(v, grids)
	}
	for i := range grids {
		if c := &grids[i]; c.box.Contains(lon, lat) && c.poly.Contains(lon, lat) {
			g := *c.g
			return &g, nil
		}
	}
	return nil, sql.ErrNoRows
}

func (tx *Tx) loadGrids(ctx context.Context) ([]cachedGrid, error) {
	rows, err := tx.query(ctx, gridSelect+` ORDER BY g.id`)
	if err != nil {
		return nil, tx.s.internal("grids load", err)
	}
	defer rows.Close()
	var out []cachedGrid
	for rows.Next() {
		g, err := scanGrid(rows)
		if err != nil {
			return nil, tx.s.internal("grid scan", err)
		}
		m := geo.MultiPolygon(g.Boundary)
		out = append(out, cachedGrid{box: m.Bounds(), poly: m, g: g})
	}
	if err := rows.Err(); err != nil {
		return nil, tx.s.internal("grid rows", err)
	}
	return out, nil
}
