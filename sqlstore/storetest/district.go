package storetest

import (
	"context"
	"testing"

	"github.com/zhudun/zhudun"
)

// testDistricts: the map's districts are data the importer replaces as a
// whole, audited; any signed-in user reads them; nobody else writes them.
func testDistricts(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	u := e.user("off1", "ST1", "officer")
	if err := e.s.ReplaceDistricts(e.as(u), []zhudun.District{{Code: "370102", Name: "历下区", Boundary: sq(117, 36.6, 0.1)}}); code(err) != zhudun.EFORBIDDEN {
		t.Fatalf("an officer replaced the districts: %v", err)
	}
	if _, err := e.s.FindDistricts(context.Background()); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("read without a caller: %v", err)
	}
	e.must(e.s.ReplaceDistricts(e.sys, []zhudun.District{
		{Code: "370103", Name: "市中区", Boundary: sq(117, 36.5, 0.1)},
		{Code: "370102", Name: "历下区", Boundary: sq(117, 36.6, 0.1)},
	}))
	e.must(e.s.ReplaceDistricts(e.sys, []zhudun.District{
		{Code: "370104", Name: "槐荫区", Boundary: sq(116.9, 36.6, 0.1)},
		{Code: "370102", Name: "历下区", Boundary: sq(117.01, 36.6, 0.1)},
	}))
	ds, err := e.s.FindDistricts(e.as(u))
	e.must(err)
	if len(ds) != 2 || ds[0].Code != "370102" || ds[1].Code != "370104" || ds[0].Boundary[0][0][0] != [2]float64{117.01, 36.6} {
		t.Fatalf("districts after the second import: %+v", ds)
	}
	// A broken ring is refused and nothing changes.
	err = e.s.ReplaceDistricts(e.sys, []zhudun.District{{Code: "370105", Name: "天桥区", Boundary: [][][][2]float64{{{{117, 36}, {117.1, 36}, {117, 36}}}}}})
	if code(err) != zhudun.EINVALID {
		t.Fatalf("broken ring: %v", err)
	}
	if err := e.s.ReplaceDistricts(e.sys, []zhudun.District{{Code: "370105", Name: "a", Boundary: sq(0, 0, 1)}, {Code: "370105", Name: "b", Boundary: sq(0, 0, 1)}}); code(err) != zhudun.EINVALID {
		t.Fatalf("a code twice: %v", err)
	}
	if ds, _ := e.s.FindDistricts(e.sys); len(ds) != 2 {
		t.Fatalf("a refused import changed the districts: %+v", ds)
	}
	var n int
	e.must(e.s.DB().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'district.import'`).Scan(&n))
	if n != 2 {
		t.Fatalf("%d district.import audit rows, want 2", n)
	}
}
