package csvtext

import (
	"errors"
	"testing"
)

func TestUTF8(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		want string
		err  error
	}{
		{"utf-8", "名称,经度\n", "名称,经度\n", nil},
		{"utf-8 with BOM", "\xEF\xBB\xBF名称\n", "名称\n", nil},
		// 名称 in GBK/GB 18030: C3FB B3C6; 泉城 C8AA B3C7.
		{"gbk", "\xC3\xFB\xB3\xC6,\xC8\xAA\xB3\xC7\n", "名称,泉城\n", nil},
		// A four-byte GB 18030 sequence outside GBK: U+20087 𠂇 = 95 32 90 31.
		{"gb18030 four bytes", "\x95\x32\x90\x31", "\U00020087", nil},
		{"ascii", "device_id,name\n", "device_id,name\n", nil},
		{"neither", "\xC3\xFB\xFF\n", "", ErrEncoding},
		{"lone lead byte", "ab\x81", "", ErrEncoding},
	} {
		got, err := UTF8([]byte(c.in))
		if !errors.Is(err, c.err) || string(got) != c.want {
			t.Errorf("%s: %q, %v; want %q, %v", c.name, got, err, c.want, c.err)
		}
	}
}
