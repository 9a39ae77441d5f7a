// Package testpg gives tests a fresh PostgreSQL database on the machine's
// server. It fails the test — never skips — when the server cannot be
// reached: CI must run the PostgreSQL suites.
package testpg

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// AdminDSN is the server tests create databases on: ZHUDUN_TEST_POSTGRES,
// or the machine's PostgreSQL with trust authentication.
func AdminDSN() string {
	if v := os.Getenv("ZHUDUN_TEST_POSTGRES"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// FreshDB creates an empty database for one test, drops it when the test
// ends, and returns its DSN.
func FreshDB(t testing.TB) string {
	t.Helper()
	admin, err := sql.Open("pgx", AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "zhudun_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("PostgreSQL at %s: %v (set ZHUDUN_TEST_POSTGRES)", AdminDSN(), err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", AdminDSN())
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	u, err := url.Parse(AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
