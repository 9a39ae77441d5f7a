package pii_test

import (
	"testing"

	"github.com/zhudun/zhudun/pii"
)

func TestMaskIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"370102198506151235", "370102********1235"},
		{"11010519491231002X", "110105********002X"},
		// Not canonical: everything hidden, at the canonical length.
		{"11010519491231002x", "******************"},
		{"370102850615123", "******************"},
		{" 11010519491231002X", "******************"},
		{"1101051949123100XX", "******************"},
		{"11010519491231002X0", "******************"},
		{"", "******************"},
	}
	for _, tt := range tests {
		if got := pii.MaskIDNumber(tt.in); got != tt.want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13912345678", "139****5678"},
		{"19900001111", "199****1111"},
		{"+8613912345678", "***********"},
		{"139 1234 5678", "***********"},
		{"1391234567", "***********"},
		{"1391234567X", "***********"},
		{"", "***********"},
	}
	for _, tt := range tests {
		if got := pii.MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
