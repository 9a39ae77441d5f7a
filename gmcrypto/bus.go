package gmcrypto

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/emmansun/gmsm/sm3"

	"github.com/zhudun/zhudun"
)

// derive returns HMAC-SM3(secret, label): a key for one use of a secret
// that serves several.
func derive(secret []byte, label string) []byte {
	m := hmac.New(sm3.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// SignEvent returns the tag of a bus message: "v<keyid>:<hex>" of HMAC-SM3
// under the active bus key over msg (the caller frames subject and payload
// unambiguously). Errors are EINTERNAL when the keyring has no bus key.
func (kr *Keyring) SignEvent(msg []byte) (string, error) {
	k := kr.active(PurposeBus)
	if k == nil {
		return "", zhudun.Errorf(zhudun.EINTERNAL, "gmcrypto: keyring has no bus key")
	}
	return eventTag(k, msg), nil
}

// VerifyEvent reports whether tag is SignEvent's tag of msg under the bus
// key it names. A tag under a key that is not in the keyring, or in any
// other spelling, does not verify.
func (kr *Keyring) VerifyEvent(msg []byte, tag string) bool {
	v, _, ok := strings.Cut(tag, ":")
	if !ok {
		return false
	}
	id, ok := parseKeyID(v)
	if !ok {
		return false
	}
	k := kr.byID(PurposeBus, id)
	if k == nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(eventTag(k, msg)), []byte(tag)) == 1
}

func eventTag(k *key, msg []byte) string {
	m := hmac.New(sm3.New, k.mac)
	m.Write(msg)
	return formatKeyID(k.id) + ":" + hex.EncodeToString(m.Sum(nil))
}

// SealEvent seals an event payload with SM4-GCM under the cipher key
// derived from the active bus key, in Seal's text form, so that the bus's
// store (JetStream block files, an external cluster's disks) holds no clear
// personal data. aad binds it to its message, as for Seal.
func (kr *Keyring) SealEvent(plaintext, aad []byte) (string, error) {
	return kr.sealWith(PurposeBus, plaintext, aad)
}

// OpenEvent opens what SealEvent sealed. Errors are as for Open.
func (kr *Keyring) OpenEvent(sealed string, aad []byte) ([]byte, error) {
	return kr.openWith(PurposeBus, sealed, aad)
}

// SealEventRaw is SealEvent in binary form, for bus messages whose body is
// bytes rather than text (the ingest stream's, format 2): it appends to dst
// the key id as a uvarint, then nonce|ciphertext|tag of SM4-GCM under the
// active bus cipher key. No base64 and no separate MAC: the GCM tag over
// the ciphertext and aad is the message's authentication (docs/ingest.md,
// "What the bus key guarantees").
func (kr *Keyring) SealEventRaw(dst, plaintext, aad []byte) ([]byte, error) {
	k := kr.active(PurposeBus)
	if k == nil {
		return nil, zhudun.Errorf(zhudun.EINTERNAL, "gmcrypto: keyring has no bus key")
	}
	dst = binary.AppendUvarint(dst, uint64(k.id))
	n := len(dst)
	dst = slices.Grow(dst, nonceSize+len(plaintext)+tagSize)[:n+nonceSize]
	rand.Read(dst[n:]) // never fails; see randomBytes
	return k.aead.Seal(dst, dst[n:n+nonceSize], plaintext, aad), nil
}

// OpenEventRaw opens what SealEventRaw sealed, appending the plaintext to
// dst. Errors: EINVALID if sealed is malformed, names a bus key the
// keyring does not hold (a key id is not a secret: anyone can write one)
// or fails authentication (tampered, wrong aad, sealed under another
// keyring).
func (kr *Keyring) OpenEventRaw(dst, sealed, aad []byte) ([]byte, error) {
	id, n := binary.Uvarint(sealed)
	if n <= 0 || id > maxKeyID || len(sealed)-n < nonceSize+tagSize {
		return nil, zhudun.Errorf(zhudun.EINVALID, "gmcrypto: malformed sealed value")
	}
	k := kr.byID(PurposeBus, int(id))
	if k == nil {
		return nil, zhudun.Errorf(zhudun.EINVALID, "gmcrypto: sealed under bus key v%d, which is not in the keyring", id)
	}
	data := sealed[n:]
	plain, err := k.aead.Open(dst, data[:nonceSize], data[nonceSize:], aad)
	if err != nil {
		return nil, zhudun.Errorf(zhudun.EINVALID, "gmcrypto: sealed value failed authentication (tampered, wrong aad, or wrong key)")
	}
	return plain, nil
}
