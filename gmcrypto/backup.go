package gmcrypto

import (
	"bufio"
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"

	"github.com/zhudun/zhudun"
)

// The encrypted backup format: a header, then records of at most
// backupChunk plaintext bytes each sealed with SM4-GCM under the backup key.
//
//	header:  "ZHUDUNBK" | version 1 | key id (4 bytes BE) | nonce prefix (8 random bytes)
//	record:  length (4 bytes BE; top bit set on the last record) | ciphertext+tag
//
// Each record's nonce is the prefix and its index (4 bytes BE), and its
// additional data is the header, the index and the last-record flag, so
// records cannot be reordered, dropped, truncated at a record boundary, or
// moved between backups without failing authentication.
const (
	backupMagic   = "ZHUDUNBK"
	backupVersion = 1
	backupHeader  = len(backupMagic) + 1 + 4 + 8
	backupChunk   = 64 << 10
	lastRecord    = 1 << 31
)

// EncryptBackup writes src to dst encrypted under the active backup key.
// Errors are EINTERNAL when the keyring has no backup key, or the reader's
// or writer's error.
func (kr *Keyring) EncryptBackup(dst io.Writer, src io.Reader) error {
	k := kr.active(PurposeBackup)
	if k == nil {
		return zhudun.Errorf(zhudun.EINTERNAL, "gmcrypto: keyring has no backup key")
	}
	hdr := make([]byte, backupHeader)
	copy(hdr, backupMagic)
	hdr[len(backupMagic)] = backupVersion
	binary.BigEndian.PutUint32(hdr[len(backupMagic)+1:], uint32(k.id))
	rand.Read(hdr[len(backupMagic)+5:])
	if _, err := dst.Write(hdr); err != nil {
		return err
	}
	return sealRecords(k.aead, hdr, hdr[len(backupMagic)+5:], nil, dst, src)
}

// sealRecords writes src to dst as records of at most backupChunk bytes
// sealed with aead: nonce prefix|index, additional data
// hdr|index|last-flag|extra (extra empty for backups, so their format is as
// it was).
func sealRecords(aead cipher.AEAD, hdr, prefix, extra []byte, dst io.Writer, src io.Reader) error {
	br := bufio.NewReaderSize(src, backupChunk)
	chunk := make([]byte, backupChunk)
	out := make([]byte, 4, 4+backupChunk+tagSize)
	for i := uint32(0); ; i++ {
		n, err := io.ReadFull(br, chunk)
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return err
		}
		// The last record is the one after which nothing is left; an
		// empty source gives one empty last record.
		last := err != nil
		if !last {
			if _, perr := br.Peek(1); perr == io.EOF {
				last = true
			} else if perr != nil {
				return perr
			}
		}
		if i == lastRecord-1 && !last {
			return errors.New("gmcrypto: stream too large")
		}
		out = aead.Seal(out[:4], recordNonce(prefix, i), chunk[:n], recordAAD(hdr, i, last, extra))
		l := uint32(len(out) - 4)
		if last {
			l |= lastRecord
		}
		binary.BigEndian.PutUint32(out, l)
		if _, err := dst.Write(out); err != nil {
			return err
		}
		if last {
			return nil
		}
	}
}

// DecryptBackup writes to dst what EncryptBackup encrypted, record by
// record: on an error dst holds a prefix that must be discarded. Errors are
// EINVALID when src is not a zhudun backup or fails authentication
// (altered, truncated, or under another keyring's key), EINTERNAL when the
// backup key it names is not in the keyring.
func (kr *Keyring) DecryptBackup(dst io.Writer, src io.Reader) error {
	hdr := make([]byte, backupHeader)
	if _, err := io.ReadFull(src, hdr); err != nil || !bytes.HasPrefix(hdr, []byte(backupMagic)) {
		return zhudun.Errorf(zhudun.EINVALID, "not an encrypted zhudun backup")
	}
	if hdr[len(backupMagic)] != backupVersion {
		return zhudun.Errorf(zhudun.EINVALID, "backup format version %d is not known to this zhudun", hdr[len(backupMagic)])
	}
	id := int(binary.BigEndian.Uint32(hdr[len(backupMagic)+1:]))
	k := kr.byID(PurposeBackup, id)
	if k == nil {
		return zhudun.Errorf(zhudun.EINTERNAL, "backup is encrypted under backup key v%d, which is not in the keyring", id)
	}
	return openRecords(k.aead, hdr, hdr[len(backupMagic)+5:], nil, dst, src, "backup")
}

// openRecords reads what sealRecords wrote; what names the stream in
// errors.
func openRecords(aead cipher.AEAD, hdr, prefix, extra []byte, dst io.Writer, src io.Reader, what string) error {
	buf := make([]byte, backupChunk+tagSize)
	var lenb [4]byte
	for i := uint32(0); ; i++ {
		if _, err := io.ReadFull(src, lenb[:]); err != nil {
			return zhudun.Errorf(zhudun.EINVALID, "%s is truncated (record %d missing)", what, i)
		}
		l := binary.BigEndian.Uint32(lenb[:])
		last := l&lastRecord != 0
		l &^= lastRecord
		if l < tagSize || l > backupChunk+tagSize {
			return zhudun.Errorf(zhudun.EINVALID, "%s record %d has a bad length", what, i)
		}
		if _, err := io.ReadFull(src, buf[:l]); err != nil {
			return zhudun.Errorf(zhudun.EINVALID, "%s is truncated (record %d)", what, i)
		}
		plain, err := aead.Open(buf[:0], recordNonce(prefix, i), buf[:l], recordAAD(hdr, i, last, extra))
		if err != nil {
			return zhudun.Errorf(zhudun.EINVALID, "%s record %d fails authentication: altered, or not this keyring's", what, i)
		}
		if _, err := dst.Write(plain); err != nil {
			return err
		}
		if last {
			var one [1]byte
			if n, _ := src.Read(one[:]); n > 0 {
				return zhudun.Errorf(zhudun.EINVALID, "data after the last %s record", what)
			}
			return nil
		}
	}
}

func recordNonce(prefix []byte, i uint32) []byte {
	n := make([]byte, nonceSize)
	copy(n, prefix)
	binary.BigEndian.PutUint32(n[8:], i)
	return n
}

func recordAAD(hdr []byte, i uint32, last bool, extra []byte) []byte {
	a := make([]byte, 0, len(hdr)+5+len(extra))
	a = append(a, hdr...)
	a = binary.BigEndian.AppendUint32(a, i)
	if last {
		a = append(a, 1)
	} else {
		a = append(a, 0)
	}
	return append(a, extra...)
}
