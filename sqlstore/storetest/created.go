package storetest

import (
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testCreatedAsStored: CreateIncident answers with the incident it built
// from what it inserted, not with a read of the row (a round trip under the
// group's lock). Whatever it answers must be what a read returns, field for
// field, for every shape of creation and when creations share a group.
func testCreatedAsStored(t *testing.T, b Backend) {
	e, u := patrolEnv(t, b)
	disp := e.as(u["disp1"])
	// An hour before the test clock, with nanoseconds and a zone: stored
	// as UTC microseconds.
	recv := e.clock.Now().Add(-time.Hour + 891234567).In(time.FixedZone("CST", 8*3600))
	news := []zhudun.NewIncident{
		{Category: "dispute", Lon: 117.005, Lat: 36.605},
		{Category: "criminal", Lon: 117.005, Lat: 36.605, Address: "  历下区 泉城路 1 号 ", Source: zhudun.SourceWalkIn, Priority: 1, CallerPhone: "+86 139-1234-5678"},
		{Category: "dispute", Lon: 117.005, Lat: 36.605, ReceivedAt: &recv, Priority: 3},
	}
	check := func(what string, got *zhudun.Incident) {
		t.Helper()
		want, err := e.s.FindIncidentByID(disp, got.ID)
		if err != nil {
			t.Fatalf("%s: read back: %v", what, err)
		}
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s: created\n%s\nstored\n%s\n(path %q vs %q)", what, g, w, got.DeptPath, want.DeptPath)
		}
	}
	for i, n := range news {
		x, err := e.s.CreateIncident(disp, n)
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		check("alone", x)
	}
	if x, err := e.s.FindIncidentByID(disp, 0); err == nil {
		t.Fatalf("incident 0 found: %+v", x)
	}
	// Concurrent creations share groups: each answer is still its own row.
	var wg sync.WaitGroup
	got := make([]*zhudun.Incident, 24)
	errs := make([]error, len(got))
	for i := range got {
		wg.Go(func() { got[i], errs[i] = e.s.CreateIncident(disp, news[i%len(news)]) })
	}
	wg.Wait()
	for i, x := range got {
		if errs[i] != nil {
			t.Fatalf("concurrent create %d: %v", i, errs[i])
		}
		check("grouped", x)
	}
	if got[1].CallerPhone != "139****5678" {
		t.Errorf("caller phone %q, want 139****5678 (masked)", got[1].CallerPhone)
	}
}
