package sqlite_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// TestBackgroundCheckpoint: while a store is open, the write-ahead log is
// copied into the database in the background, so that writers never do it
// themselves and the log stays small. 3000 commits of a 3 KB row append
// over 6000 pages to the log; left to SQLite's autocheckpoint (4000 pages,
// run by the committing writer) the log file reaches 16 MB, while with the
// background checkpoint it is restarted every few commits.
func TestBackgroundCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal.db")
	db, err := sqlite.OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sqlstore.New(db, sqlite.Dialect{Every: 10 * time.Millisecond}, sqlstore.Options{})
	defer s.Close()
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT)`); err != nil {
		t.Fatal(err)
	}
	row := strings.Repeat("x", 3000)
	for i := range 3000 {
		if _, err := db.Exec(`INSERT INTO t (id, b) VALUES (?, ?)`, i, row); err != nil {
			t.Fatal(err)
		}
		if i%100 == 99 {
			time.Sleep(30 * time.Millisecond) // let a checkpoint run, as between a server's commit groups
		}
	}
	st, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 10<<20 {
		t.Fatalf("write-ahead log %d bytes after 3000 commits: not checkpointed in the background", st.Size())
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 3000 {
		t.Fatalf("%d rows, %v", n, err)
	}
}
