package gmcrypto_test

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/emmansun/gmsm/sm3"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
)

// Fixed keys for tests that need known keys.
const (
	piiKey   = "00112233445566778899aabbccddeeff"
	indexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	auditKey = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
)

func fixedKeyring(t testing.TB) *gmcrypto.Keyring {
	t.Helper()
	kr, err := gmcrypto.Parse([]byte(fmt.Sprintf(
		`{"pii":[{"id":1,"key":%q}],"index":[{"id":1,"key":%q}],"audit":[{"id":1,"key":%q}]}`,
		piiKey, indexKey, auditKey)))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

var sealedForm = regexp.MustCompile(`^sm4gcm:v([1-9][0-9]*):([A-Za-z0-9_-]+)$`)

func TestSealOpen(t *testing.T) {
	kr := gmcrypto.Generate()
	aad := []byte("suspect/42/id_number")
	for _, plain := range [][]byte{
		[]byte("11010519491231002X"),
		[]byte("张三"),
		{},
		bytes.Repeat([]byte{0xff}, 1000),
	} {
		s, err := kr.Seal(plain, aad)
		if err != nil {
			t.Fatal(err)
		}
		m := sealedForm.FindStringSubmatch(s)
		if m == nil || m[1] != "1" {
			t.Fatalf("sealed text %q is not sm4gcm:v1:<base64url>", s)
		}
		raw, err := base64.RawURLEncoding.DecodeString(m[2])
		if err != nil || len(raw) != 12+len(plain)+16 {
			t.Fatalf("body of %q: %d bytes, %v; want nonce+plaintext+tag", s, len(raw), err)
		}
		if len(plain) >= 4 && bytes.Contains(raw, plain) {
			t.Fatalf("sealed body contains the plaintext")
		}
		got, err := kr.Open(s, aad)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("Open = %q, want %q", got, plain)
		}
	}

	// A random nonce per call: sealing the same value twice differs.
	a, _ := kr.Seal([]byte("x"), nil)
	b, _ := kr.Seal([]byte("x"), nil)
	if a == b {
		t.Fatal("two seals of the same value are equal")
	}
}

