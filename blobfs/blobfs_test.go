package blobfs_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/blobfs"
	"github.com/zhudun/zhudun/internal/blobtest"
)

// TestDir: a blob is put once, read, deleted (twice is fine); a name that
// is not 32 hex digits never reaches the file system.
func TestDir(t *testing.T) {
	root := filepath.Join(t.TempDir(), "attachments")
	d, err := blobfs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	name := "0123456789abcdef0123456789abcdef"
	if err := d.Put(ctx, name, strings.NewReader("ciphertext")); err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, name, strings.NewReader("other")); zhudun.ErrorCode(err) != zhudun.ECONFLICT {
		t.Fatalf("put twice: %v", err)
	}
	if d.Path(name) != filepath.Join(root, "01", name) {
		t.Fatalf("path %s", d.Path(name))
	}
	r, err := d.Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "ciphertext" {
		t.Fatalf("read %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(root, "01", ".put-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	for _, bad := range []string{"../../etc/passwd", "0123456789ABCDEF0123456789ABCDEF", "", "0123456789abcdef0123456789abcde/", strings.Repeat("a", 33)} {
		if err := d.Put(ctx, bad, strings.NewReader("x")); zhudun.ErrorCode(err) != zhudun.EINVALID {
			t.Errorf("put %q: %v", bad, err)
		}
		if _, err := d.Open(ctx, bad); zhudun.ErrorCode(err) != zhudun.EINVALID {
			t.Errorf("open %q: %v", bad, err)
		}
	}
	if err := d.Delete(ctx, name); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, name); err != nil {
		t.Fatalf("delete twice: %v", err)
	}
	if _, err := d.Open(ctx, name); zhudun.ErrorCode(err) != zhudun.ENOTFOUND {
		t.Fatalf("open deleted: %v", err)
	}
	if fi, err := os.Stat(root); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("root mode: %v %v", fi.Mode(), err)
	}
}

// TestContract: the BlobStore contract every store keeps (internal/blobtest).
func TestContract(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) zhudun.BlobStore {
		d, err := blobfs.New(filepath.Join(t.TempDir(), "attachments"))
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
