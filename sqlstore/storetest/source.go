package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
)

// testSources: a source gets a key once, kept only as its hash; the key
// authenticates until the source is disabled or its key rotated; only a
// system administrator over the whole tree manages sources; every change
// is audited.
func testSources(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.fixture()
	src, key, err := e.s.CreateSource(e.sys, zhudun.NewSource{Name: "cmcc", Kind: zhudun.SourceCarrier})
	e.must(err)
	if src.DeptCode != "ROOT" || strings.Join(src.Types, ",") != "sim,sms,cdr,ip" || src.Disabled {
		t.Fatalf("carrier source %+v", src)
	}
	if !strings.HasPrefix(key, "zs_") || len(key) != 46 {
		t.Fatalf("key %q", key)
	}
	plat, pkey, err := e.s.CreateSource(e.sys, zhudun.NewSource{Name: "wechat", Kind: zhudun.SourcePlatform, DeptCode: "SB1"})
	e.must(err)
	if plat.DeptCode != "SB1" || strings.Join(plat.Types, ",") != "reg,ip" {
		t.Fatalf("platform source %+v", plat)
	}
	custom, _, err := e.s.CreateSource(e.sys, zhudun.NewSource{Name: "agg", Kind: zhudun.SourcePlatform, Types: []string{"ip", "reg", "ip", "sms"}})
	e.must(err)
	if strings.Join(custom.Types, ",") != "reg,sms,ip" {
		t.Fatalf("given types %v", custom.Types)
	}
	for _, bad := range []zhudun.NewSource{
		{Name: "cmcc", Kind: zhudun.SourceCarrier},                      // taken
		{Name: "Bad Name", Kind: zhudun.SourceCarrier},                  // name
		{Name: "x", Kind: "bank"},                                       // kind
		{Name: "y", Kind: zhudun.SourceCarrier, Types: []string{"fax"}}, // type
		{Name: "w", Kind: zhudun.SourceCarrier, DeptCode: "NOPE"},       // dept
	} {
		if _, _, err := e.s.CreateSource(e.sys, bad); err == nil {
			t.Errorf("created %+v", bad)
		}
	}
	// An Open311 source posts fire reports, not events: no types.
	if o311, _, err := e.s.CreateSource(e.sys, zhudun.NewSource{Name: "o311", Kind: zhudun.SourceOpen311}); err != nil || len(o311.Types) != 0 || o311.May("sim") {
		t.Errorf("open311 source %+v: %v", o311, err)
	}
	if _, _, err := e.s.CreateSource(e.sys, zhudun.NewSource{Name: "cmcc", Kind: zhudun.SourceCarrier}); code(err) != zhudun.ECONFLICT {
		t.Errorf("duplicate name: %v", err)
	}

	// The key is not in the database, only its hash.
	var n int
	e.must(e.s.DB().QueryRow(`SELECT COUNT(*) FROM sources WHERE key_hash = '` + key + `' OR key_hash LIKE '%` + key[3:13] + `%'`).Scan(&n))
	if n != 0 {
		t.Fatal("the key is stored in clear")
	}

	got, err := e.s.SourceByKey(e.sys, key)
	e.must(err)
	if got.Name != "cmcc" || got.ID != src.ID {
		t.Fatalf("by key: %+v", got)
	}
	if _, err := e.s.SourceByKey(e.sys, key+"x"); code(err) != zhudun.EUNAUTHORIZED {
		t.Fatalf("wrong key: %v", err)
	}

	// Only source:write over the whole organisation manages sources.
	root := e.as(e.user("sys", "ROOT", "sysadmin"))
	sub := e.as(e.user("sys1", "SB1", "sysadmin"))
	off := e.as(e.user("off", "ROOT", "officer"))
	list, err := e.s.FindSources(root)
	e.must(err)
	if len(list) != 4 || list[0].Name != "agg" || list[1].Name != "cmcc" || list[2].Name != "o311" || list[3].Name != "wechat" {
		t.Fatalf("list %+v", list)
	}
	if _, err := e.s.FindSources(sub); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sub-bureau sysadmin lists: %v", err)
	}
	if _, _, err := e.s.CreateSource(off, zhudun.NewSource{Name: "o", Kind: zhudun.SourceCarrier}); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("officer creates: %v", err)
	}
	if _, err := e.s.DisableSource(sub, "cmcc"); code(err) != zhudun.EFORBIDDEN {
		t.Errorf("sub-bureau sysadmin disables: %v", err)
	}

	// Rotation: the old key stops, the new one works.
	_, key2, err := e.s.RotateSourceKey(root, "wechat")
	e.must(err)
	if _, err := e.s.SourceByKey(e.sys, pkey); code(err) != zhudun.EUNAUTHORIZED {
		t.Errorf("old key after rotation: %v", err)
	}
	if s, err := e.s.SourceByKey(e.sys, key2); err != nil || s.Name != "wechat" {
		t.Errorf("new key: %v %v", s, err)
	}
	// Disabling refuses the key.
	d, err := e.s.DisableSource(root, "cmcc")
	e.must(err)
	if !d.Disabled {
		t.Fatal("not disabled")
	}
	if _, err := e.s.SourceByKey(e.sys, key); code(err) != zhudun.EUNAUTHORIZED {
		t.Errorf("disabled key: %v", err)
	}
	if _, err := e.s.DisableSource(root, "nope"); code(err) != zhudun.ENOTFOUND {
		t.Errorf("unknown source: %v", err)
	}
	for action, want := range map[string]int{"source.create": 4, "source.rotate": 1, "source.disable": 1} {
		if got := e.auditCount(action); got != want {
			t.Errorf("%d %s audit rows, want %d", got, action, want)
		}
	}
	if rep := e.verify(); !rep.OK {
		t.Fatalf("audit chain: %+v", rep)
	}
}

