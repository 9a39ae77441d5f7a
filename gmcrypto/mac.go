package gmcrypto

import (
	"crypto/hmac"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"strings"

	"github.com/emmansun/gmsm/sm3"
)

// Kinds of blind index. Each kind is a separate domain: the same digits
// indexed as a phone and as an ID number give unrelated values.
const (
	IndexPhone = "phone" // pii.NormalizePhone output
	IndexIDNo  = "idno"  // pii.NormalizeIDNumber output
)

// Index returns the blind index of a normalised value: lowercase hex of
// HMAC-SM3 under the active index key over the length-prefixed kind and
// value (see SM3Hex for the framing). Equal inputs give equal indexes, so a
// store can find "every record with this phone number" without being able
// to read the numbers; normalise first, or two spellings will not match.
//
// Rotating the index key changes every index: after Rotate(PurposeIndex) the
// stored indexes must be recomputed from the sealed values (ActiveKeyID
// tells which key a stored index was made with), and until that is done a
// search under the new key misses rows still indexed under the old one.
func (kr *Keyring) Index(kind, normalized string) string {
	k := kr.mustActive(PurposeIndex)
	m := hmac.New(sm3.New, k.raw)
	writePart(m, []byte(kind))
	writePart(m, []byte(normalized))
	return hex.EncodeToString(m.Sum(nil))
}

// SignAnchor signs an audit-chain anchor (typically the chain head hash)
// with HMAC-SM3 under the active audit key. The result is "v<keyid>:<hex>",
// so anchors signed before a rotation still verify after it.
func (kr *Keyring) SignAnchor(msg []byte) string {
	return anchorSig(kr.mustActive(PurposeAudit), msg)
}

// VerifyAnchor reports whether sig is SignAnchor's signature of msg under
// any audit key in the keyring, the one named in sig.
func (kr *Keyring) VerifyAnchor(msg []byte, sig string) bool {
	v, _, ok := strings.Cut(sig, ":")
	if !ok {
		return false
	}
	id, ok := parseKeyID(v)
	if !ok {
		return false
	}
	k := kr.byID(PurposeAudit, id)
	if k == nil {
		return false
	}
	// Comparing whole texts, in constant time, accepts only the one
	// canonical spelling (lowercase hex).
	return subtle.ConstantTimeCompare([]byte(anchorSig(k, msg)), []byte(sig)) == 1
}

func anchorSig(k *key, msg []byte) string {
	m := hmac.New(sm3.New, k.raw)
	m.Write(msg)
	return formatKeyID(k.id) + ":" + hex.EncodeToString(m.Sum(nil))
}

// SM3Hex returns the lowercase hex SM3 digest of parts, each preceded by its
// length as 8 bytes big-endian. The prefix makes the encoding unambiguous:
// ("ab", "c") and ("a", "bc") hash differently, which a plain concatenation
// would not, and the audit chain relies on that to bind each field to its
// place. The format is persisted in the chain and must never change.
func SM3Hex(parts ...[]byte) string {
	h := sm3.New()
	for _, p := range parts {
		writePart(h, p)
	}
	var sum [sm3.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

func writePart(h hash.Hash, p []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(p)))
	h.Write(n[:])
	h.Write(p)
}
