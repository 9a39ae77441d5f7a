package sqlstore

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/zhudun/zhudun"
)

// FileWitness is the embedded default's audit witness: an append-only text
// file outside the database, one signed head per line
// ("instance seq hash sig"). Every process that writes the database (the
// server and the CLI) appends to the same file; each line goes out in one
// write on a file opened O_APPEND, so lines of several processes never mix.
// Restoring an older copy of zhudun.db leaves the file ahead of it, which
// 'zhudun audit verify' reports. Put it on storage the database's owner
// cannot rewrite (another mount, chattr +a) to make that hold against the
// machine's root too.
type FileWitness struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

var _ zhudun.AuditWitness = (*FileWitness)(nil)

// OpenFileWitness opens (creating if needed, mode 0600) the head log at path.
func OpenFileWitness(path string) (*FileWitness, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit witness: %w", err)
	}
	return &FileWitness{path: path, f: f}, nil
}

// Path is the head log's file.
func (w *FileWitness) Path() string { return w.path }

// Close closes the file.
func (w *FileWitness) Close() error { return w.f.Close() }

// Append implements zhudun.AuditWitness with one write of one line.
func (w *FileWitness) Append(_ context.Context, h zhudun.AuditHead) error {
	line := fmt.Appendf(nil, "%s %d %s %s\n", h.Instance, h.Seq, h.Hash, h.Sig)
	w.mu.Lock()
	_, err := w.f.Write(line)
	w.mu.Unlock()
	if err != nil {
		return &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "audit witness: " + err.Error()}
	}
	return nil
}

// Heads implements zhudun.AuditWitness. A last line without its newline
// (the writer died mid-write) is skipped; any other line that does not parse
// is handed on with Seq -1 so that verification reports it.
func (w *FileWitness) Heads(ctx context.Context, instance string, fn func(zhudun.AuditHead) error) error {
	f, err := os.Open(w.path)
	if err != nil {
		return &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "audit witness: " + err.Error()}
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	for n := 0; ; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, err := br.ReadSlice('\n')
		if err != nil {
			return nil // EOF, or a torn last line
		}
		fs := bytes.Fields(line)
		if len(fs) == 4 && string(fs[0]) != instance {
			continue
		}
		h := zhudun.AuditHead{Instance: instance, Seq: -1}
		if len(fs) == 4 {
			if seq, err := strconv.ParseInt(string(fs[1]), 10, 64); err == nil && seq >= 0 {
				h.Seq, h.Hash, h.Sig = seq, string(fs[2]), string(fs[3])
			}
		}
		if err := fn(h); err != nil {
			return err
		}
	}
}
