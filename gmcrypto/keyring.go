// Package gmcrypto is the adapter over github.com/emmansun/gmsm: it holds the
// platform's keys and the few Chinese national-standard (GM/T) primitives the
// platform uses — SM4-GCM to seal personal information at rest, HMAC-SM3 for
// blind indexes and audit anchors, and SM3 for the audit hash chain.
//
// Keys live in one Keyring with three purposes, each a list of numbered
// keys. The key with the highest id is the active one and is used for
// everything new; older keys stay so that data written under them can still
// be read or verified. Sealed values and anchor signatures carry the id of
// their key, which is what lets a rotation job find and rewrite old data.
package gmcrypto

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/emmansun/gmsm/sm4"

	"github.com/zhudun/zhudun"
)

// Key purposes, the top-level fields of the keyring file. Each purpose has
// its own keys so that a leak or rotation of one does not touch the others.
const (
	PurposePII   = "pii"   // SM4 keys (16 bytes) that seal personal information
	PurposeIndex = "index" // HMAC-SM3 keys (32 bytes) for blind indexes
	PurposeAudit = "audit" // HMAC-SM3 keys (32 bytes) that sign audit-chain anchors
	// PurposeBus keys (32 bytes) protect events on the bus: an HMAC-SM3 tag
	// over each message and an SM4-GCM seal of its payload, under two keys
	// derived from the one in the file (see bus.go).
	PurposeBus = "bus"
	// PurposeBackup keys (16 bytes) encrypt backup files with SM4-GCM.
	PurposeBackup = "backup"
)

// purposes in file order, with their key lengths in bytes. Purposes added
// after the first release are optional in a file, so that keyrings written
// before them still parse; Missing names them and the caller adds a key
// (Rotate) before use.
var purposes = []struct {
	name     string
	size     int
	optional bool
}{
	{PurposePII, 16, false},
	{PurposeIndex, 32, false},
	{PurposeAudit, 32, false},
	{PurposeBus, 32, true},
	{PurposeBackup, 16, true},
}

// maxKeyID bounds key ids so the "v<id>" in sealed text stays short and
// parses without overflow on any platform.
const maxKeyID = 1<<31 - 1

// Keyring holds the keys of all purposes. Get one from Generate, Load or
// Parse; the zero Keyring has no keys and is not usable. A Keyring is safe
// for concurrent use, including Rotate while other goroutines seal or open.
type Keyring struct {
	mu   sync.RWMutex
	sets map[string]*keySet
}

// keySet is the keys of one purpose in ascending id order; the last is the
// active one.
type keySet struct {
	keys []*key
}

// key is immutable once built, so readers may use it after releasing the
// Keyring's lock.
type key struct {
	id   int
	raw  []byte
	aead cipher.AEAD // SM4-GCM, for pii, backup and bus keys; built once, not per Seal
	mac  []byte      // HMAC-SM3 key derived for bus keys
}

func (s *keySet) active() *key {
	if s == nil || len(s.keys) == 0 {
		return nil
	}
	return s.keys[len(s.keys)-1]
}

func (s *keySet) byID(id int) *key {
	if s == nil {
		return nil
	}
	for _, k := range s.keys {
		if k.id == id {
			return k
		}
	}
	return nil
}

