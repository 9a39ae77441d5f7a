package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/zhudun/zhudun/internal/testpg"
	"github.com/zhudun/zhudun/postgres"
	"github.com/zhudun/zhudun/sqlstore"
)

// TestStoreAnalyzes: with autovacuum off (as on this project's test
// server, and possible anywhere), the store itself refreshes the
// incidents' status statistics once 2000 incidents changed — not at 1000.
func TestStoreAnalyzes(t *testing.T) {
	dsn := testpg.FreshDB(t)
	db, err := postgres.OpenDB(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	exec(`CREATE TABLE incidents (id BIGINT PRIMARY KEY, status TEXT NOT NULL) WITH (autovacuum_enabled = false)`)
	exec(`INSERT INTO incidents SELECT g, 'closed' FROM generate_series(1, 10) g`)
	exec(`ANALYZE incidents`)
	analysed := func() time.Time {
		t.Helper()
		var at time.Time
		if err := db.QueryRow(`SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'incidents'`).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	before := analysed()
	s := sqlstore.New(db, postgres.Dialect{Every: 50 * time.Millisecond}, sqlstore.Options{})
	defer s.Close()
	exec(`INSERT INTO incidents SELECT g, 'received' FROM generate_series(11, 1010) g`)
	time.Sleep(time.Second)
	if at := analysed(); !at.Equal(before) {
		t.Fatalf("analysed at %v after 1000 changes; the rule is 2000", at)
	}
	exec(`INSERT INTO incidents SELECT g, 'received' FROM generate_series(1011, 2510) g`)
	for deadline := time.Now().Add(10 * time.Second); analysed().Equal(before); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("2500 incidents changed and not analysed in 10 s")
		}
	}
}
