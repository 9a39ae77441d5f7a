package gmcrypto_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
)

// fuzzSealed seals "hello" under fixedKeyring with aad "fuzz" (nonce 00..0b); it is
// the only text that should open. Seeds are in testdata/fuzz/FuzzOpen.
const fuzzSealed = "sm4gcm:v1:AAECAwQFBgcICQoLpKaEx_pm8Rlp7y9-kC_2dYXdb0eM"

// FuzzOpen: Open never panics, and apart from fuzzSealed itself nothing
// the fuzzer derives from it opens — every value has one spelling and any
// change fails.
func FuzzOpen(f *testing.F) {
	kr := fixedKeyring(f)
	f.Fuzz(func(t *testing.T, s string) {
		plain, err := kr.Open(s, []byte("fuzz"))
		if err == nil {
			if s != fuzzSealed || string(plain) != "hello" {
				t.Fatalf("Open(%q) = %q, want an error", s, plain)
			}
			return
		}
		if c := zhudun.ErrorCode(err); c != zhudun.EINVALID && c != zhudun.EINTERNAL {
			t.Fatalf("Open(%q): %v", s, err)
		}
		kr.NeedsRotation(s)
	})
}

func TestFuzzSealedOpens(t *testing.T) {
	got, err := fixedKeyring(t).Open(fuzzSealed, []byte("fuzz"))
	if err != nil || string(got) != "hello" {
		t.Fatalf("Open(fuzzSealed) = %q, %v", got, err)
	}
}

// FuzzParse: Parse never panics, fails only with EINVALID, and what it
// accepts survives Marshal and Parse unchanged.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		kr, err := gmcrypto.Parse(data)
		if err != nil {
			var e *zhudun.Error
			if !errors.As(err, &e) || e.Code != zhudun.EINVALID {
				t.Fatalf("Parse: %#v, want EINVALID", err)
			}
			return
		}
		out := kr.Marshal()
		again, err := gmcrypto.Parse(out)
		if err != nil {
			t.Fatalf("Marshal output does not parse: %v\n%s", err, out)
		}
		if !bytes.Equal(again.Marshal(), out) {
			t.Fatalf("Marshal/Parse round trip changed the keyring")
		}
	})
}
