package password

import (
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		pw string
		ok bool
	}{
		{"S3cure!pass", true},
		{"abcDEF12", true},  // lower, upper, digit
		{"abcdef1!", true},  // lower, digit, symbol
		{"abcdefgh", false}, // one class
		{"abcdEFGH", false}, // two classes
		{"aB1!", false},     // too short
		{"Ab1\x00defgh", false},
		{"密码Abc12345", true}, // CJK counts as "other"
		{strings.Repeat("aB1", 50), false},
	}
	for _, c := range cases {
		err := Check("password", c.pw)
		if (err == nil) != c.ok {
			t.Errorf("Check(%q) = %v, want ok=%v", c.pw, err, c.ok)
		}
		if err != nil && zhudun.ErrorCode(err) != zhudun.EINVALID {
			t.Errorf("Check(%q) code %s", c.pw, zhudun.ErrorCode(err))
		}
	}
}

func TestHashVerify(t *testing.T) {
	h, err := Hash("S3cure!pass")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected hash format %q", h)
	}
	if !Verify(h, "S3cure!pass") {
		t.Fatal("right password refused")
	}
	if Verify(h, "S3cure!pasS") {
		t.Fatal("wrong password accepted")
	}
	h2, _ := Hash("S3cure!pass")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", h[:len(h)-5], "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA"} {
		if Verify(bad, "S3cure!pass") {
			t.Errorf("malformed hash %q verified", bad)
		}
	}
}

func TestGenerate(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		p := Generate()
		if err := Check("password", p); err != nil {
			t.Fatalf("generated %q fails policy: %v", p, err)
		}
		if seen[p] {
			t.Fatalf("generated %q twice", p)
		}
		seen[p] = true
	}
}
