package gmcrypto_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
)

// busKeyring has the fixed keys plus bus key 0xaa… and backup key 0xbb….
func busKeyring(t testing.TB) *gmcrypto.Keyring {
	t.Helper()
	kr, err := gmcrypto.Parse([]byte(fmt.Sprintf(
		`{"pii":[{"id":1,"key":%q}],"index":[{"id":1,"key":%q}],"audit":[{"id":1,"key":%q}],"bus":[{"id":1,"key":%q}],"backup":[{"id":1,"key":%q}]}`,
		piiKey, indexKey, auditKey, strings.Repeat("aa", 32), strings.Repeat("bb", 16))))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// The tag is HMAC-SM3 under HMAC-SM3(bus key, "zhudun bus mac"). The
// expected value was computed with OpenSSL, not with this package:
//
//	k=$(printf 'zhudun bus mac' | openssl dgst -sm3 -mac HMAC -macopt hexkey:aaaa…aa | awk '{print $NF}')
//	printf 'zhudun.events.x\0{}' | openssl dgst -sm3 -mac HMAC -macopt hexkey:$k
func TestSignEventVector(t *testing.T) {
	kr := busKeyring(t)
	msg := []byte("zhudun.events.x\x00{}")
	tag, err := kr.SignEvent(msg)
	want := "v1:2173dc11bee49129b2c6c72243a4cb41eb89d0c3902be06cb1d19b8c6e88ef58"
	if err != nil || tag != want {
		t.Fatalf("SignEvent = %q, %v; want %q", tag, err, want)
	}
	if !kr.VerifyEvent(msg, want) {
		t.Error("the vector does not verify")
	}
	for _, bad := range []string{"", "v1", "v1:", want + "0", strings.ToUpper(want[3:]), "v2" + want[2:], "v01" + want[2:],
		"v1:" + strings.Repeat("0", 64), want[:len(want)-1] + "9"} {
		if kr.VerifyEvent(msg, bad) {
			t.Errorf("tag %q verifies", bad)
		}
	}
	if kr.VerifyEvent([]byte("zhudun.events.y\x00{}"), want) {
		t.Error("tag verifies for another message")
	}
	// Another keyring's tag does not verify, though it names key v1 too.
	other, _ := gmcrypto.Generate().SignEvent(msg)
	if kr.VerifyEvent(msg, other) {
		t.Error("another keyring's tag verifies")
	}
	// After a rotation, new tags use v2 and v1's still verify.
	if _, err := kr.Rotate(gmcrypto.PurposeBus); err != nil {
		t.Fatal(err)
	}
	if tag, _ := kr.SignEvent(msg); !strings.HasPrefix(tag, "v2:") || !kr.VerifyEvent(msg, tag) || !kr.VerifyEvent(msg, want) {
		t.Errorf("after rotation: new tag %q; old verifies %v", tag, kr.VerifyEvent(msg, want))
	}
}

func TestSealEventUsesItsOwnKey(t *testing.T) {
	kr := busKeyring(t)
	s, err := kr.SealEvent([]byte(`{"address":"泉城路1号"}`), []byte("e1"))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := kr.OpenEvent(s, []byte("e1")); err != nil || string(p) != `{"address":"泉城路1号"}` {
		t.Fatalf("OpenEvent = %q, %v", p, err)
	}
	if _, err := kr.OpenEvent(s, []byte("e2")); zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Errorf("OpenEvent with another aad = %v, want EINVALID", err)
	}
	// The pii key does not open it, nor the bus key a pii seal.
	if _, err := kr.Open(s, []byte("e1")); err == nil {
		t.Error("the pii key opens a bus seal")
	}
	p, _ := kr.Seal([]byte("x"), nil)
	if _, err := kr.OpenEvent(p, nil); err == nil {
		t.Error("the bus key opens a pii seal")
	}
}

// A keyring written before bus and backup keys parses, reports them
// missing, and gets them with Rotate; Marshal then writes them.
func TestOldKeyringGetsNewPurposes(t *testing.T) {
	kr := fixedKeyring(t)
	if m := kr.Missing(); fmt.Sprint(m) != "[bus backup]" {
		t.Fatalf("Missing = %v, want [bus backup]", m)
	}
	if _, err := kr.SignEvent(nil); zhudun.ErrorCode(err) != zhudun.EINTERNAL {
		t.Errorf("SignEvent without a bus key = %v, want EINTERNAL", err)
	}
	if err := kr.EncryptBackup(&bytes.Buffer{}, bytes.NewReader(nil)); zhudun.ErrorCode(err) != zhudun.EINTERNAL {
		t.Errorf("EncryptBackup without a backup key = %v, want EINTERNAL", err)
	}
	for _, p := range kr.Missing() {
		if id, err := kr.Rotate(p); err != nil || id != 1 {
			t.Fatalf("Rotate(%s) = %d, %v", p, id, err)
		}
	}
	back, err := gmcrypto.Parse(kr.Marshal())
	if err != nil || len(back.Missing()) != 0 || back.String() != "gmcrypto.Keyring{pii:v1 index:v1 audit:v1 bus:v1 backup:v1}" {
		t.Fatalf("round trip: %v %v %s", err, back.Missing(), back)
	}
	if _, err := gmcrypto.Parse([]byte(`{"pii":[{"id":1,"key":"` + piiKey + `"}],"index":[{"id":1,"key":"` + indexKey +
		`"}],"audit":[{"id":1,"key":"` + auditKey + `"}],"bus":[{"id":1,"key":"aa"}]}`)); zhudun.ErrorCode(err) != zhudun.EINVALID ||
		!strings.Contains(err.Error(), "bus") {
		t.Errorf("short bus key: %v", err)
	}
}

