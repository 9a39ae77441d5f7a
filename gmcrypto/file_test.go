package gmcrypto_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
)

// TestFileEncryption: a file round-trips under its key and name; another
// key, another name, an altered byte, a cut record or a record dropped
// does not open; the ciphertext does not hold the plaintext.
func TestFileEncryption(t *testing.T) {
	key := gmcrypto.NewFileKey()
	plain := []byte(strings.Repeat("询问笔录：张三 370102199003071234。", 8000)) // several 64 KiB records
	var enc bytes.Buffer
	if err := gmcrypto.EncryptFile(&enc, bytes.NewReader(plain), key, []byte("blob-a")); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(enc.Bytes(), []byte("370102199003071234")) {
		t.Fatal("the ciphertext holds the plaintext")
	}
	var out bytes.Buffer
	if err := gmcrypto.DecryptFile(&out, bytes.NewReader(enc.Bytes()), key, []byte("blob-a")); err != nil || !bytes.Equal(out.Bytes(), plain) {
		t.Fatalf("round trip: %v", err)
	}
	flip := bytes.Clone(enc.Bytes())
	flip[len(flip)/2] ^= 1
	for name, c := range map[string]struct {
		data      []byte
		key, name []byte
	}{
		"other key":       {enc.Bytes(), gmcrypto.NewFileKey(), []byte("blob-a")},
		"other name":      {enc.Bytes(), key, []byte("blob-b")},
		"altered byte":    {flip, key, []byte("blob-a")},
		"truncated":       {enc.Bytes()[:enc.Len()-100], key, []byte("blob-a")},
		"cut at a record": {enc.Bytes()[:17+4+64<<10+16], key, []byte("blob-a")},
		"not a file":      {[]byte("ZHUDUNBK\x01"), key, []byte("blob-a")},
	} {
		var sink bytes.Buffer
		if err := gmcrypto.DecryptFile(&sink, bytes.NewReader(c.data), c.key, c.name); zhudun.ErrorCode(err) != zhudun.EINVALID {
			t.Errorf("%s: %v; want EINVALID", name, err)
		}
	}
	// an empty file is one empty record
	enc.Reset()
	out.Reset()
	if err := gmcrypto.EncryptFile(&enc, bytes.NewReader(nil), key, nil); err != nil {
		t.Fatal(err)
	}
	if err := gmcrypto.DecryptFile(&out, &enc, key, nil); err != nil || out.Len() != 0 {
		t.Fatalf("empty: %v %d", err, out.Len())
	}
}
