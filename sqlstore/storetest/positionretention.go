package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/sqlstore"
)

// testPositionRetention: Purge deletes the fixes older than the retention
// (by the fix's time; one exactly at the cut stays), in batches over more
// than one batch's worth, audited with the count; it refuses a retention
// shorter than the track window, stops on a cancelled context, and leaves
// what tracks, the coverage replay and the unit's position read.
func testPositionRetention(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	disp1 := e.as(u["disp1"])
	car1, err := e.s.CreateUnit(disp1, zhudun.NewUnit{Callsign: "ST1-C1", Kind: "car", StationCode: "ST1"})
	e.must(err)
	car3, err := e.s.CreateUnit(disp1, zhudun.NewUnit{Callsign: "ST3-C1", Kind: "car", StationCode: "ST3"})
	e.must(err)
	now := e.clock.Now().UTC()
	keep := 90 * 24 * time.Hour
	cut := now.Add(-keep)
	tx, err := e.s.DB().Begin()
	e.must(err)
	ins := func(unit int64, ts time.Time) {
		t.Helper()
		if _, err := tx.Exec(rebind(e.s, `INSERT INTO unit_positions (unit_id, lon, lat, ts, received_at) VALUES (?, ?, ?, ?, ?)`),
			unit, 117.005, 36.605, ts, ts); err != nil {
			t.Fatal(err)
		}
	}
	// car1: 1,150 fixes of the day before the cut (more than one batch of
	// 1,000), one a microsecond before it; kept: one at the cut, one a
	// second after. car3: one a day before the cut; kept: an hour ago.
	for i := range 1150 {
		ins(car1.ID, cut.Add(-time.Hour-time.Duration(i)*time.Second))
	}
	ins(car1.ID, cut.Add(-time.Microsecond))
	ins(car1.ID, cut)
	ins(car1.ID, cut.Add(time.Second))
	ins(car3.ID, cut.Add(-24*time.Hour))
	ins(car3.ID, now.Add(-time.Hour))
	e.must(tx.Commit())
	// And ten minutes ago through the store, as a unit reports (the track,
	// the coverage replay and the unit's own position read it).
	_, err = e.s.AddPositions(disp1, car1.ID, []zhudun.Position{{Lon: 117.006, Lat: 36.606, TS: now.Add(-10 * time.Minute)}})
	e.must(err)
	count := func() int {
		t.Helper()
		var n int
		e.must(e.s.DB().QueryRow(`SELECT COUNT(*) FROM unit_positions`).Scan(&n))
		return n
	}
	if n := count(); n != 1156 {
		t.Fatalf("%d positions stored, want 1156", n)
	}

	if _, err := e.s.Purge(e.sys, sqlstore.Retention{Positions: 24 * time.Hour}); code(err) != zhudun.EINVALID {
		t.Errorf("a day's retention: %v, want EINVALID (the track window reads a day)", err)
	}
	if _, err := e.s.Purge(disp1, sqlstore.Retention{Positions: keep}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("a dispatcher purges: %v", err)
	}
	cancelled, cancel := context.WithCancel(e.sys)
	cancel()
	if _, err := e.s.Purge(cancelled, sqlstore.Retention{Positions: keep}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled purge: %v, want context.Canceled", err)
	}
	if n := count(); n != 1156 {
		t.Errorf("a cancelled purge left %d positions, want all 1156", n)
	}
	audits := e.auditCount("retention.purge")

	rep, err := e.s.Purge(e.sys, sqlstore.Retention{Positions: keep})
	e.must(err)
	if rep.Positions != 1152 {
		t.Errorf("purged %d positions, want 1152 (1,150 + the one a microsecond before the cut + car3's)", rep.Positions)
	}
	if n := count(); n != 4 {
		t.Errorf("%d positions left, want 4", n)
	}
	var old int
	e.must(e.s.DB().QueryRow(rebind(e.s, `SELECT COUNT(*) FROM unit_positions WHERE ts < ?`), cut).Scan(&old))
	if old != 0 {
		t.Errorf("%d positions older than the cut left", old)
	}
	var atCut int
	e.must(e.s.DB().QueryRow(rebind(e.s, `SELECT COUNT(*) FROM unit_positions WHERE unit_id = ? AND ts = ?`), car1.ID, cut).Scan(&atCut))
	if atCut != 1 {
		t.Error("the fix exactly at the cut was deleted")
	}
	if n := e.auditCount("retention.purge"); n != audits+1 {
		t.Errorf("%d retention.purge audit rows, want %d", n, audits+1)
	}
	rows, _, err := e.s.FindAudit(e.sys, zhudun.AuditFilter{Action: "retention.purge", Limit: 1})
	e.must(err)
	if len(rows) != 1 || rows[0].Username == "" || !strings.Contains(string(rows[0].Detail), `"positions":1152`) {
		t.Errorf("the purge's audit row: %+v", rows)
	}

	// What reads positions still finds them.
	tr, err := e.s.UnitTrack(disp1, car1.ID, now.Add(-30*time.Minute))
	e.must(err)
	if len(tr) != 1 || tr[0].Lon != 117.006 {
		t.Errorf("car1's track after the purge: %+v", tr)
	}
	var replayed []int64
	e.must(e.s.RecentPositions(zhudun.WithCaller(context.Background(), zhudun.SystemCaller("patrol-coverage")), now.Add(-2*time.Hour),
		func(id int64, p zhudun.Position) { replayed = append(replayed, id) }))
	if len(replayed) != 2 || replayed[0] != car1.ID || replayed[1] != car3.ID {
		t.Errorf("replayed after the purge: %v, want car1's and car3's recent fixes", replayed)
	}
	x, err := e.s.FindUnitByID(disp1, car1.ID)
	e.must(err)
	if x.Lon == nil || *x.Lon != 117.006 {
		t.Errorf("car1's own position after the purge: %+v", x)
	}
	// Nothing is due any more: a second purge removes none and writes no row.
	rep, err = e.s.Purge(e.sys, sqlstore.Retention{Positions: keep})
	if err != nil || rep.Positions != 0 || e.auditCount("retention.purge") != audits+1 {
		t.Errorf("second purge: %+v %v", rep, err)
	}
}