// testIngestChunks: a chunk is recorded once, even by 20 racing writers;
// the hour's counts and reasons add up.
func testIngestChunks(t *testing.T, b Backend) {
	e := newEnv(t, b)
	src, _, err := e.s.CreateSource(e.sys, zhudun.NewSource{Name: "cmcc", Kind: zhudun.SourceCarrier})
	e.must(err)
	if _, err := e.s.IngestChunkDone(e.sys, src.ID, "c1"); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("unseen chunk: %v", err)
	}
	c1 := &zhudun.IngestChunk{SourceID: src.ID, ChunkID: "c1", Accepted: 10, Rejected: 2, Rejects: []byte(`[{"line":3,"reason":"x"}]`),
		Reasons: map[string]int64{"unknown type": 2}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflict := 0, 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := e.s.RecordIngestChunk(e.sys, c1)
			mu.Lock()
			defer mu.Unlock()
			switch code(err) {
			case "":
				ok++
			case zhudun.ECONFLICT:
				conflict++
			default:
				t.Errorf("record: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || conflict != 19 {
		t.Fatalf("%d recorded, %d conflicts", ok, conflict)
	}
	got, err := e.s.IngestChunkDone(e.sys, src.ID, "c1")
	e.must(err)
	if got.Accepted != 10 || got.Rejected != 2 || string(got.Rejects) != `[{"line":3,"reason":"x"}]` {
		t.Fatalf("chunk %+v", got)
	}
	e.must(e.s.RecordIngestChunk(e.sys, &zhudun.IngestChunk{SourceID: src.ID, ChunkID: "c2", Accepted: 5, Rejected: 1,
		Reasons: map[string]int64{"unknown type": 1}}))
	e.clock.Advance(time.Hour)
	e.must(e.s.RecordIngestChunk(e.sys, &zhudun.IngestChunk{SourceID: src.ID, ChunkID: "c3", Accepted: 7}))
	hours, err := e.s.IngestHours(e.sys, e.clock.Now().Add(-3*time.Hour))
	e.must(err)
	if len(hours) != 2 {
		t.Fatalf("hours %+v", hours)
	}
	h0, h1 := hours[0], hours[1]
	if h0.Source != "cmcc" || h0.Accepted != 7 || h0.Rejected != 0 || len(h0.Reasons) != 0 ||
		h1.Accepted != 15 || h1.Rejected != 3 || h1.Reasons["unknown type"] != 3 || !h1.Hour.Equal(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("hours %+v %+v", h0, h1)
	}
}
