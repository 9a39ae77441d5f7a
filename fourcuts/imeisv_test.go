package fourcuts_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
)

// poolForms is a cat pool whose eight cards' records give the modem's IMEI
// in all three spellings: the 16-digit IMEISV (software version 07), the
// 15-digit IMEI and the bare 14 digits.
func poolForms(s *scene, imei string) []string {
	forms := []string{imei[:14] + "07", imei, imei[:14]}
	var ms []string
	for k := 0; k < 8; k++ {
		m := fmt.Sprintf("1700000%04d", k)
		ms = append(ms, m)
		for c := 0; c < 3; c++ {
			s.cdr(m, fmt.Sprintf("0531%08d", k*10+c), "mo", 10, fmt.Sprintf("4600100000%05d", k), forms[(k+c)%3], "460-00-7-7", ts(2, 3+c, k))
		}
	}
	return ms
}

// TestIMEISVJoin: the 14-, 15- and 16-digit forms of one modem are one
// device, named by its 15-digit IMEI whatever order the records come in.
func TestIMEISVJoin(t *testing.T) {
	for _, reverse := range []bool{false, true} {
		s := &scene{t: t}
		s.population(30)
		cards := poolForms(s, pool)
		if reverse {
			slices.Reverse(s.evs)
		}
		res := s.detect(fourcuts.DefaultConfig())
		dev := byCat(res, fourcuts.BlackDevice)
		f, ok := dev[pool]
		if !ok || len(dev) != 1 {
			t.Fatalf("reverse=%v: devices = %v, want %s only", reverse, keys(dev), pool)
		}
		var n float64
		for _, ev := range f.Evidence {
			if ev.Signal == "imsi_per_imei" {
				n = ev.Value
			}
		}
		if n != 8 {
			t.Errorf("reverse=%v: imsi_per_imei = %v, want 8 (all forms joined): %+v", reverse, n, f.Evidence)
		}
		if got := byCat(res, fourcuts.BlackCard); len(got) != len(cards) {
			t.Errorf("reverse=%v: cards = %v, want %v", reverse, keys(got), cards)
		}
	}
}

// TestIMEISVOnly: a modem seen only as IMEISVs — its software updated
// mid-period — is named by the smaller IMEISV; one seen only as 14 digits
// by those.
func TestIMEISVOnly(t *testing.T) {
	for _, tc := range []struct {
		forms []string
		want  string
	}{
		{[]string{"86740000000001" + "04", "86740000000001" + "03"}, "8674000000000103"},
		{[]string{"86740000000001"}, "86740000000001"},
	} {
		s := &scene{t: t}
		s.population(30)
		for k := 0; k < 8; k++ {
			m := fmt.Sprintf("1700000%04d", k)
			for c := 0; c < 3; c++ {
				s.cdr(m, fmt.Sprintf("0531%08d", k*10+c), "mo", 10, fmt.Sprintf("4600100000%05d", k), tc.forms[(k+c)%len(tc.forms)], "460-00-7-7", ts(2, 3+c, k))
			}
		}
		dev := byCat(s.detect(fourcuts.DefaultConfig()), fourcuts.BlackDevice)
		if _, ok := dev[tc.want]; !ok || len(dev) != 1 {
			t.Errorf("forms %v: devices = %v, want %s only", tc.forms, keys(dev), tc.want)
		}
	}
}

// TestIMEISVAllowlist: an allow-list entry for one form covers the device.
func TestIMEISVAllowlist(t *testing.T) {
	s := &scene{t: t}
	s.population(30)
	poolForms(s, pool)
	cfg := fourcuts.DefaultConfig()
	cfg.Allow.Entries = []fourcuts.AllowEntry{{Type: "imei", Value: pool[:14] + "07", Reason: "carrier test rig"}}
	if err := cfg.Allow.Compile(); err != nil {
		t.Fatal(err)
	}
	res := s.detect(cfg)
	if n := len(byCat(res, fourcuts.BlackDevice)); n != 0 {
		t.Errorf("allowlisted device still found")
	}
	if len(res.Suppressed) != 1 || res.Suppressed[0].Entity != pool {
		t.Errorf("suppressed = %+v", res.Suppressed)
	}
}
