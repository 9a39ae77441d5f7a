package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
)

// Digest is the SHA-256 of a UI tree: of every file's slash path, a NUL,
// the SHA-256 of its content and a newline, in path order (fs.WalkDir's
// lexical order). `make release` records Digest(web/dist) in the binary, and
// `zhudun verify-install` recomputes it over the embedded FS, so a binary
// whose UI was altered after the release build is detected.
func Digest(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		h.Write([]byte(p))
		h.Write([]byte{0})
		h.Write([]byte(hex.EncodeToString(sum[:])))
		h.Write([]byte{'\n'})
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
