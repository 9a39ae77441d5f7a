package pii_test

import (
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/pii"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{"13912345678", "13912345678", ""},
		{" 139 1234 5678 ", "13912345678", ""},
		{"139-1234-5678", "13912345678", ""},
		{"(139)1234-5678", "13912345678", ""},
		{"+86 139 1234 5678", "13912345678", ""},
		{"+86-13912345678", "13912345678", ""},
		{"+8613912345678", "13912345678", ""},
		{"(+86) 13912345678", "13912345678", ""},
		{"0086 139 1234 5678", "13912345678", ""},
		{"008613912345678", "13912345678", ""},
		{"8613912345678", "13912345678", ""},
		{"86 139-1234-5678", "13912345678", ""},
		{"\t19912345678\n", "19912345678", ""},
		{"13012345678", "13012345678", ""},

		{"", "", "must be an 11-digit mobile number"},
		{"+86", "", "must be an 11-digit mobile number"},
		{"1391234567", "", "must be an 11-digit mobile number"},
		{"139123456789", "", "must be an 11-digit mobile number"},
		{"861391234567", "", "must be an 11-digit mobile number"},
		{"868613912345678", "", "must be an 11-digit mobile number"},
		{"0086008613912345678", "", "too many digits"},
		{"12912345678", "", "must start with 13 to 19"},
		{"10012345678", "", "must start with 13 to 19"},
		{"23912345678", "", "must start with 13 to 19"},
		{"+86 23912345678", "", "must start with 13 to 19"},
		// A landline with area code: 11 digits, but not a mobile number.
		{"010-12345678", "", "must start with 13 to 19"},
		{"+8713912345678", "", "only the +86 country code is accepted"},
		{"+0086 13912345678", "", "only the +86 country code is accepted"},
		{"+13912345678", "", "only the +86 country code is accepted"},
		{"86+13912345678", "", "'+' is only allowed at the start"},
		{"++8613912345678", "", "'+' is only allowed at the start"},
		{"139.1234.5678", "", "not a digit, space, dash or parenthesis"},
		{"1391234567８", "", "not a digit, space, dash or parenthesis"},
		{"139l2345678", "", "not a digit, space, dash or parenthesis"},
	}
	for _, tt := range tests {
		got, err := pii.NormalizePhone(tt.in)
		if tt.wantErr != "" {
			if err == nil {
				t.Errorf("NormalizePhone(%q) = %q, want error %q", tt.in, got, tt.wantErr)
				continue
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NormalizePhone(%q): error %q does not say %q", tt.in, err, tt.wantErr)
			}
			if e, ok := err.(*zhudun.Error); !ok || e.Code != zhudun.EINVALID || e.Field != pii.FieldPhone {
				t.Errorf("NormalizePhone(%q): error %#v, want EINVALID on field %q", tt.in, err, pii.FieldPhone)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func BenchmarkNormalizePhone(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pii.NormalizePhone("+86 139-1234-5678"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalizeIDNumber(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pii.NormalizeIDNumberAt("11010519491231002x", today); err != nil {
			b.Fatal(err)
		}
	}
}
