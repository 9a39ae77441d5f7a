package pii

import "testing"

func TestMaskText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"回拨 13912345678", "回拨 139****5678"},
		{"回拨13912345678确认", "回拨139****5678确认"},
		{"号码 139-1234-5678 和 +86 139 1234 5678", "号码 139****5678 和 +139****5678"},
		{"核查 11010519491231002X 身份", "核查 110105********002X 身份"},
		{"核查11010519491231002x", "核查110105********002X"},
		{"错号 13912345", "错号 13912345"},                 // 8 digits: not personal on its face
		{"错号 139123456789012", "错号 ***************"},   // too long for a phone, not an ID: all stars
		{"案件 2026-12-02 第 3 次", "案件 2026-12-02 第 3 次"}, // dates and counts stay
		{"no digits", "no digits"},
		// full width, as a Chinese input method types it (review 2026-12-03b, finding 2)
		{"电话１３９１２３４５６７８", "电话139****5678"},
		{"电话 １３９－１２３４－５６７８ 身份证１１０１０５１９４９１２３１００２Ｘ", "电话 139****5678 身份证110105********002X"},
		{"１３９\u3000１２３４\u3000５６７８", "139****5678"},
		{"第３次", "第3次"}, // short runs stay (read as ASCII)
	} {
		if got := MaskText(c.in); got != c.want {
			t.Errorf("MaskText(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}
