package gmcrypto

import (
	"crypto/hmac"
	"crypto/subtle"
	"encoding/hex"
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
