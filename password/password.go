// Package password hashes passwords with argon2id and checks the password
// policy (MLPS 2.0 level 3: length and character classes).
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/zhudun/zhudun"
	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters. Default follows OWASP's argon2id
// recommendation (19 MiB, 2 passes, 1 lane) so that a login costs tens of
// milliseconds, not hundreds, on a 2-core server under a guessing attack.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
	SaltLen int
}

// Default is the cost used for new hashes.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// MinLength is the shortest password accepted.
const MinLength = 8

// MaxLength bounds the work an attacker can make argon2 do per request.
const MaxLength = 128

// Check enforces the policy: at least MinLength characters from at least 3
// of the classes lower case, upper case, digits and symbols. The error names
// the field so that the UI can show it beside the input.
func Check(field, pw string) error {
	if !utf8.ValidString(pw) {
		return zhudun.FieldError(field, "password is not valid UTF-8")
	}
	n := utf8.RuneCountInString(pw)
	if n < MinLength {
		return zhudun.FieldError(field, "password must be at least %d characters", MinLength)
	}
	if n > MaxLength {
		return zhudun.FieldError(field, "password must be at most %d characters", MaxLength)
	}
	var lower, upper, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsControl(r):
			return zhudun.FieldError(field, "password must not contain control characters")
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return zhudun.FieldError(field, "password must mix at least 3 of: lower case, upper case, digits, symbols")
	}
	return nil
}

// CheckFor is Check plus the rule that the password must not contain the
// username (in any case): the policy on every path that sets a password.
func CheckFor(field, username, pw string) error {
	if err := Check(field, pw); err != nil {
		return err
	}
	if u := strings.ToLower(strings.TrimSpace(username)); u != "" && strings.Contains(strings.ToLower(pw), u) {
		return zhudun.FieldError(field, "the password must not contain the username")
	}
	return nil
}

// GenerateFor returns a generated password that passes CheckFor for
// username.
func GenerateFor(username string) string {
	for {
		if pw := Generate(); CheckFor("password", username, pw) == nil {
			return pw
		}
	}
}

// Hash returns the PHC-format argon2id hash of pw.
func Hash(pw string) (string, error) { return Default.Hash(pw) }

// Hash returns the PHC-format argon2id hash of pw under p.
func (p Params) Hash(pw string) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches the PHC hash. A malformed hash never
// matches. The comparison is constant-time.
func Verify(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	// Refuse absurd costs from a tampered row rather than allocating them.
	if p.Memory == 0 || p.Memory > 1<<20 || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Generate returns a random password that satisfies Check: 16 characters
// from all four classes, without look-alike characters, for initial passwords.
func Generate() string {
	const (
		lower  = "abcdefghijkmnpqrstuvwxyz"
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits = "23456789"
		syms   = "!@#%+=?"
	)
	all := lower + upper + digits + syms
	for {
		b := make([]byte, 16)
		for i := range b {
			b[i] = all[randIndex(len(all))]
		}
		b[randIndex(4)] = lower[randIndex(len(lower))]
		b[4+randIndex(4)] = upper[randIndex(len(upper))]
		b[8+randIndex(4)] = digits[randIndex(len(digits))]
		b[12+randIndex(4)] = syms[randIndex(len(syms))]
		if Check("password", string(b)) == nil {
			return string(b)
		}
	}
}

func randIndex(n int) int {
	var b [1]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		if int(b[0]) < 256-256%n {
			return int(b[0]) % n
		}
	}
}
