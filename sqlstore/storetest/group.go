package storetest

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zhudun/zhudun"
)

// testGroupCommit: concurrent creations share transactions (group commit).
// Each caller gets its own outcome — an invalid one fails alone, the others
// are stored with one audit row each, in one verified chain — and with the
// audit log unwritable every creation fails and none is stored.
func testGroupCommit(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	disp1 := e.as(u["disp1"])
	before := e.verify()
	const n = 40
	var wg sync.WaitGroup
	type result struct {
		inc *zhudun.Incident
		err error
	}
	res := make([]result, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ni := zhudun.NewIncident{Category: "dispute", Lon: 117.006, Lat: 36.606}
			if i%5 == 4 {
				ni.Lon, ni.Lat = 117.5, 30 // outside every grid
			}
			x, err := e.s.CreateIncident(disp1, ni)
			res[i] = result{x, err}
		}()
	}
	wg.Wait()
	ids := map[int64]bool{}
	for i, r := range res {
		if i%5 == 4 {
			if code(r.err) != zhudun.EINVALID || field(r.err) != "lon" {
				t.Errorf("creation %d outside every grid: %v; want EINVALID on lon", i, r.err)
			}
			continue
		}
		if r.err != nil || r.inc == nil || r.inc.GridCode != "A1" {
			t.Fatalf("creation %d: %+v %v", i, r.inc, r.err)
		}
		ids[r.inc.ID] = true
	}
	if len(ids) != 32 {
		t.Fatalf("%d distinct incidents stored; want 32", len(ids))
	}
	rep := e.verify()
	if !rep.OK || rep.Rows != before.Rows+32 || rep.LastSeq != before.LastSeq+32 {
		t.Fatalf("verify after grouped creations = %+v %+v (before %d rows)", rep, rep.Problem, before.Rows)
	}
	if c := e.auditCount("incident.create"); c != 32 {
		t.Errorf("incident.create audit rows = %d; want 32", c)
	}
	list, total, err := e.s.FindIncidents(disp1, zhudun.IncidentFilter{Limit: 100})
	if err != nil || total != 32 || len(list) != 32 {
		t.Fatalf("list after grouped creations: %d of %d, %v", len(list), total, err)
	}

	if _, err := e.s.DB().Exec(`ALTER TABLE audit_log RENAME TO audit_log_away`); err != nil {
		t.Fatal(err)
	}
	var failed atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.s.CreateIncident(disp1, zhudun.NewIncident{Category: "dispute", Lon: 117.006, Lat: 36.606}); code(err) == zhudun.EINTERNAL {
				failed.Add(1)
			} else {
				t.Errorf("creation with the audit log unwritable: %v; want EINTERNAL", err)
			}
		}()
	}
	wg.Wait()
	if _, err := e.s.DB().Exec(`ALTER TABLE audit_log_away RENAME TO audit_log`); err != nil {
		t.Fatal(err)
	}
	if failed.Load() != 8 {
		t.Fatalf("%d of 8 creations failed with the audit log unwritable", failed.Load())
	}
	if _, total, err := e.s.FindIncidents(disp1, zhudun.IncidentFilter{Limit: 100}); err != nil || total != 32 {
		t.Fatalf("incidents after failed audit writes = %d, %v; want 32 (none stored without its audit row)", total, err)
	}
	if rep := e.verify(); !rep.OK || rep.Rows != before.Rows+32 {
		t.Fatalf("verify after failed audit writes = %+v", rep)
	}
}

// BenchCreateIncident measures incident creation by many concurrent
// dispatchers (b.SetParallelism(8) × GOMAXPROCS goroutines), audit row,
// outbox events and witness included.
func BenchCreateIncident(b *testing.B, be Backend) {
	e, u := patrolEnv(b, be)
	disp1 := e.as(u["disp1"])
	b.SetParallelism(8)
	b.ReportAllocs()
	var trips int64
	if be.RoundTrips != nil {
		trips = be.RoundTrips()
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.s.CreateIncident(disp1, zhudun.NewIncident{Category: "dispute", Lon: 117.006, Lat: 36.606}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if be.RoundTrips != nil {
		// The whole pool's statements over the creations: grouping shares
		// BEGIN, COMMIT, the chain's lock, anchor and the batched inserts.
		b.ReportMetric(float64(be.RoundTrips()-trips)/float64(b.N), "roundtrips/op")
	}
	if rep := e.verify(); !rep.OK {
		b.Fatalf("chain after the benchmark: %+v", rep.Problem)
	}
}