func newKey(purpose string, id int, raw []byte) (*key, error) {
	k := &key{id: id, raw: raw}
	sealKey := raw
	if purpose == PurposeBus {
		// One secret, two uses: derive separate keys so that the MAC key
		// and the cipher key are never the same bytes.
		k.mac = derive(raw, "zhudun bus mac")
		sealKey = derive(raw, "zhudun bus seal")[:16]
	}
	if purpose == PurposePII || purpose == PurposeBackup || purpose == PurposeBus {
		block, err := sm4.NewCipher(sealKey)
		if err != nil {
			return nil, err
		}
		// The standard 12-byte nonce and 16-byte tag.
		if k.aead, err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// Generate returns a new Keyring with one fresh random key, id 1, for each
// purpose. It is what a first start writes with Save.
func Generate() *Keyring {
	kr := &Keyring{sets: make(map[string]*keySet)}
	for _, p := range purposes {
		k, err := newKey(p.name, 1, randomBytes(p.size))
		if err != nil {
			panic("gmcrypto: " + err.Error()) // key sizes are constants
		}
		kr.sets[p.name] = &keySet{keys: []*key{k}}
	}
	return kr
}

// randomBytes reads from crypto/rand, which never fails on supported
// platforms (it crashes the program rather than return weak bytes).
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// keyringFile is the JSON form of a Keyring.
type keyringFile struct {
	PII    []fileKey `json:"pii"`
	Index  []fileKey `json:"index"`
	Audit  []fileKey `json:"audit"`
	Bus    []fileKey `json:"bus,omitempty"`
	Backup []fileKey `json:"backup,omitempty"`
}

type fileKey struct {
	ID  int    `json:"id"`
	Key string `json:"key"`
}

func (f *keyringFile) list(purpose string) *[]fileKey {
	switch purpose {
	case PurposePII:
		return &f.PII
	case PurposeIndex:
		return &f.Index
	case PurposeBus:
		return &f.Bus
	case PurposeBackup:
		return &f.Backup
	default:
		return &f.Audit
	}
}

// Load reads and parses the keyring file at path (see Parse for the format).
// A missing file gives an error that matches fs.ErrNotExist, so the caller
// can decide to Generate and Save a new keyring instead.
func Load(path string) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gmcrypto: load keyring: %w", err)
	}
	kr, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return kr, nil
}

// Parse reads a keyring from its JSON form:
//
//	{"pii":   [{"id": 1, "key": "<32 hex digits>"}, ...],
//	 "index": [{"id": 1, "key": "<64 hex digits>"}],
//	 "audit": [{"id": 1, "key": "<64 hex digits>"}]}
//
// Every purpose needs at least one key; ids are positive and unique within a
// purpose. Unknown fields are rejected, because a misspelt purpose would
// otherwise look like a missing one. Errors are EINVALID and name the field,
// e.g. "pii[1].key"; they never contain key material.
func Parse(data []byte) (*Keyring, error) {
	var f keyringFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, zhudun.Errorf(zhudun.EINVALID, "keyring: not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, zhudun.Errorf(zhudun.EINVALID, "keyring: data after the JSON object")
	}

	kr := &Keyring{sets: make(map[string]*keySet)}
	for _, p := range purposes {
		list := *f.list(p.name)
		if len(list) == 0 && p.optional {
			continue
		}
		if len(list) == 0 {
			return nil, zhudun.FieldError(p.name, "keyring: no %s keys", p.name)
		}
		set := &keySet{}
		for i, fk := range list {
			field := fmt.Sprintf("%s[%d]", p.name, i)
			if fk.ID < 1 || fk.ID > maxKeyID {
				return nil, zhudun.FieldError(field+".id", "keyring: key id must be between 1 and %d", maxKeyID)
			}
			if set.byID(fk.ID) != nil {
				return nil, zhudun.FieldError(field+".id", "keyring: duplicate %s key id %d", p.name, fk.ID)
			}
			raw, err := hex.DecodeString(fk.Key)
			if err != nil || len(raw) != p.size {
				return nil, zhudun.FieldError(field+".key", "keyring: %s key must be %d hex digits (%d bytes)", p.name, 2*p.size, p.size)
			}
			// An all-zero key is a template placeholder left in place, not
			// a secret.
			if !slices.ContainsFunc(raw, func(b byte) bool { return b != 0 }) {
				return nil, zhudun.FieldError(field+".key", "keyring: %s key is all zeros", p.name)
			}
			k, err := newKey(p.name, fk.ID, raw)
			if err != nil {
				return nil, zhudun.FieldError(field+".key", "keyring: %v", err)
			}
			set.keys = append(set.keys, k)
		}
		slices.SortFunc(set.keys, func(a, b *key) int { return a.id - b.id })
		kr.sets[p.name] = set
	}
	return kr, nil
}

// Marshal returns the JSON form of the keyring that Parse reads, keys in
// ascending id order. The result is secret: write it only with Save or to
// an equally protected place.
func (kr *Keyring) Marshal() []byte {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	var f keyringFile
	for _, p := range purposes {
		list := f.list(p.name)
		if !p.optional {
			*list = []fileKey{} // "[]" rather than "null" for an empty purpose
		}
		for _, k := range kr.sets[p.name].keysOrNil() {
			*list = append(*list, fileKey{ID: k.id, Key: hex.EncodeToString(k.raw)})
		}
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		panic("gmcrypto: " + err.Error()) // plain structs of ints and strings
	}
	return append(data, '\n')
}

