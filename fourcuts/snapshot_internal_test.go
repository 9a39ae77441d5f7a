package fourcuts

import (
	"reflect"
	"testing"
)

// TestSnapshotCoversEngine: every field of Engine is either written by
// AppendSnapshot or named here as scratch. A field added to the engine
// without a place in the snapshot makes a resumed live engine find less
// than a fresh one — this test fails first, naming the field.
func TestSnapshotCoversEngine(t *testing.T) {
	covered := map[string]bool{
		"cfg":  true, // the caller's, not state: LoadSnapshot keeps the engine's own
		"nums": true, "imeis": true, "devices": true, "ips": true, "holders": true, "platforms": true,
		"accounts": true, "outlets": true, "carriers": true, "regions": true, "models": true, "oses": true,
		"cards": true, "imeiSt": true, "ipSt": true, "pairs": true, "cardIMEI": true, "cardCell": true,
		"acts": true, "regs": true, "periodFirst": true, "periodLast": true, "events": true,
		"keybuf": true, // scratch for building keys
	}
	ty := reflect.TypeOf(Engine{})
	for i := range ty.NumField() {
		if f := ty.Field(i); !covered[f.Name] {
			t.Errorf("Engine.%s is not in the snapshot (snapshot.go) nor named scratch here", f.Name)
		}
	}
	if got := len(e0().tables()); got != 12 {
		t.Errorf("tables() lists %d tables, want the 12 named above", got)
	}
}

func e0() *Engine { return NewEngine(DefaultConfig()) }
