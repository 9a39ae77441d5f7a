package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/zhudun/zhudun/postgres"
	"github.com/zhudun/zhudun/sqlstore"
	"github.com/zhudun/zhudun/sqlstore/storetest"
)

// adminDSN is the server the suite creates its databases on. The suite fails,
// never skips, when it cannot connect: CI must run it on PostgreSQL.
func adminDSN() string {
	if v := os.Getenv("ZHUDUN_TEST_POSTGRES"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// freshDB creates an empty database for one test and drops it afterwards.
func freshDB(t *testing.T) string {
	t.Helper()
	admin, err := sql.Open("pgx", adminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "zhudun_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("PostgreSQL at %s: %v (set ZHUDUN_TEST_POSTGRES)", adminDSN(), err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", adminDSN())
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	u, err := url.Parse(adminDSN())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestConformance(t *testing.T) {
	var mu sync.Mutex
	dsns := map[*testing.T]string{}
	storetest.Run(t, storetest.Backend{
		Open: func(t *testing.T, name string, o sqlstore.Options) *sqlstore.Store {
			mu.Lock()
			dsn, ok := dsns[t]
			mu.Unlock()
			if !ok {
				dsn = freshDB(t)
				mu.Lock()
				dsns[t] = dsn
				mu.Unlock()
			}
			s, err := postgres.Open(context.Background(), dsn, o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		DropAuditGuards: func(t *testing.T, db *sql.DB) {
			if _, err := db.Exec(`DROP TRIGGER audit_log_no_update ON audit_log`); err != nil {
				t.Fatal(err)
			}
		},
	})
}

func TestRebind(t *testing.T) {
	cases := map[string]string{
		`SELECT ? , ?`:                        `SELECT $1 , $2`,
		`WHERE a LIKE ? ESCAPE '\' AND b = ?`: `WHERE a LIKE $1 ESCAPE '\' AND b = $2`,
		`SELECT '?' , ?`:                      `SELECT '?' , $1`,
		`INSERT INTO t VALUES (?, ?, ?)`:      `INSERT INTO t VALUES ($1, $2, $3)`,
	}
	for in, want := range cases {
		if got := (postgres.Dialect{}).Rebind(in); got != want {
			t.Errorf("Rebind(%q) = %q, want %q", in, got, want)
		}
	}
}