func (s *keySet) keysOrNil() []*key {
	if s == nil {
		return nil
	}
	return s.keys
}

// Save writes the keyring to path with mode 0600, creating its directory
// with mode 0700 if needed. It writes a temporary file and renames it over
// path, so a crash never leaves a truncated keyring: losing keys would mean
// losing every value sealed under them.
func (kr *Keyring) Save(path string) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("gmcrypto: save keyring: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".keyring-*")
	if err != nil {
		return fmt.Errorf("gmcrypto: save keyring: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("gmcrypto: save keyring: %w", err)
		}
	}()
	// CreateTemp uses 0600 today; Chmod makes the mode this file's promise
	// rather than a detail of CreateTemp.
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err = tmp.Write(kr.Marshal()); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable; not every platform can sync a
	// directory, so a failure here is not an error.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Missing lists the optional purposes that have no key yet (a keyring
// written before they existed). Add one with Rotate and Save.
func (kr *Keyring) Missing() []string {
	var out []string
	for _, p := range purposes {
		if kr.active(p.name) == nil {
			out = append(out, p.name)
		}
	}
	return out
}

// Rotate adds a fresh random key to purpose (PurposePII, PurposeIndex,
// PurposeAudit, PurposeBus or PurposeBackup) with id one above the highest, making it the active key, and
// returns the new id. Old keys stay so existing data still opens and
// verifies; Save the keyring afterwards. Rotating the index key changes
// every blind index: see Index.
func (kr *Keyring) Rotate(purpose string) (int, error) {
	size := 0
	for _, p := range purposes {
		if p.name == purpose {
			size = p.size
		}
	}
	if size == 0 {
		return 0, zhudun.FieldError("purpose", "unknown key purpose %q", purpose)
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	if kr.sets == nil {
		kr.sets = make(map[string]*keySet)
	}
	set := kr.sets[purpose]
	if set == nil {
		set = &keySet{}
		kr.sets[purpose] = set
	}
	id := 1
	if a := set.active(); a != nil {
		id = a.id + 1
	}
	if id > maxKeyID {
		return 0, zhudun.Errorf(zhudun.ECONFLICT, "keyring: %s key ids exhausted", purpose)
	}
	k, err := newKey(purpose, id, randomBytes(size))
	if err != nil {
		return 0, err
	}
	set.keys = append(set.keys, k)
	return id, nil
}

// ActiveKeyID returns the id of the active key of purpose, 0 if there is
// none. Stores record it next to blind indexes so that, after a rotation of
// the index key, they can tell which rows still need recomputing.
func (kr *Keyring) ActiveKeyID(purpose string) int {
	if k := kr.active(purpose); k != nil {
		return k.id
	}
	return 0
}

func (kr *Keyring) active(purpose string) *key {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.sets[purpose].active()
}

func (kr *Keyring) byID(purpose string, id int) *key {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.sets[purpose].byID(id)
}

// mustActive is for the methods whose signatures have no error: a Keyring
// from Generate, Load or Parse always has a key of every purpose.
func (kr *Keyring) mustActive(purpose string) *key {
	k := kr.active(purpose)
	if k == nil {
		panic("gmcrypto: keyring has no " + purpose + " key; use Generate, Load or Parse")
	}
	return k
}

// String describes the keyring by its active key ids only, so that a
// Keyring passed to a logger or fmt never prints key material.
func (kr *Keyring) String() string {
	var b strings.Builder
	b.WriteString("gmcrypto.Keyring{")
	for i, p := range purposes {
		id := kr.ActiveKeyID(p.name)
		if id == 0 && p.optional {
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.name + ":v" + strconv.Itoa(id))
	}
	b.WriteByte('}')
	return b.String()
}

// GoString is String, for %#v.
func (kr *Keyring) GoString() string { return kr.String() }

// parseKeyID reads "v<id>" as written by formatKeyID: decimal, no sign, no
// leading zero, in range. Anything else is rejected so each id has exactly
// one spelling.
func parseKeyID(s string) (int, bool) {
	if len(s) < 2 || len(s) > 11 || s[0] != 'v' || s[1] == '0' {
		return 0, false
	}
	id := 0
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		id = id*10 + int(c-'0')
	}
	if id > maxKeyID {
		return 0, false
	}
	return id, true
}

func formatKeyID(id int) string { return "v" + strconv.Itoa(id) }