func TestOpenRejectsTampering(t *testing.T) {
	kr := gmcrypto.Generate()
	aad := []byte("row 7")
	s, err := kr.Seal([]byte("13912345678"), aad)
	if err != nil {
		t.Fatal(err)
	}
	prefix, body := s[:len("sm4gcm:v1:")], s[len("sm4gcm:v1:"):]
	raw, _ := base64.RawURLEncoding.DecodeString(body)

	// Every byte of nonce, ciphertext and tag is covered.
	for i := range raw {
		bad := bytes.Clone(raw)
		bad[i] ^= 0x01
		_, err := kr.Open(prefix+base64.RawURLEncoding.EncodeToString(bad), aad)
		if zhudun.ErrorCode(err) != zhudun.EINVALID || !strings.Contains(err.Error(), "failed authentication") {
			t.Fatalf("flipped byte %d: err = %v, want EINVALID failed authentication", i, err)
		}
	}

	tests := []struct{ name, sealed, want string }{
		{"empty", "", "malformed"},
		{"no prefix", body, "malformed"},
		{"other algorithm", "aesgcm:v1:" + body, "malformed"},
		{"no key id", "sm4gcm:" + body, "malformed"},
		{"key id 0", "sm4gcm:v0:" + body, "malformed"},
		{"leading zero", "sm4gcm:v01:" + body, "malformed"},
		{"negative", "sm4gcm:v-1:" + body, "malformed"},
		{"huge id", "sm4gcm:v99999999999:" + body, "malformed"},
		{"padding", s + "==", "malformed"},
		{"standard base64", prefix + strings.NewReplacer("-", "+", "_", "/").Replace(body) + "+/", "malformed"},
		// Dropping the last character leaves valid base64 whenever the
		// random tag's spare bits happen to be zero: then authentication
		// fails instead. Either way it is refused as EINVALID.
		{"truncated", s[:len(s)-1], "gmcrypto: "},
		{"too short", prefix + base64.RawURLEncoding.EncodeToString(raw[:27]), "malformed"},
		{"dropped byte", prefix + base64.RawURLEncoding.EncodeToString(raw[:len(raw)-1]), "failed authentication"},
		{"unknown key", "sm4gcm:v9:" + body, "not in the keyring"},
	}
	for _, tt := range tests {
		if _, err := kr.Open(tt.sealed, aad); err == nil || !strings.Contains(err.Error(), tt.want) || tt.want != "not in the keyring" && zhudun.ErrorCode(err) != zhudun.EINVALID {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := kr.Open("sm4gcm:v9:"+body, aad); zhudun.ErrorCode(err) != zhudun.EINTERNAL {
		t.Errorf("unknown key: code %s, want EINTERNAL", zhudun.ErrorCode(err))
	}
}

func TestOpenWrongAADOrKeyring(t *testing.T) {
	kr := gmcrypto.Generate()
	s, err := kr.Seal([]byte("secret"), []byte("suspect/1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Open(s, []byte("suspect/2")); zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Errorf("wrong aad: err = %v, want EINVALID", err)
	}
	if _, err := kr.Open(s, nil); err == nil {
		t.Error("missing aad: opened")
	}
	// Another keyring has a key with the same id but different bytes.
	if _, err := gmcrypto.Generate().Open(s, []byte("suspect/1")); zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Errorf("other keyring: err = %v, want EINVALID", err)
	}
}

func TestRotatePII(t *testing.T) {
	kr := gmcrypto.Generate()
	old, _ := kr.Seal([]byte("old"), nil)
	if kr.NeedsRotation(old) {
		t.Fatal("fresh value needs rotation")
	}

	id, err := kr.Rotate(gmcrypto.PurposePII)
	if err != nil || id != 2 {
		t.Fatalf("Rotate = %d, %v; want 2", id, err)
	}
	if kr.ActiveKeyID(gmcrypto.PurposePII) != 2 {
		t.Fatalf("active pii key %d, want 2", kr.ActiveKeyID(gmcrypto.PurposePII))
	}
	if !kr.NeedsRotation(old) {
		t.Fatal("value sealed under v1 does not need rotation after v2")
	}
	if got, err := kr.Open(old, nil); err != nil || string(got) != "old" {
		t.Fatalf("old value after rotation: %q, %v", got, err)
	}
	fresh, _ := kr.Seal([]byte("new"), nil)
	if !strings.HasPrefix(fresh, "sm4gcm:v2:") || kr.NeedsRotation(fresh) {
		t.Fatalf("new value %q should be v2 and current", fresh)
	}
	// Relabelling an old value as v2 does not make it open.
	if _, err := kr.Open(strings.Replace(old, ":v1:", ":v2:", 1), nil); err == nil {
		t.Fatal("v1 value relabelled v2 opened")
	}
	// Malformed values are reported, not skipped.
	if !kr.NeedsRotation("garbage") {
		t.Fatal("malformed value does not need rotation")
	}

	// Rotation survives a save and load.
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := kr.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := gmcrypto.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{old, fresh} {
		if _, err := loaded.Open(s, nil); err != nil {
			t.Fatalf("loaded keyring: %v", err)
		}
	}
	if !loaded.NeedsRotation(old) || loaded.NeedsRotation(fresh) {
		t.Fatal("loaded keyring has a different active key")
	}

	if id, _ := kr.Rotate(gmcrypto.PurposePII); id != 3 {
		t.Fatalf("second Rotate = %d, want 3", id)
	}
	if _, err := kr.Rotate("PII"); zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Fatalf("Rotate(unknown) err = %v, want EINVALID", err)
	}
}

func TestIndex(t *testing.T) {
	kr := fixedKeyring(t)
	phone := kr.Index(gmcrypto.IndexPhone, "13912345678")

	// HMAC-SM3(index key, len(kind) kind len(value) value), built here by
	// hand so a change of framing, which would orphan every stored index,
	// fails the test.
	m := hmac.New(sm3.New, unhex(t, indexKey))
	m.Write([]byte("\x00\x00\x00\x00\x00\x00\x00\x05phone\x00\x00\x00\x00\x00\x00\x00\x0b13912345678"))
	if want := hex.EncodeToString(m.Sum(nil)); phone != want {
		t.Fatalf("Index = %s, want %s", phone, want)
	}

	if again := kr.Index(gmcrypto.IndexPhone, "13912345678"); again != phone {
		t.Fatal("Index is not deterministic")
	}
	if kr.Index(gmcrypto.IndexIDNo, "13912345678") == phone {
		t.Fatal("kinds are not separated")
	}
	if kr.Index(gmcrypto.IndexPhone, "13912345679") == phone {
		t.Fatal("different values give the same index")
	}
	// Moving bytes between kind and value must not collide.
	if kr.Index("phone1", "3912345678") == phone {
		t.Fatal("kind/value boundary is ambiguous")
	}
	if gmcrypto.Generate().Index(gmcrypto.IndexPhone, "13912345678") == phone {
		t.Fatal("index does not depend on the key")
	}
	if _, err := kr.Rotate(gmcrypto.PurposeIndex); err != nil {
		t.Fatal(err)
	}
	if kr.Index(gmcrypto.IndexPhone, "13912345678") == phone {
		t.Fatal("index unchanged after rotating the index key")
	}
}

func TestAnchor(t *testing.T) {
	kr := fixedKeyring(t)
	msg := []byte("chain head 4f2a")
	sig := kr.SignAnchor(msg)

	m := hmac.New(sm3.New, unhex(t, auditKey))
	m.Write(msg)
	if want := "v1:" + hex.EncodeToString(m.Sum(nil)); sig != want {
		t.Fatalf("SignAnchor = %s, want %s", sig, want)
	}
	if !kr.VerifyAnchor(msg, sig) {
		t.Fatal("own signature does not verify")
	}

	if _, err := kr.Rotate(gmcrypto.PurposeAudit); err != nil {
		t.Fatal(err)
	}
	if !kr.VerifyAnchor(msg, sig) {
		t.Fatal("v1 signature does not verify after rotation")
	}
	sig2 := kr.SignAnchor(msg)
	if !strings.HasPrefix(sig2, "v2:") || !kr.VerifyAnchor(msg, sig2) {
		t.Fatalf("signature after rotation %q", sig2)
	}

	hexPart := sig[len("v1:"):]
	for _, bad := range []string{
		"",
		hexPart,
		"v2:" + hexPart,
		"v3:" + hexPart,
		"v01:" + hexPart,
		"v1:" + strings.ToUpper(hexPart),
		"v1:" + hexPart[:63],
		"v1:" + hexPart + "00",
		"v1:" + hexPart[:63] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", hexPart[63])+1)%16]),
	} {
		if kr.VerifyAnchor(msg, bad) {
			t.Errorf("VerifyAnchor accepted %q", bad)
		}
	}
	if kr.VerifyAnchor([]byte("chain head 4f2b"), sig) {
		t.Error("signature verifies a different message")
	}
	if gmcrypto.Generate().VerifyAnchor(msg, sig) {
		t.Error("signature verifies under another keyring")
	}
}

func TestSaveLoad(t *testing.T) {
	kr := gmcrypto.Generate()
	dir := filepath.Join(t.TempDir(), "data", "keys")
	path := filepath.Join(dir, "keyring.json")
	if err := kr.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("file mode %o, want 600", mode)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if mode := di.Mode().Perm(); mode != 0o700 {
		t.Errorf("dir mode %o, want 700", mode)
	}

	loaded, err := gmcrypto.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(loaded.Marshal(), kr.Marshal()) {
		t.Fatal("loaded keyring differs")
	}

	// Saving over a file that was too open leaves it 0600, and no
	// temporary file behind.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := kr.Save(path); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("after overwrite: mode %o, want 600", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want just the keyring", len(entries))
	}

	if _, err := gmcrypto.Load(filepath.Join(dir, "missing.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: err = %v, want fs.ErrNotExist", err)
	}
}

