package gmcrypto_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"

	"github.com/zhudun/zhudun/gmcrypto"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// GB/T 32905-2016 appendix A, examples 1 and 2.
func TestSM3StandardVectors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0"},
		{strings.Repeat("abcd", 16), "debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732"},
	}
	for _, tt := range tests {
		h := sm3.New() // the constructor Index, SignAnchor and SM3Hex use
		h.Write([]byte(tt.in))
		if got, want := hex.EncodeToString(h.Sum(nil)), strings.ReplaceAll(tt.want, " ", ""); got != want {
			t.Errorf("SM3(%q) = %s, want %s", tt.in, got, want)
		}
	}
}

// GB/T 32907-2016 appendix A, examples 1 and 2 (the second encrypts the
// block 1,000,000 times with the same key).
func TestSM4StandardVectors(t *testing.T) {
	key := unhex(t, "0123456789abcdeffedcba9876543210")
	block, err := sm4.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	buf := bytes.Clone(key) // the plaintext equals the key
	block.Encrypt(buf, buf)
	if want := unhex(t, "681edf34d206965e86b3e94f536e4246"); !bytes.Equal(buf, want) {
		t.Fatalf("SM4 example 1 = %x, want %x", buf, want)
	}
	block.Decrypt(buf, buf)
	if !bytes.Equal(buf, key) {
		t.Fatalf("SM4 example 1 decrypts to %x", buf)
	}
	if testing.Short() {
		return
	}
	for range 1_000_000 {
		block.Encrypt(buf, buf)
	}
	if want := unhex(t, "595298c7c6fd271f0402f804c33d3f66"); !bytes.Equal(buf, want) {
		t.Fatalf("SM4 example 2 = %x, want %x", buf, want)
	}
}

// RFC 8998 appendix A.1, the SM4-GCM vector, fed through Open: this checks
// the whole path — key, nonce placement, tag position, aad — against a
// value no part of this package produced.
func TestOpenRFC8998Vector(t *testing.T) {
	kr, err := gmcrypto.Parse([]byte(`{
		"pii":   [{"id": 1, "key": "0123456789abcdeffedcba9876543210"}],
		"index": [{"id": 1, "key": "` + strings.Repeat("11", 32) + `"}],
		"audit": [{"id": 1, "key": "` + strings.Repeat("22", 32) + `"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	nonce := unhex(t, "00001234567800000000abcd")
	aad := unhex(t, "feedfacedeadbeeffeedfacedeadbeefabaddad2")
	plain := unhex(t, "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd"+
		"eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa")
	ct := unhex(t, "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735"+
		"d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d")
	tag := unhex(t, "83de3541e4c2b58177e065a9bf7b62ec")

	sealed := "sm4gcm:v1:" + base64.RawURLEncoding.EncodeToString(append(append(nonce, ct...), tag...))
	got, err := kr.Open(sealed, aad)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatalf("Open = %x, want %x", got, plain)
	}
	if _, err := kr.Open(sealed, aad[1:]); err == nil {
		t.Fatal("opened the RFC vector with the wrong aad")
	}
}

func TestSM3Hex(t *testing.T) {
	// No parts: the digest of the empty string (GB/T 32905 value).
	if got, want := gmcrypto.SM3Hex(), "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"; got != want {
		t.Errorf("SM3Hex() = %s, want %s", got, want)
	}
	// One part: SM3 over the 8-byte big-endian length, then the bytes.
	framed := sm3.Sum([]byte("\x00\x00\x00\x00\x00\x00\x00\x03abc"))
	if got, want := gmcrypto.SM3Hex([]byte("abc")), hex.EncodeToString(framed[:]); got != want {
		t.Errorf("SM3Hex(abc) = %s, want %s", got, want)
	}
	two := sm3.Sum([]byte("\x00\x00\x00\x00\x00\x00\x00\x02ab\x00\x00\x00\x00\x00\x00\x00\x01c"))
	if got, want := gmcrypto.SM3Hex([]byte("ab"), []byte("c")), hex.EncodeToString(two[:]); got != want {
		t.Errorf("SM3Hex(ab, c) = %s, want %s", got, want)
	}
	// The point of the framing: splits of the same bytes differ.
	distinct := map[string][][]byte{}
	for _, parts := range [][][]byte{
		{[]byte("ab"), []byte("c")},
		{[]byte("a"), []byte("bc")},
		{[]byte("abc")},
		{[]byte("abc"), nil},
		{nil, []byte("abc")},
		{nil},
		{},
	} {
		h := gmcrypto.SM3Hex(parts...)
		if len(h) != 64 || strings.ToLower(h) != h {
			t.Errorf("SM3Hex(%q) = %q, not 64 lowercase hex digits", parts, h)
		}
		if prev, ok := distinct[h]; ok {
			t.Errorf("SM3Hex(%q) == SM3Hex(%q)", parts, prev)
		}
		distinct[h] = parts
	}
}
