package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/blobs3"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// TestBackupAttachmentsS3: with --blob-store s3, serve's store keeps the
// attachments in the bucket; a backup copies the live ones out of it
// beside the backup (F.attachments/, still encrypted, checked there), and
// a restore puts them into another bucket — or keeps them in a bucket that
// outlived the database, once they pass the check. The keys come from the
// environment; on the command line they are refused.
func TestBackupAttachmentsS3(t *testing.T) {
	be := s3mem.New()
	for _, b := range []string{"zhudun-a", "zhudun-b"} {
		if err := be.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(gofakes3.New(be).Server())
	defer ts.Close()
	t.Setenv("ZHUDUN_S3_ACCESS_KEY", "AKIATEST")
	t.Setenv("ZHUDUN_S3_SECRET_KEY", "test-secret-key")
	s3flags := func(bucket string) []string {
		return []string{"--blob-store", "s3", "--s3-endpoint", ts.URL, "--s3-bucket", bucket}
	}

	dir := t.TempDir()
	if code, _, errs := run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "alice", "--role", "sysadmin", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	keys := filepath.Join(dir, "keys", "keyring.json")
	kr, err := gmcrypto.Load(keys)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("test"))
	openS3 := func(dir, bucket string) *sqlstore.Store {
		t.Helper()
		blobs, err := blobs3.New(ctx, blobs3.Config{Endpoint: ts.URL, Bucket: bucket, Prefix: "attachments/", AccessKey: "AKIATEST", SecretKey: "test-secret-key", Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		s, err := sqlite.Open(ctx, filepath.Join(dir, "zhudun.db"), sqlstore.Options{Keys: kr, Blobs: blobs})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := openS3(dir, "zhudun-a")
	c, kept := seedAttachments(t, sys, s)
	s.Close()

	// The secret on the command line is refused before anything runs.
	if code, _, errs := run(t, "", append([]string{"backup", "--data", dir, "--out", filepath.Join(t.TempDir(), "x.zbk"), "--s3-secret-key", "test-secret-key"}, s3flags("zhudun-a")...)...); code == 0 ||
		!strings.Contains(errs, "never go on the command line") || !strings.Contains(errs, "ZHUDUN_S3_SECRET_KEY") {
		t.Fatalf("secret key as a flag: %d %s", code, errs)
	}

	backup := filepath.Join(t.TempDir(), "b.zbk")
	code, out, errs := run(t, "", append([]string{"backup", "--data", dir, "--out", backup}, s3flags("zhudun-a")...)...)
	if code != 0 || !strings.Contains(out, "attachments: 1 copied") {
		t.Fatalf("backup: %d %s %s", code, out, errs)
	}
	if got, _ := filepath.Glob(filepath.Join(dir, "attachments", "*", "*")); len(got) != 0 {
		t.Fatalf("with the s3 store blobs went to the data directory: %v", got)
	}

	// Into another, empty bucket.
	dir2 := t.TempDir()
	code, out, errs = run(t, "", append([]string{"restore", "--data", dir2, "--from", backup, "--keyring", keys}, s3flags("zhudun-b")...)...)
	if code != 0 || !strings.Contains(out, "attachments: 1 restored into s3 bucket zhudun-b") {
		t.Fatalf("restore: %d %s %s", code, out, errs)
	}
	r := openS3(dir2, "zhudun-b")
	a, data, err := r.ReadAttachment(sys, c.ID, kept.ID)
	r.Close()
	if err != nil || !bytes.Equal(data, png1) || a.Name != "询问笔录.png" {
		t.Fatalf("restored attachment: %+v %v", a, err)
	}

	// Into the bucket that still holds the blob: kept, checked.
	dir3 := t.TempDir()
	code, out, errs = run(t, "", append([]string{"restore", "--data", dir3, "--from", backup, "--keyring", keys}, s3flags("zhudun-a")...)...)
	if code != 0 || !strings.Contains(out, "attachments: 1 restored") {
		t.Fatalf("restore into the original bucket: %d %s %s", code, out, errs)
	}

	// A bucket that does not exist stops the backup with the reason.
	code, _, errs = run(t, "", append([]string{"backup", "--data", dir, "--out", filepath.Join(t.TempDir(), "c.zbk")}, s3flags("no-such-bucket")...)...)
	if code == 0 || !strings.Contains(errs, "bucket no-such-bucket does not exist") || strings.Contains(errs, "test-secret-key") {
		t.Fatalf("backup with a missing bucket: %d %s", code, errs)
	}
}

// TestServeS3: `zhudun serve --blob-store s3` keeps an upload through the
// API in the bucket, as ciphertext, and downloads it whole; a serve whose
// bucket does not exist stops at start with the reason.
func TestServeS3(t *testing.T) {
	be := s3mem.New()
	if err := be.CreateBucket("zhudun-a"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(gofakes3.New(be).Server())
	defer ts.Close()
	t.Setenv("ZHUDUN_S3_ACCESS_KEY", "AKIATEST")
	t.Setenv("ZHUDUN_S3_SECRET_KEY_FILE", writeSecret(t, "test-secret-key\n"))
	dir := t.TempDir()
	if code, _, errs := run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "ana", "--role", "analyst", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	s := serve(t, "--data", dir, "--blob-store", "s3", "--s3-endpoint", ts.URL, "--s3-bucket", "zhudun-a", "--s3-prefix", "zd/")
	tok := login(t, s.url, "ana", "S3cure!pass")
	code, body := post(t, s.url+"/api/v1/cases", tok, `{"title":"冒充客服诈骗案","type":"telecom_fraud"}`)
	if code != 201 {
		t.Fatalf("case: %d %s", code, body)
	}
	var c struct{ ID int64 }
	json.Unmarshal([]byte(body), &c)
	content := "询问笔录：被害人称其接到冒充客服的电话。\n"
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	fw, _ := w.CreateFormFile("file", "笔录.txt")
	fw.Write([]byte(content))
	w.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/cases/%d/attachments", s.url, c.ID), &mp)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("upload: %d %s", res.StatusCode, b)
	}
	var a struct{ ID int64 }
	json.Unmarshal(b, &a)
	objs, err := be.ListBucket("zhudun-a", nil, gofakes3.ListBucketPage{})
	if err != nil || len(objs.Contents) != 1 || !strings.HasPrefix(objs.Contents[0].Key, "zd/") {
		t.Fatalf("bucket: %+v %v", objs, err)
	}
	obj, err := be.GetObject("zhudun-a", objs.Contents[0].Key, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if bytes.Contains(raw, []byte("询问笔录")) || len(raw) <= len(content) {
		t.Fatalf("the bucket holds the clear content")
	}
	if code, got := get(t, fmt.Sprintf("%s/api/v1/cases/%d/attachments/%d", s.url, c.ID, a.ID), tok); code != 200 || got != content {
		t.Fatalf("download: %d %q", code, got)
	}
	s.stop()

	code, _, errs := run(t, "", "serve", "--addr", "127.0.0.1:0", "--data", dir, "--blob-store", "s3", "--s3-endpoint", ts.URL, "--s3-bucket", "gone")
	if code == 0 || !strings.Contains(errs, "bucket gone does not exist") || strings.Contains(errs, "test-secret-key") {
		t.Fatalf("serve with a missing bucket: %d %s", code, errs)
	}
}

// writeSecret writes a secret to a private file and returns its path.
func writeSecret(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBlobStoreSettings: a blob store setting that cannot be meant stops
// the command with the reason.
func TestBlobStoreSettings(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--blob-store", "ftp"}, "--blob-store: want dir or s3"},
		{[]string{"--s3-bucket", "b"}, "say --blob-store s3"},
		{[]string{"--blob-store", "s3", "--attachments", "/tmp/x", "--s3-endpoint", "https://s3.example", "--s3-bucket", "b"}, "set one of them"},
		{[]string{"--blob-store", "s3", "--s3-endpoint", "https://s3.example", "--s3-bucket", "b"}, "secret key are required"},
		{[]string{"--s3-access-key", "AKIA"}, "never go on the command line"},
	} {
		code, _, errs := run(t, "", append([]string{"migrate", "--data", t.TempDir()}, c.args...)...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: %d %s; want %q", c.args, code, errs, c.want)
		}
	}
}
