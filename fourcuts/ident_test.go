package fourcuts

import (
	"strings"
	"testing"
)

func TestIdentifiers(t *testing.T) {
	type fn func(dst, src []byte) ([]byte, bool)
	cases := []struct {
		name string
		f    fn
		in   string
		want string // "" means rejected
	}{
		{"msisdn plain", AppendMsisdn, "13800138000", "13800138000"},
		{"msisdn +86 spaced", AppendMsisdn, "+86 138-0013-8000", "13800138000"},
		{"msisdn 86", AppendMsisdn, "8613800138000", "13800138000"},
		{"msisdn 0086", AppendMsisdn, "008613800138000", "13800138000"},
		{"msisdn foreign", AppendMsisdn, "+85291234567", "+85291234567"},
		{"msisdn iot", AppendMsisdn, "1440123456789", "1440123456789"},
		{"msisdn landline", AppendMsisdn, "053188880000", ""},
		{"msisdn letters", AppendMsisdn, "1380013800a", ""},
		{"msisdn short", AppendMsisdn, "1380013800", ""},
		{"msisdn empty", AppendMsisdn, "", ""},
		{"peer landline", AppendPeer, "0531-8888 0000", "053188880000"},
		{"peer service", AppendPeer, "110", "110"},
		{"peer mobile +86", AppendPeer, "+8613800138000", "13800138000"},
		{"peer intl", AppendPeer, "+1 415 555 0100", "+14155550100"},
		{"peer garbage", AppendPeer, "abc", ""},
		{"imsi", AppendIMSI, "460001234567890", "460001234567890"},
		{"imsi short", AppendIMSI, "46000123456789", ""},
		{"iccid 20", AppendICCID, "89860012345678901234", "89860012345678901234"},
		{"iccid F", AppendICCID, "8986001234567890123f", "8986001234567890123F"},
		{"iccid 18", AppendICCID, "898600123456789012", ""},
		{"imei valid", AppendIMEI, "490154203237518", "490154203237518"},
		{"imei bad luhn kept", AppendIMEI, "490154203237519", "490154203237519"},
		{"imei 14", AppendIMEI, "49015420323751", "49015420323751"},
		{"imei 13", AppendIMEI, "4901542032375", ""},
		{"imei hex", AppendIMEI, "49015420323751A", ""},
		{"ipv4", AppendIP, "10.1.2.3", "10.1.2.3"},
		{"ipv4 leading zero", AppendIP, "10.01.2.3", ""},
		{"ipv4 range", AppendIP, "10.1.2.256", ""},
		{"ipv6 5952", AppendIP, "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
		{"ipv4 mapped", AppendIP, "::ffff:192.0.2.1", "192.0.2.1"},
		{"ip zone", AppendIP, "fe80::1%eth0", ""},
		{"holder id", AppendHolder, "11010519491231002x", "11010519491231002X"},
		{"holder id bad check", AppendHolder, "110105194912310021", ""},
		{"holder old", AppendHolder, "110105491231002", "110105491231002"},
		{"holder pseudonym", AppendHolder, "h:9f86d081884c7d65", "h:9f86d081884c7d65"},
		{"platform", AppendLower, "WeChat", "wechat"},
		{"cell", AppendCell, "460-00-20001-12345", "460-00-20001-12345"},
		{"cell 3 parts", AppendCell, "460-00-20001", ""},
		{"region", AppendRegion, "370102", "370102"},
		{"region 5", AppendRegion, "37010", ""},
	}
	for _, c := range cases {
		got, ok := c.f(nil, []byte(c.in))
		if c.want == "" {
			if ok {
				t.Errorf("%s: %q accepted as %q, want rejected", c.name, c.in, got)
			}
			continue
		}
		if !ok || string(got) != c.want {
			t.Errorf("%s: %q → %q, %v; want %q", c.name, c.in, got, ok, c.want)
		}
	}
}

func TestLuhn(t *testing.T) {
	if !LuhnValid("490154203237518") || LuhnValid("490154203237519") {
		t.Fatal("Luhn check wrong")
	}
	if !LuhnValid("49015420323751") {
		t.Fatal("14 digits carry no check digit")
	}
}

func TestParseTS(t *testing.T) {
	cases := []struct {
		in   string
		want int64 // unix ms; -1 rejected
	}{
		{"2021-06-01T08:03:11+08:00", 1622505791000},
		{"2021-06-01T00:03:11.250Z", 1622505791250},
		{"2021-06-01T00:03:11z", 1622505791000},
		{"2021-05-31T16:03:11-08:00", 1622505791000},
		{"2021-06-01T08:03:11", -1},
		{"2021-02-30T08:03:11Z", -1},
		{"2021-06-01 08:03:11+08:00", 1622505791000},
		{"2021-06-01T08:03:11+0800", -1},
		{"not a time at all....", -1},
	}
	for _, c := range cases {
		got, ok := ParseTS([]byte(c.in))
		if c.want == -1 {
			if ok {
				t.Errorf("%q accepted", c.in)
			}
			continue
		}
		if !ok || got != c.want {
			t.Errorf("%q → %d %v, want %d", c.in, got, ok, c.want)
		}
	}
	if h := HourCST(1622505791000); h != 8 {
		t.Errorf("hour CST = %d, want 8", h)
	}
	if s := FormatTS(1622505791250); s != "2021-06-01T08:03:11.250+08:00" {
		t.Errorf("FormatTS = %s", s)
	}
}

func TestMaskHolder(t *testing.T) {
	if m := MaskHolder("37010219800101123X"); m != "370102********123X" {
		t.Errorf("mask = %s", m)
	}
}

func TestPreferIMEI(t *testing.T) {
	const valid, rewritten = "490154203237518", "490154203237519"
	cases := []struct {
		a, b string
		want bool
	}{
		{valid, "4901542032375107", true},              // 15 digits before the IMEISV
		{"4901542032375107", valid, false},             //
		{rewritten, "4901542032375107", true},          // even with a wrong check digit
		{valid, rewritten, true},                       // a valid check digit first
		{rewritten, valid, false},                      //
		{"4901542032375103", "4901542032375104", true}, // smaller software version
		{"4901542032375104", "4901542032375103", false},
		{"4901542032375104", "49015420323751", true}, // an IMEISV before 14 digits
		{"49015420323751", "4901542032375104", false},
		{valid, valid, false},
	}
	for _, c := range cases {
		if got := PreferIMEI([]byte(c.a), c.b); got != c.want {
			t.Errorf("PreferIMEI(%s, %s) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// FuzzIMEIJoin: whatever the forms and their order, the forms that share
// 14 digits get one id, and its name is the form PreferIMEI ranks first
// among them (checked against a brute-force reading of the rule).
func FuzzIMEIJoin(f *testing.F) {
	f.Add("490154203237518 4901542032375107 49015420323751 490154203237519")
	f.Add("8674000000000104 8674000000000103 86740000000001")
	f.Add("86740000000001 867400000000012 8674000000000199 35328711000000 353287110000006")
	f.Fuzz(func(t *testing.T, in string) {
		var forms []string
		for _, tok := range strings.Fields(in) {
			if b, ok := AppendIMEI(nil, []byte(tok)); ok {
				forms = append(forms, string(b))
			}
		}
		if len(forms) == 0 {
			return
		}
		fwd, rev := newTable(4), newTable(4)
		ids := make([]uint32, len(forms))
		for i, v := range forms {
			ids[i] = fwd.idIMEI([]byte(v), int64(i), true)
		}
		for i := len(forms) - 1; i >= 0; i-- {
			rev.idIMEI([]byte(forms[i]), int64(i), false)
		}
		for i, a := range forms {
			want := a
			for j, b := range forms {
				same := a[:14] == b[:14]
				if same != (ids[i] == ids[j]) {
					t.Fatalf("%s and %s: ids %d, %d", a, b, ids[i], ids[j])
				}
				if same && rank(b, want) {
					want = b
				}
			}
			if got := fwd.names[ids[i]]; got != want {
				t.Fatalf("%s named %s, want %s (forms %v)", a, got, want, forms)
			}
			if got := rev.names[rev.idIMEI([]byte(a), 0, true)]; got != want {
				t.Fatalf("reversed: %s named %s, want %s", a, got, want)
			}
		}
	})
}

// rank is the contract's rule read literally: a valid 15-digit IMEI, then
// an invalid one, then a 16-digit IMEISV, then 14 digits; the smaller
// string among equals.
func rank(a, b string) bool {
	r := func(v string) int {
		switch {
		case len(v) == 15 && LuhnValid(v):
			return 0
		case len(v) == 15:
			return 1
		case len(v) == 16:
			return 2
		}
		return 3
	}
	if r(a) != r(b) {
		return r(a) < r(b)
	}
	return a < b
}
