package storetest

import (
	"testing"
)

// rotateAndRekey adds a personal-data and an index key and runs the
// re-seal (zhudun keys rotate, then the rekey it starts).
func (e *env) rotateAndRekey(t *testing.T) {
	t.Helper()
	for _, k := range []string{"pii", "index"} {
		if _, err := e.keys.Rotate(k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.RekeyPII(e.sys); err != nil {
		t.Fatalf("rekey: %v", err)
	}
}

// noOldKey fails when a sealed column still holds a value under a key
// that has been rotated out, or holds none at all (the test meant to
// check something).
func (e *env) noOldKey(t *testing.T, table, col string) {
	t.Helper()
	rows, err := e.s.DB().Query(`SELECT ` + col + ` FROM ` + table + ` WHERE ` + col + ` <> ''`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var v string
		e.must(rows.Scan(&v))
		n++
		if e.keys.NeedsRotation(v) {
			t.Errorf("%s.%s still sealed under the old key after the rekey", table, col)
		}
	}
	if n == 0 {
		t.Errorf("%s.%s holds nothing to check", table, col)
	}
}