func TestBackupRoundTrip(t *testing.T) {
	kr := busKeyring(t)
	marker := []byte("历下区泉城路188号")
	for _, n := range []int{0, 1, 65535, 65536, 65537, 3*65536 + 17} {
		plain := make([]byte, n)
		rand.Read(plain)
		if n > 100 {
			copy(plain[50:], marker)
		}
		var enc bytes.Buffer
		if err := kr.EncryptBackup(&enc, bytes.NewReader(plain)); err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		// Header 21 bytes, then per record 4 + 16 bytes of overhead.
		records := max(1, (n+65535)/65536)
		if n > 0 && n%65536 == 0 {
			records = n / 65536
		}
		if want := 21 + records*20 + n; enc.Len() != want {
			t.Errorf("%d bytes: encrypted %d, want %d", n, enc.Len(), want)
		}
		if bytes.Contains(enc.Bytes(), marker) {
			t.Errorf("%d bytes: the address is in the encrypted backup", n)
		}
		var dec bytes.Buffer
		if err := kr.DecryptBackup(&dec, bytes.NewReader(enc.Bytes())); err != nil || !bytes.Equal(dec.Bytes(), plain) {
			t.Fatalf("%d bytes: decrypt %v, equal %v", n, err, bytes.Equal(dec.Bytes(), plain))
		}
	}
}

func TestBackupTamper(t *testing.T) {
	kr := busKeyring(t)
	plain := bytes.Repeat([]byte("x"), 2*65536+10) // three records
	var enc bytes.Buffer
	if err := kr.EncryptBackup(&enc, bytes.NewReader(plain)); err != nil {
		t.Fatal(err)
	}
	e := enc.Bytes()
	rec := 4 + 65536 + 16
	flip := func(i int) []byte { c := bytes.Clone(e); c[i] ^= 1; return c }
	for _, c := range []struct {
		name string
		data []byte
		code string
	}{
		{"not a backup", []byte("SQLite format 3\x00"), zhudun.EINVALID},
		{"empty", nil, zhudun.EINVALID},
		{"bit flipped in record 2", flip(21 + rec + 100), zhudun.EINVALID},
		{"nonce prefix changed", flip(20), zhudun.EINVALID},
		{"last record dropped", e[:21+2*rec], zhudun.EINVALID},
		{"cut inside a record", e[:21+rec+10], zhudun.EINVALID},
		{"records swapped", append(append(append([]byte{}, e[:21]...), e[21+rec:21+2*rec]...), append(bytes.Clone(e[21:21+rec]), e[21+2*rec:]...)...), zhudun.EINVALID},
		{"data appended", append(bytes.Clone(e), 0), zhudun.EINVALID},
		{"unknown key id", func() []byte { c := bytes.Clone(e); c[12] = 9; return c }(), zhudun.EINTERNAL},
	} {
		err := kr.DecryptBackup(&bytes.Buffer{}, bytes.NewReader(c.data))
		if zhudun.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	// Another keyring's backup key v1 does not open it.
	if err := gmcrypto.Generate().DecryptBackup(&bytes.Buffer{}, bytes.NewReader(e)); zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Errorf("another keyring: %v, want EINVALID", err)
	}
}

// The binary seal (the ingest stream's format 2): the key id as a uvarint,
// then 12 bytes of nonce, the ciphertext and a 16-byte tag; it opens with
// its aad only, under the bus key that sealed it (also after a rotation),
// and not with any key of another keyring or purpose.
func TestSealEventRaw(t *testing.T) {
	kr := busKeyring(t)
	plain := []byte(`{"holder":"h:0123"}`)
	s, err := kr.SealEventRaw([]byte("pre"), plain, []byte("m1"))
	if err != nil {
		t.Fatal(err)
	}
	if string(s[:3]) != "pre" || s[3] != 1 || len(s) != 3+1+12+len(plain)+16 || bytes.Contains(s, plain) {
		t.Fatalf("sealed %x: want the prefix, key id 1, nonce, ciphertext and tag", s)
	}
	s = s[3:]
	if p, err := kr.OpenEventRaw([]byte("x"), s, []byte("m1")); err != nil || string(p) != "x"+string(plain) {
		t.Fatalf("OpenEventRaw = %q, %v", p, err)
	}
	if _, err := kr.Rotate(gmcrypto.PurposeBus); err != nil {
		t.Fatal(err)
	}
	if p, err := kr.OpenEventRaw(nil, s, []byte("m1")); err != nil || string(p) != string(plain) {
		t.Fatalf("after rotation the old key's seal = %q, %v", p, err)
	}
	if s2, _ := kr.SealEventRaw(nil, plain, nil); s2[0] != 2 {
		t.Errorf("after rotation sealed under key id %d, want 2", s2[0])
	}
	flip := bytes.Clone(s)
	flip[len(flip)-1] ^= 0x80
	for name, c := range map[string]struct {
		kr       *gmcrypto.Keyring
		sealed   []byte
		aad      string
		wantCode string
	}{
		"other aad":     {kr, s, "m2", zhudun.EINVALID},
		"tag flipped":   {kr, flip, "m1", zhudun.EINVALID},
		"short":         {kr, s[:20], "m1", zhudun.EINVALID},
		"unknown key":   {kr, append([]byte{9}, s[1:]...), "m1", zhudun.EINVALID},
		"other keyring": {gmcrypto.Generate(), s, "m1", zhudun.EINVALID},
		"empty":         {kr, nil, "m1", zhudun.EINVALID},
	} {
		if p, err := c.kr.OpenEventRaw(nil, c.sealed, []byte(c.aad)); zhudun.ErrorCode(err) != c.wantCode {
			t.Errorf("%s: %q, %v", name, p, err)
		}
	}
}
