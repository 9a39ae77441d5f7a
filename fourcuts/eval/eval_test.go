package eval

import (
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	truth, err := ReadSet(strings.NewReader(`{"category":"black_card","entity":"a"}
{"category":"black_card","entity":"b"}
{"category":"black_line","entity":"1.2.3.4"}
`), "truth")
	if err != nil {
		t.Fatal(err)
	}
	found, err := ReadSet(strings.NewReader(`{"category":"black_card","entity":"a","score":1}
{"category":"black_card","entity":"c"}
{"category":"black_card","entity":"c"}
`), "found")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Score{}
	for _, s := range Compare(truth, found) {
		got[s.Category] = s
	}
	if s := got["black_card"]; s.Hits != 1 || s.Precision != 0.5 || s.Recall != 0.5 || s.F1 != 0.5 {
		t.Errorf("black_card %+v", s)
	}
	if s := got["black_line"]; s.Precision != 0 || s.Recall != 0 || s.F1 != 0 {
		t.Errorf("black_line %+v", s)
	}
	if s := got["black_device"]; s.F1 != 1 {
		t.Errorf("empty in both must score 1: %+v", s)
	}
	if _, err := ReadSet(strings.NewReader("{bad"), "x"); err == nil {
		t.Error("bad JSON accepted")
	}
}