func TestMarshalFormat(t *testing.T) {
	kr, err := gmcrypto.Parse([]byte(fmt.Sprintf(`{
		"pii":   [{"id": 3, "key": %q}, {"id": 1, "key": %q}],
		"index": [{"id": 1, "key": %q}],
		"audit": [{"id": 1, "key": %q}]}`,
		strings.Repeat("ab", 16), strings.ToUpper(piiKey), indexKey, auditKey)))
	if err != nil {
		t.Fatal(err)
	}
	// The active key is the highest id, wherever it appears in the file.
	if id := kr.ActiveKeyID(gmcrypto.PurposePII); id != 3 {
		t.Fatalf("active pii key %d, want 3", id)
	}
	want := `{
  "pii": [
    {
      "id": 1,
      "key": "00112233445566778899aabbccddeeff"
    },
    {
      "id": 3,
      "key": "abababababababababababababababab"
    }
  ],
  "index": [
    {
      "id": 1,
      "key": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    }
  ],
  "audit": [
    {
      "id": 1,
      "key": "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    }
  ]
}
`
	if got := string(kr.Marshal()); got != want {
		t.Fatalf("Marshal =\n%s\nwant\n%s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	k16, k32 := strings.Repeat("5a", 16), strings.Repeat("5a", 32)
	good := func(pii, index, audit string) string {
		return fmt.Sprintf(`{"pii":%s,"index":%s,"audit":%s}`, pii, index, audit)
	}
	one := func(k string) string { return fmt.Sprintf(`[{"id":1,"key":%q}]`, k) }
	tests := []struct {
		name, in, field, msg string
	}{
		{"not json", `pii=1`, "", "not valid JSON"},
		{"empty", ``, "", "not valid JSON"},
		{"array", `[]`, "", "not valid JSON"},
		{"trailing", good(one(k16), one(k32), one(k32)) + `{}`, "", "data after the JSON object"},
		{"misspelt purpose", `{"piis":` + one(k16) + `}`, "", "unknown field"},
		{"unknown key field", good(`[{"id":1,"key":"`+k16+`","note":"x"}]`, one(k32), one(k32)), "", "unknown field"},
		{"id as string", good(`[{"id":"1","key":"`+k16+`"}]`, one(k32), one(k32)), "", "not valid JSON"},
		{"no purposes", `{}`, "pii", "no pii keys"},
		{"empty pii", good(`[]`, one(k32), one(k32)), "pii", "no pii keys"},
		{"null index", good(one(k16), `null`, one(k32)), "index", "no index keys"},
		{"missing audit", `{"pii":` + one(k16) + `,"index":` + one(k32) + `}`, "audit", "no audit keys"},
		{"id zero", good(`[{"id":0,"key":"`+k16+`"}]`, one(k32), one(k32)), "pii[0].id", "key id must be between 1 and"},
		{"id missing", good(`[{"key":"`+k16+`"}]`, one(k32), one(k32)), "pii[0].id", "key id must be between 1 and"},
		{"id negative", good(one(k16), `[{"id":1,"key":"`+k32+`"},{"id":-2,"key":"`+k32+`"}]`, one(k32)), "index[1].id", "key id must be between"},
		{"id huge", good(one(k16), one(k32), `[{"id":4294967296,"key":"`+k32+`"}]`), "audit[0].id", "key id must be between"},
		{"duplicate id", good(`[{"id":1,"key":"`+k16+`"},{"id":1,"key":"`+k16+`"}]`, one(k32), one(k32)), "pii[1].id", "duplicate pii key id 1"},
		{"pii key short", good(one(k16[:30]), one(k32), one(k32)), "pii[0].key", "pii key must be 32 hex digits (16 bytes)"},
		{"pii key 32 bytes", good(one(k32), one(k32), one(k32)), "pii[0].key", "pii key must be 32 hex digits"},
		{"index key 16 bytes", good(one(k16), one(k16), one(k32)), "index[0].key", "index key must be 64 hex digits (32 bytes)"},
		{"audit key not hex", good(one(k16), one(k32), one("zz"+k32[2:])), "audit[0].key", "audit key must be 64 hex digits"},
		{"key missing", good(`[{"id":1}]`, one(k32), one(k32)), "pii[0].key", "pii key must be 32 hex digits"},
		{"zero key", good(one(k16), one(k32), one(strings.Repeat("0", 64))), "audit[0].key", "audit key is all zeros"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr, err := gmcrypto.Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("parsed into %v", kr)
			}
			var e *zhudun.Error
			if !errors.As(err, &e) || e.Code != zhudun.EINVALID {
				t.Fatalf("err = %#v, want EINVALID", err)
			}
			if e.Field != tt.field || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("err = %v, want field %q and %q", err, tt.field, tt.msg)
			}
			if strings.Contains(err.Error(), "5a5a") {
				t.Fatalf("error %q contains key material", err)
			}
		})
	}
}

