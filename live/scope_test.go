package live_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts/feed"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/internal/syncbuf"
	"github.com/zhudun/zhudun/live"
	"github.com/zhudun/zhudun/postgres"
	"github.com/zhudun/zhudun/postgres/pgtemp"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// TestFindingScopeAndHolders (issue 10, item 8), on SQLite and on a
// PostgreSQL of its own: a carrier of department SB1 sends its files,
// then a platform of SB2 its registrations, all in one detection window.
// Each finding belongs to the department of the source whose event first
// named its entity — worked out here from the files themselves: an entity
// written in the carrier's events (read canonical) is SB1's, any other
// (accounts, software builds, what only registrations name) SB2's — not
// to the window's first source. Two analysts, of SB1 and SB2, each list exactly their own; the
// root's all. And no holder of the feed appears in clear in any database
// row, in the captured logs, in the outbox's domain events or in the
// stream's files.
func TestFindingScopeAndHolders(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		keys := gmcrypto.Generate()
		var logs syncbuf.Buffer
		store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "z.db"), sqlstore.Options{Keys: keys, Logger: debugLog(&logs)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		scopeAndHolders(t, store, keys, &logs, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	})
	t.Run("postgres", func(t *testing.T) {
		pg := pgtemp.Start(t)
		keys := gmcrypto.Generate()
		var logs syncbuf.Buffer
		store, err := postgres.Open(t.Context(), pg.URL, sqlstore.Options{Keys: keys, Logger: debugLog(&logs)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		scopeAndHolders(t, store, keys, &logs, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)
	})
}

func debugLog(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func scopeAndHolders(t *testing.T, store *sqlstore.Store, keys *gmcrypto.Keyring, logs *syncbuf.Buffer, tables string) {
	feedDir, _ := world()
	log := debugLog(logs)
	e := envOn(t, store, keys, log)
	for _, d := range []zhudun.Dept{{Code: "SB1", Name: "一分局", Kind: zhudun.DeptSubBureau}, {Code: "SB2", Name: "二分局", Kind: zhudun.DeptSubBureau}} {
		if err := store.CreateDept(e.sys, &d); err != nil {
			t.Fatal(err)
		}
	}
	for name, s := range map[string]zhudun.NewSource{
		"cmcc": {Name: "carrier1", Kind: zhudun.SourceCarrier, DeptCode: "SB1"},
		"app":  {Name: "platform2", Kind: zhudun.SourcePlatform, DeptCode: "SB2"},
	} {
		src, _, err := store.CreateSource(e.sys, s)
		if err != nil {
			t.Fatal(err)
		}
		e.srcs[name] = src
	}
	files, _ := filepath.Glob(filepath.Join(feedDir, "*"))
	slices.Sort(files)
	var carrierText bytes.Buffer
	var regs []string
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "reg_") {
			regs = append(regs, f)
			continue
		}
		carrierText.Write(canonical(t, f))
		if !e.accept(e.srcs["cmcc"], f) {
			t.FailNow()
		}
	}
	for _, f := range regs {
		if !e.accept(e.srcs["app"], f) {
			t.FailNow()
		}
	}
	// One detection window over both sources' messages: the engine starts
	// after the whole feed is in the stream and runs only once it is quiet
	// (no early runs).
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	svc := live.New(live.Config{Store: store, Logger: log, Quiet: 500 * time.Millisecond, Every: time.Hour, NewEvery: -1, Batch: 1 << 10,
		Stream: func(ctx context.Context, name string, start uint64) (live.Consumer, error) {
			return e.stream.Consume(ctx, name, start)
		}})
	go func() { defer close(done); svc.Run(ctx) }()
	e.caughtUp(e.lastSeq())
	cancel()
	<-done
	if svc.Runs() != 1 {
		t.Fatalf("%d detection runs, want the one window", svc.Runs())
	}

	all, err := store.EngineFindings(e.sys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, f := range all {
		if f.Kind != zhudun.KindFinding || f.Status != zhudun.FindingLive {
			continue
		}
		name := f.Entity
		if f.EntityType == "imei" {
			name = name[:14]
		}
		dept := "SB2"
		if f.EntityType != "account" && namedIn(carrierText.Bytes(), name, f.EntityType == "imei") {
			dept = "SB1"
		}
		if f.DeptCode != dept {
			t.Errorf("%s %s belongs to %s, want %s", f.Category, f.Entity, f.DeptCode, dept)
		}
		want[dept] = append(want[dept], f.Category+":"+f.Entity)
		want["ROOT"] = append(want["ROOT"], f.Category+":"+f.Entity)
	}
	if len(want["SB1"]) == 0 || len(want["SB2"]) == 0 {
		t.Fatalf("findings per department %d and %d: the feed should give both some", len(want["SB1"]), len(want["SB2"]))
	}
	for _, dept := range []string{"SB1", "SB2", "ROOT"} {
		u, err := store.CreateUser(e.sys, zhudun.NewUser{Username: "ana-" + strings.ToLower(dept), DeptCode: dept, Password: "S3cure!pass", Own: true, Roles: []string{"analyst"}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := store.CallerFor(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for off := 0; ; off += 500 {
			items, _, err := store.FindFindings(zhudun.WithCaller(context.Background(), c), zhudun.FindingFilter{Limit: 500, Offset: off})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range items {
				got = append(got, f.Category+":"+f.Entity)
			}
			if len(items) < 500 {
				break
			}
		}
		slices.Sort(got)
		slices.Sort(want[dept])
		if !slices.Equal(got, want[dept]) {
			t.Errorf("%s's analyst lists %d findings, want %d", dept, len(got), len(want[dept]))
		}
	}

	// Holders: every one of the feed's, looked for in clear everywhere.
	holders := feedHolders(t, files)
	if len(holders) < 100 {
		t.Fatalf("%d holders in the feed: too few for the test to mean anything", len(holders))
	}
	var sample string
	for h := range holders {
		sample = h
		break
	}
	if found(holders, []byte("x"+sample+"y")) == "" {
		t.Fatal("the scan misses a holder it is shown")
	}
	var db bytes.Buffer
	rows, err := store.DB().Query(tables)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		dumpTable(t, store, n, &db)
	}
	if !strings.Contains(strings.Join(names, " "), "engine_checkpoints") || db.Len() < 1<<20 {
		t.Fatalf("scanned %d bytes of tables %v: the checkpoint should be among them", db.Len(), names)
	}
	if h := found(holders, db.Bytes()); h != "" {
		t.Errorf("holder %s in clear in the database", h)
	}
	if len(logs.String()) == 0 {
		t.Fatal("no logs captured")
	}
	if h := found(holders, []byte(logs.String())); h != "" {
		t.Errorf("holder %s in clear in the logs", h)
	}
	evs, err := store.PendingEvents(e.sys, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var outbox bytes.Buffer
	for _, ev := range evs {
		json.NewEncoder(&outbox).Encode(ev)
	}
	if len(evs) == 0 {
		t.Fatal("no domain events")
	}
	if h := found(holders, outbox.Bytes()); h != "" {
		t.Errorf("holder %s in clear in the domain events", h)
	}
	var stream bytes.Buffer
	filepath.WalkDir(e.natsDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			stream.Write(b)
		}
		return nil
	})
	if h := found(holders, stream.Bytes()); h != "" {
		t.Errorf("holder %s in clear in the stream's files", h)
	}
}

// canonical is a feed file's events as the contract's canonical JSON
// Lines (numbers without +86, IMEIs as digits...): the text in which the
// carrier's entities are looked for.
func canonical(t *testing.T, path string) []byte {
	t.Helper()
	var out []byte
	_, err := feed.Read(t.Context(), []string{path}, feed.Options{}, func(b *feed.Batch) {
		for i := range b.Events {
			out = append(feed.AppendJSON(out, &b.Events[i]), '\n')
		}
	}, func(feed.Reject) {})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readFeed returns a feed file's text, decompressed.
func readFeed(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// namedIn: the entity written as a whole value in text (not inside a
// longer number or address); prefix: it may continue with digits (an
// IMEI's check digit or software version).
func namedIn(text []byte, name string, prefix bool) bool {
	part := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == ':' || c == '-' || c == '_'
	}
	for i := 0; ; {
		j := bytes.Index(text[i:], []byte(name))
		if j < 0 {
			return false
		}
		j += i
		end := j + len(name)
		if (j == 0 || !part(text[j-1])) && (end == len(text) || !part(text[end]) || prefix && text[end] >= '0' && text[end] <= '9') {
			return true
		}
		i = j + 1
	}
}

// feedHolders reads the holders of the feed's files (JSON Lines and CSV).
func feedHolders(t *testing.T, files []string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, f := range files {
		b := readFeed(t, f)
		if strings.Contains(f, ".csv") {
			r := csv.NewReader(bytes.NewReader(b))
			r.FieldsPerRecord = -1
			recs, err := r.ReadAll()
			if err != nil || len(recs) == 0 {
				continue
			}
			col := slices.Index(recs[0], "holder")
			for _, rec := range recs[1:] {
				if col >= 0 && col < len(rec) && rec[col] != "" {
					out[rec[col]] = true
				}
			}
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var ev struct{ Holder string }
			if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Holder != "" {
				out[ev.Holder] = true
			}
		}
	}
	return out
}

// found returns a holder occurring in b, or "".
func found(holders map[string]bool, b []byte) string {
	lens := map[int]bool{}
	for h := range holders {
		lens[len(h)] = true
	}
	for n := range lens {
		for i := 0; i+n <= len(b); i++ {
			if holders[string(b[i:i+n])] {
				return string(b[i : i+n])
			}
		}
	}
	return ""
}

// dumpTable writes every value of every row of table to w.
func dumpTable(t *testing.T, store *sqlstore.Store, table string, w *bytes.Buffer) {
	t.Helper()
	rows, err := store.DB().Query(`SELECT * FROM ` + table)
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		for _, v := range vals {
			switch v := v.(type) {
			case []byte:
				w.Write(v)
			case string:
				w.WriteString(v)
			default:
				fmt.Fprint(w, v)
			}
			w.WriteByte(0)
		}
	}
}
