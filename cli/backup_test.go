package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/blobfs"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// png1 is a hand-made 1×1 PNG: signature, IHDR, IDAT, IEND.
var png1 = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// openData opens the data directory's store in this process, with its
// attachments.
func openData(t *testing.T, dir, keys string) *sqlstore.Store {
	t.Helper()
	kr, err := gmcrypto.Load(keys)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := blobfs.New(filepath.Join(dir, "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "zhudun.db"), sqlstore.Options{Keys: kr, Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// seedAttachments opens a case with two attachments and deletes the
// second: a backup must carry the first only.
func seedAttachments(t *testing.T, sys context.Context, s *sqlstore.Store) (*zhudun.CaseDetail, *zhudun.Attachment) {
	t.Helper()
	c, err := s.CreateCase(sys, zhudun.NewCase{Title: "冒充客服诈骗案", Type: "telecom_fraud", Dept: zhudun.RootDeptCode})
	if err != nil {
		t.Fatal(err)
	}
	kept, err := s.AddAttachment(sys, c.ID, "询问笔录.png", png1)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.AddAttachment(sys, c.ID, "误传.txt", []byte("上传错了的文件\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteAttachment(sys, c.ID, gone.ID, "误传，删除"); err != nil {
		t.Fatal(err)
	}
	return c, kept
}

// TestBackupAttachments: a backup carries the live attachments beside the
// database (still encrypted, checked there), not the deleted ones; a
// restore puts them back and they download whole; a restore without them
// is refused with nothing written; a live attachment altered on disk
// fails the next backup, named by its ids.
func TestBackupAttachments(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "alice", "--role", "sysadmin", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	keys := filepath.Join(dir, "keys", "keyring.json")
	sys := zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))
	s := openData(t, dir, keys)
	c, kept := seedAttachments(t, sys, s)
	s.Close()

	backup := filepath.Join(t.TempDir(), "b.zbk")
	code, out, errs := run(t, "", "backup", "--data", dir, "--out", backup)
	if code != 0 || !strings.Contains(out, "attachments: 1 copied") {
		t.Fatalf("backup: %d %s %s", code, out, errs)
	}
	var files []string
	filepath.Walk(backup+".attachments", func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 1 {
		t.Fatalf("backup attachments: %v; want the live one only", files)
	}
	if b, _ := os.ReadFile(files[0]); bytes.Contains(b, []byte("PNG")) || bytes.Contains(b, []byte("IHDR")) {
		t.Fatal("the backup's attachment is in clear")
	}

	dir2 := t.TempDir()
	code, out, errs = run(t, "", "restore", "--data", dir2, "--from", backup, "--keyring", keys)
	if code != 0 || !strings.Contains(out, "attachments: 1 restored") {
		t.Fatalf("restore: %d %s %s", code, out, errs)
	}
	r := openData(t, dir2, keys)
	a, data, err := r.ReadAttachment(sys, c.ID, kept.ID)
	r.Close()
	if err != nil || !bytes.Equal(data, png1) || a.Name != "询问笔录.png" {
		t.Fatalf("restored attachment: %+v %v", a, err)
	}

	// Without the attachments beside it, a restore is refused, nothing written.
	lone := filepath.Join(t.TempDir(), "lone.zbk")
	copyFile(t, backup, lone)
	dir3 := t.TempDir()
	if code, _, errs := run(t, "", "restore", "--data", dir3, "--from", lone, "--keyring", keys); code == 0 ||
		!strings.Contains(errs, "holds 1 attachments") || exists(filepath.Join(dir3, "zhudun.db")) {
		t.Fatalf("restore without the attachments: %d %s", code, errs)
	}

	// A live blob altered on disk fails the next backup.
	var blob string
	filepath.Walk(filepath.Join(dir, "attachments"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			blob = p
		}
		return nil
	})
	b, _ := os.ReadFile(blob)
	b[len(b)/2] ^= 1
	os.WriteFile(blob, b, 0o600)
	code, _, errs = run(t, "", "backup", "--data", dir, "--out", filepath.Join(t.TempDir(), "c.zbk"))
	if code == 0 || !strings.Contains(errs, "1 of 1 attachments fail their check") || !strings.Contains(errs, "of case") {
		t.Fatalf("backup of an altered attachment: %d %s", code, errs)
	}
}
