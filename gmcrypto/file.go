package gmcrypto

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"hash"
	"io"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"

	"github.com/zhudun/zhudun"
)

// Files (case attachments) are encrypted each under a key of its own, which
// the caller keeps sealed with Seal: rotating the pii key then re-seals 16
// bytes per file, never the file. The format is the backup's records
// behind its own header:
//
//	header: "ZHUDUNFL" | version 1 | nonce prefix (8 random bytes)
//
// and each record's additional data ends with the caller's aad (the blob's
// name), so that a file copied under another name does not open.
const (
	fileMagic   = "ZHUDUNFL"
	fileVersion = 1
	fileHeader  = len(fileMagic) + 1 + 8
	// FileKeySize is the length of a file key (SM4).
	FileKeySize = 16
)

// NewFileKey returns a fresh random key for one file.
func NewFileKey() []byte { return randomBytes(FileKeySize) }

func fileAEAD(key []byte) (cipher.AEAD, error) {
	block, err := sm4.NewCipher(key)
	if err != nil {
		return nil, zhudun.Errorf(zhudun.EINTERNAL, "gmcrypto: bad file key")
	}
	return cipher.NewGCM(block)
}

// EncryptFile writes src to dst encrypted with SM4-GCM under key, bound to
// aad.
func EncryptFile(dst io.Writer, src io.Reader, key, aad []byte) error {
	aead, err := fileAEAD(key)
	if err != nil {
		return err
	}
	hdr := make([]byte, fileHeader)
	copy(hdr, fileMagic)
	hdr[len(fileMagic)] = fileVersion
	rand.Read(hdr[len(fileMagic)+1:])
	if _, err := dst.Write(hdr); err != nil {
		return err
	}
	return sealRecords(aead, hdr, hdr[len(fileMagic)+1:], aad, dst, src)
}

// DecryptFile writes to dst what EncryptFile wrote; on an error dst holds
// a prefix to discard. Errors: EINVALID when src is not such a file or
// fails authentication (altered, truncated, another key or aad).
func DecryptFile(dst io.Writer, src io.Reader, key, aad []byte) error {
	aead, err := fileAEAD(key)
	if err != nil {
		return err
	}
	hdr := make([]byte, fileHeader)
	if _, err := io.ReadFull(src, hdr); err != nil || !bytes.HasPrefix(hdr, []byte(fileMagic)) || hdr[len(fileMagic)] != fileVersion {
		return zhudun.Errorf(zhudun.EINVALID, "not an encrypted zhudun file")
	}
	return openRecords(aead, hdr, hdr[len(fileMagic)+1:], aad, dst, src, "file")
}

// NewSM3 returns an SM3 hash (GB/T 32905) of plain content, for the
// digest recorded with a file.
func NewSM3() hash.Hash { return sm3.New() }
