// Package blobtest is the contract every zhudun.BlobStore keeps, run
// against the data directory (blobfs) and an S3 server (blobs3) alike:
// put, read, delete, missing, a taken name, a large blob, a cancelled
// context, bad names. Expected values are written here by hand.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

// Run runs the contract against the store open returns (a fresh, empty
// one per call).
func Run(t *testing.T, open func(t *testing.T) zhudun.BlobStore) {
	const name = "0123456789abcdef0123456789abcdef"
	ctx := context.Background()
	read := func(t *testing.T, b zhudun.BlobStore, n string) ([]byte, error) {
		t.Helper()
		r, err := b.Open(ctx, n)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		return io.ReadAll(r)
	}

	t.Run("PutGetDelete", func(t *testing.T) {
		b := open(t)
		if err := b.Put(ctx, name, strings.NewReader("ciphertext")); err != nil {
			t.Fatal(err)
		}
		got, err := read(t, b, name)
		if err != nil || string(got) != "ciphertext" {
			t.Fatalf("read %q %v", got, err)
		}
		if err := b.Delete(ctx, name); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Open(ctx, name); zhudun.ErrorCode(err) != zhudun.ENOTFOUND {
			t.Fatalf("open deleted: %v", err)
		}
		if err := b.Delete(ctx, name); err != nil {
			t.Fatalf("delete twice: %v", err)
		}
		// The name is free again once deleted.
		if err := b.Put(ctx, name, strings.NewReader("again")); err != nil {
			t.Fatalf("put after delete: %v", err)
		}
		if got, err := read(t, b, name); err != nil || string(got) != "again" {
			t.Fatalf("read again %q %v", got, err)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		b := open(t)
		if _, err := b.Open(ctx, "ffffffffffffffffffffffffffffffff"); zhudun.ErrorCode(err) != zhudun.ENOTFOUND {
			t.Fatalf("open missing: %v", err)
		}
		if err := b.Delete(ctx, "ffffffffffffffffffffffffffffffff"); err != nil {
			t.Fatalf("delete missing: %v", err)
		}
	})

	t.Run("NoOverwrite", func(t *testing.T) {
		b := open(t)
		if err := b.Put(ctx, name, strings.NewReader("first")); err != nil {
			t.Fatal(err)
		}
		if err := b.Put(ctx, name, strings.NewReader("second")); zhudun.ErrorCode(err) != zhudun.ECONFLICT {
			t.Fatalf("put twice: %v", err)
		}
		if got, err := read(t, b, name); err != nil || string(got) != "first" {
			t.Fatalf("after a refused overwrite: %q %v", got, err)
		}
	})

	t.Run("Large", func(t *testing.T) {
		b := open(t)
		data := make([]byte, 20<<20)
		_, _ = rand.Read(data)
		want := sha256.Sum256(data)
		// A reader of unknown length (not a bytes.Reader) too.
		if err := b.Put(ctx, name, io.MultiReader(bytes.NewReader(data))); err != nil {
			t.Fatal(err)
		}
		got, err := read(t, b, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 20<<20 || sha256.Sum256(got) != want {
			t.Fatalf("read back %d bytes, digest differs: %v", len(got), sha256.Sum256(got) != want)
		}
	})

	t.Run("ContextCancelled", func(t *testing.T) {
		b := open(t)
		if err := b.Put(ctx, name, strings.NewReader("kept")); err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		const other = "abcdefabcdefabcdefabcdefabcdef00"
		if err := b.Put(cctx, other, strings.NewReader("x")); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
			t.Fatalf("put under a cancelled context: %v", err)
		}
		if _, err := b.Open(ctx, other); zhudun.ErrorCode(err) != zhudun.ENOTFOUND {
			t.Fatalf("a cancelled put left a blob: %v", err)
		}
		if _, err := b.Open(cctx, name); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
			t.Fatalf("open under a cancelled context: %v", err)
		}
		if err := b.Delete(cctx, name); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
			t.Fatalf("delete under a cancelled context: %v", err)
		}
		if got, err := read(t, b, name); err != nil || string(got) != "kept" {
			t.Fatalf("a cancelled delete removed the blob: %q %v", got, err)
		}
	})

	t.Run("BadNames", func(t *testing.T) {
		b := open(t)
		for _, bad := range []string{"../../etc/passwd", "0123456789ABCDEF0123456789ABCDEF", "", "0123456789abcdef0123456789abcde/", strings.Repeat("a", 33)} {
			if err := b.Put(ctx, bad, strings.NewReader("x")); zhudun.ErrorCode(err) != zhudun.EINVALID {
				t.Errorf("put %q: %v", bad, err)
			}
			if _, err := b.Open(ctx, bad); zhudun.ErrorCode(err) != zhudun.EINVALID {
				t.Errorf("open %q: %v", bad, err)
			}
			if err := b.Delete(ctx, bad); zhudun.ErrorCode(err) != zhudun.EINVALID {
				t.Errorf("delete %q: %v", bad, err)
			}
		}
	})
}