func TestLoadMalformedNamesFileAndField(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keyring.json")
	if err := os.WriteFile(path, []byte(`{"pii":[{"id":1,"key":"00"}],"index":[],"audit":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := gmcrypto.Load(path)
	if zhudun.ErrorCode(err) != zhudun.EINVALID || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "pii[0].key") {
		t.Fatalf("err = %v, want EINVALID naming %s and pii[0].key", err, path)
	}
}

// A Keyring printed by mistake — fmt, a logger — shows no key material.
func TestKeyringStringHidesKeys(t *testing.T) {
	kr := fixedKeyring(t)
	for _, s := range []string{fmt.Sprint(kr), fmt.Sprintf("%+v", kr), fmt.Sprintf("%#v", kr)} {
		for _, k := range []string{piiKey, indexKey, auditKey, "0x0, 0x11"} {
			if strings.Contains(s, k) {
				t.Fatalf("%q shows a key", s)
			}
		}
		if s != "gmcrypto.Keyring{pii:v1 index:v1 audit:v1}" {
			t.Fatalf("String = %q", s)
		}
	}
}

func TestZeroKeyring(t *testing.T) {
	var kr gmcrypto.Keyring
	if _, err := kr.Seal([]byte("x"), nil); zhudun.ErrorCode(err) != zhudun.EINTERNAL {
		t.Fatalf("Seal on zero Keyring: err = %v, want EINTERNAL", err)
	}
	if _, err := kr.Open("sm4gcm:v1:"+strings.Repeat("A", 40), nil); err == nil {
		t.Fatal("Open on zero Keyring succeeded")
	}
	if kr.VerifyAnchor([]byte("x"), "v1:00") {
		t.Fatal("VerifyAnchor on zero Keyring succeeded")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Index on zero Keyring did not panic")
		}
	}()
	kr.Index(gmcrypto.IndexPhone, "13912345678")
}

// Rotation while other goroutines seal and open; run with -race.
func TestConcurrentRotate(t *testing.T) {
	kr := gmcrypto.Generate()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				aad := fmt.Appendf(nil, "%d/%d", g, i)
				s, err := kr.Seal([]byte("v"), aad)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := kr.Open(s, aad); err != nil {
					t.Error(err)
					return
				}
				kr.Index(gmcrypto.IndexIDNo, "11010519491231002X")
				if !kr.VerifyAnchor(aad, kr.SignAnchor(aad)) {
					t.Error("anchor does not verify")
					return
				}
			}
		})
	}
	for range 20 {
		for _, p := range []string{gmcrypto.PurposePII, gmcrypto.PurposeIndex, gmcrypto.PurposeAudit} {
			if _, err := kr.Rotate(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	wg.Wait()
	if id := kr.ActiveKeyID(gmcrypto.PurposePII); id != 21 {
		t.Fatalf("active pii key %d after 20 rotations, want 21", id)
	}
}

func BenchmarkSeal(b *testing.B) {
	kr := gmcrypto.Generate()
	plain, aad := []byte("11010519491231002X"), []byte("suspect/42/id_number")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kr.Seal(plain, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	kr := gmcrypto.Generate()
	aad := []byte("suspect/42/id_number")
	s, _ := kr.Seal([]byte("11010519491231002X"), aad)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kr.Open(s, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIndex(b *testing.B) {
	kr := gmcrypto.Generate()
	b.ReportAllocs()
	for b.Loop() {
		kr.Index(gmcrypto.IndexPhone, "13912345678")
	}
}

func BenchmarkSM3Hex(b *testing.B) {
	prev, entry := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 300)
	b.ReportAllocs()
	for b.Loop() {
		gmcrypto.SM3Hex(prev, entry)
	}
}
