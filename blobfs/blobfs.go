// Package blobfs keeps blobs (case attachments, encrypted before they get
// here) as files under a directory: the data directory's attachments/. A
// blob's name is chosen by the store ([0-9a-f]{32}) and checked here again,
// so that no name can reach outside the directory; files go into one of 256
// subdirectories by the name's first two characters.
package blobfs

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/zhudun/zhudun"
)

var _ zhudun.BlobStore = (*Dir)(nil)

var validName = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Dir is a BlobStore in a directory.
type Dir struct{ root string }

// New returns the blob store under root, creating it (mode 0700).
func New(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, err
	}
	return &Dir{root: root}, nil
}

func (d *Dir) path(name string) (string, error) {
	if !validName.MatchString(name) {
		return "", zhudun.Errorf(zhudun.EINVALID, "bad blob name")
	}
	return filepath.Join(d.root, name[:2], name), nil
}

// Put writes the blob to a temporary file, syncs it and renames it into
// place, so that a blob is either whole or absent; a name taken is
// ECONFLICT.
func (d *Dir) Put(ctx context.Context, name string, r io.Reader) (err error) {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	if err := cancelled(ctx, "put", name); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return zhudun.Errorf(zhudun.EINTERNAL, "blob dir: %v", err)
	}
	if _, err := os.Lstat(p); err == nil {
		return zhudun.Errorf(zhudun.ECONFLICT, "blob %s exists", name)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return zhudun.Errorf(zhudun.EINTERNAL, "blob create: %v", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = io.Copy(f, ctxReader{ctx, r}); err != nil {
		if c := cancelled(ctx, "put", name); c != nil {
			return c
		}
		return zhudun.Errorf(zhudun.EINTERNAL, "blob write: %v", err)
	}
	if err = cancelled(ctx, "put", name); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	// Link rather than rename: it fails when the name is taken.
	if err = os.Link(f.Name(), p); err != nil {
		return zhudun.Errorf(zhudun.ECONFLICT, "blob %s: %v", name, err)
	}
	return os.Remove(f.Name())
}

// Open opens a blob; a missing one is ENOTFOUND.
func (d *Dir) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	if err := cancelled(ctx, "open", name); err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "blob %s not found", name)
	}
	if err != nil {
		return nil, zhudun.Errorf(zhudun.EINTERNAL, "blob open: %v", err)
	}
	return f, nil
}

// Delete removes a blob; a missing one is not an error.
func (d *Dir) Delete(ctx context.Context, name string) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	if err := cancelled(ctx, "delete", name); err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return zhudun.Errorf(zhudun.EINTERNAL, "blob delete: %v", err)
	}
	return nil
}

// Path is where a blob lives (tests tamper with it).
func (d *Dir) Path(name string) string { p, _ := d.path(name); return p }

// cancelled is EUNAVAILABLE once ctx is done, as a remote store's call
// would fail: a cancelled request writes, opens and removes nothing.
func cancelled(ctx context.Context, op, name string) error {
	if ctx.Err() != nil {
		return zhudun.Errorf(zhudun.EUNAVAILABLE, "blob %s %s: cancelled or timed out", op, name)
	}
	return nil
}

// ctxReader stops a copy once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
