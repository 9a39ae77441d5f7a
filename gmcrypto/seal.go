package gmcrypto

import (
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/zhudun/zhudun"
)

// sealPrefix names the algorithm, so that a future change of algorithm can
// live beside existing data.
const sealPrefix = "sm4gcm:"

const (
	nonceSize = 12
	tagSize   = 16
)

// b64 is base64url without padding; Strict rejects non-zero padding bits so
// that every sealed value has exactly one text form.
var b64 = base64.RawURLEncoding.Strict()

// Seal encrypts plaintext with SM4-GCM under the active pii key and returns
// "sm4gcm:v<keyid>:<base64url(nonce|ciphertext|tag)>". The nonce is 12
// random bytes, so one key should seal no more than about 2^32 values; rotate
// long before that.
//
// aad is authenticated but not stored: pass what binds the value to its
// place, such as table, column and row id, so a sealed value copied to
// another row fails to open. The same aad must be passed to Open.
func (kr *Keyring) Seal(plaintext, aad []byte) (string, error) {
	return kr.sealWith(PurposePII, plaintext, aad)
}

func (kr *Keyring) sealWith(purpose string, plaintext, aad []byte) (string, error) {
	k := kr.active(purpose)
	if k == nil {
		return "", zhudun.Errorf(zhudun.EINTERNAL, "gmcrypto: keyring has no %s key", purpose)
	}
	buf := make([]byte, nonceSize, nonceSize+len(plaintext)+tagSize)
	rand.Read(buf) // never fails; see randomBytes
	buf = k.aead.Seal(buf, buf[:nonceSize], plaintext, aad)
	return sealPrefix + formatKeyID(k.id) + ":" + b64.EncodeToString(buf), nil
}

// Open decrypts a value made by Seal, with the key whose id it names, and
// checks it against aad.
//
// Errors: EINVALID if the text is malformed or fails authentication
// (tampered, wrong aad, or sealed by a different keyring); EINTERNAL if the
// key it names is not in the keyring, which is a deployment problem.
func (kr *Keyring) Open(sealed string, aad []byte) ([]byte, error) {
	return kr.openWith(PurposePII, sealed, aad)
}

func (kr *Keyring) openWith(purpose, sealed string, aad []byte) ([]byte, error) {
	id, body, ok := splitSealed(sealed)
	if !ok {
		return nil, zhudun.Errorf(zhudun.EINVALID, "gmcrypto: malformed sealed value")
	}
	data, err := b64.DecodeString(body)
	if err != nil || len(data) < nonceSize+tagSize {
		return nil, zhudun.Errorf(zhudun.EINVALID, "gmcrypto: malformed sealed value")
	}
	k := kr.byID(purpose, id)
	if k == nil {
		return nil, zhudun.Errorf(zhudun.EINTERNAL, "gmcrypto: %s key v%d is not in the keyring", purpose, id)
	}
	plain, err := k.aead.Open(nil, data[:nonceSize], data[nonceSize:], aad)
	if err != nil {
		return nil, zhudun.Errorf(zhudun.EINVALID, "gmcrypto: sealed value failed authentication (tampered, wrong aad, or wrong key)")
	}
	return plain, nil
}

// NeedsRotation reports whether sealed was not sealed with the active pii
// key, i.e. a rotation job should Open it and Seal it again. Malformed text
// also reports true, so such a job surfaces it (Open will say what is wrong)
// rather than skip it.
func (kr *Keyring) NeedsRotation(sealed string) bool {
	id, _, ok := splitSealed(sealed)
	return !ok || id != kr.ActiveKeyID(PurposePII)
}

// splitSealed splits "sm4gcm:v<id>:<body>" without decoding the body.
func splitSealed(s string) (id int, body string, ok bool) {
	rest, ok := strings.CutPrefix(s, sealPrefix)
	if !ok {
		return 0, "", false
	}
	v, body, ok := strings.Cut(rest, ":")
	if !ok {
		return 0, "", false
	}
	id, ok = parseKeyID(v)
	return id, body, ok
}
