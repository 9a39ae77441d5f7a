package storetest

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/blobfs"
	"github.com/zhudun/zhudun/sqlstore"
)

// openHook is a blob store that runs a function before each Open.
type openHook struct {
	zhudun.BlobStore
	before func()
}

func (o *openHook) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if o.before != nil {
		o.before()
	}
	return o.BlobStore.Open(ctx, name)
}

// testCaseAttachDeleteRace: a download that a deletion overtakes (the row
// read, then the deletion commits and removes the blob) is "deleted"
// (ENOTFOUND), not a failed integrity check (EINTERNAL, audited failed,
// logged as tampering): a false alarm every time someone deletes a file
// another is downloading.
func testCaseAttachDeleteRace(t *testing.T, b Backend) {
	e := newEnv(t, b)
	dir, err := blobfs.New(filepath.Join(t.TempDir(), "attachments"))
	e.must(err)
	hook := &openHook{BlobStore: dir}
	e.s = b.Open(t, "attachrace", sqlstore.Options{Keys: e.keys, Now: e.clock.Now, Witness: e.witness, Blobs: hook})
	e.fixture()
	sb1 := e.as(e.user("ana1", "SB1", "analyst"))
	c := e.newCase(sb1, "删除与下载", "")
	a, err := e.s.AddAttachment(sb1, c.ID, "笔录.txt", []byte("询问笔录"))
	e.must(err)
	hook.before = func() {
		hook.before = nil
		if _, err := e.s.DeleteAttachment(sb1, c.ID, a.ID, "重复上传，删除"); err != nil {
			t.Errorf("delete: %v", err)
		}
	}
	if _, _, err := e.s.ReadAttachment(sb1, c.ID, a.ID); code(err) != zhudun.ENOTFOUND {
		t.Fatalf("download overtaken by a deletion: %v; want ENOTFOUND", err)
	}
}
