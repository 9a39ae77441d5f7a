package cli

import (
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/postgres"
	"github.com/zhudun/zhudun/sqlite"
)

// The dialects' migrations are numbered alike, one file a number: a second
// file of one number would be taken as applied and never run (two branches
// each adding "0011" did exactly that), and a number missing from one
// dialect gives its databases another schema version.
func TestMigrationNumbers(t *testing.T) {
	numbers := func(name string, m fs.FS) []int {
		files, err := fs.Glob(m, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, f := range files {
			v, err := strconv.Atoi(strings.SplitN(f, "_", 2)[0])
			if err != nil {
				t.Fatalf("%s migration %s: no number", name, f)
			}
			if slices.Contains(out, v) {
				t.Errorf("%s: two migrations numbered %d", name, v)
			}
			out = append(out, v)
		}
		slices.Sort(out)
		return out
	}
	lite, pg := numbers("sqlite", sqlite.Dialect{}.Migrations()), numbers("postgres", postgres.Dialect{}.Migrations())
	if !slices.Equal(lite, pg) {
		t.Errorf("sqlite migrations %v, postgres %v: want the same numbers", lite, pg)
	}
	if len(lite) == 0 || lite[len(lite)-1] != 43 {
		t.Errorf("latest migration %v, want 43 (update this and the \"schema version\" tests together)", lite)
	}
}
