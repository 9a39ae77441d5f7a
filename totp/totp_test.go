package totp

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"
)

// RFC 6238 Appendix B, SHA-1 column: secret "12345678901234567890", 8 digits;
// the 6-digit code is the last six digits of the published 8-digit value.
func TestRFC6238Vectors(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	cases := []struct {
		unix int64
		want string
	}{
		{59, "287082"},         // 94287082
		{1111111109, "081804"}, // 07081804
		{1111111111, "050471"}, // 14050471
		{1234567890, "005924"}, // 89005924
		{2000000000, "279037"}, // 69279037
	}
	for _, c := range cases {
		got, err := Code(secret, Counter(time.Unix(c.unix, 0)))
		if err != nil || got != c.want {
			t.Errorf("Code at %d = %q, %v; want %q", c.unix, got, err, c.want)
		}
	}
}

func TestValidateWindowAndReplay(t *testing.T) {
	s := NewSecret()
	now := time.Unix(1_800_000_000, 0)
	prev, _ := Code(s, Counter(now)-1)
	step, ok := Validate(s, prev, now, 0)
	if !ok || step != Counter(now)-1 {
		t.Fatalf("previous step's code refused")
	}
	if _, ok := Validate(s, prev, now, step); ok {
		t.Fatal("replayed code accepted")
	}
	// The window is exactly one step either side: every step within it is
	// accepted, and the steps two away — what a ±2 window would let in — are
	// not (issue 18: this test once passed a widened window).
	for d := int64(-3); d <= 3; d++ {
		c, _ := Code(s, Counter(now)+d)
		_, ok := Validate(s, c, now, 0)
		if want := d >= -1 && d <= 1; ok != want {
			t.Errorf("code %+d steps away: accepted %v, want %v", d, ok, want)
		}
	}
	if _, ok := Validate(s, "12345", now, 0); ok {
		t.Fatal("short code accepted")
	}
	if _, ok := Validate("not base32!", "123456", now, 0); ok {
		t.Fatal("bad secret accepted")
	}
}

func TestURI(t *testing.T) {
	u := URI("zhudun", "alice", "JBSWY3DPEHPK3PXP")
	if !strings.HasPrefix(u, "otpauth://totp/zhudun:alice?") || !strings.Contains(u, "secret=JBSWY3DPEHPK3PXP") {
		t.Fatalf("uri %q", u)
	}
}
