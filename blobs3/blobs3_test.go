package blobs3_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/blobs3"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/internal/blobtest"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

const bucket = "zhudun-attachments"

// server is an S3 protocol server in this process (gofakes3 over
// memory, on a loopback port), with the bucket created.
type server struct {
	*httptest.Server
	backend *s3mem.Backend
}

func newServer(t *testing.T, versioned bool) *server {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	if versioned {
		if err := be.SetVersioningConfiguration(bucket, gofakes3.VersioningConfiguration{Status: gofakes3.VersioningEnabled}); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(ts.Close)
	return &server{Server: ts, backend: be}
}

func (s *server) config() blobs3.Config {
	return blobs3.Config{Endpoint: s.URL, Bucket: bucket, Prefix: "zhudun/attachments", AccessKey: "AKIATEST", SecretKey: "test-secret-key", Timeout: 10 * time.Second}
}

func (s *server) open(t *testing.T) *blobs3.Store {
	t.Helper()
	st, err := blobs3.New(context.Background(), s.config())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// raw is a plain S3 client on the server, to see what it holds.
func (s *server) raw(t *testing.T) *minio.Client {
	t.Helper()
	c, err := minio.New(strings.TrimPrefix(s.URL, "http://"), &minio.Options{Creds: credentials.NewStaticV4("AKIATEST", "test-secret-key", ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// versions lists every version and delete marker the bucket holds.
func (s *server) versions(t *testing.T) []string {
	t.Helper()
	var out []string
	for o := range s.raw(t).ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true, WithVersions: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		out = append(out, o.Key)
	}
	return out
}

// TestContract: the BlobStore contract, against a real S3 protocol server,
// with a plain bucket and a versioned one.
func TestContract(t *testing.T) {
	t.Run("Plain", func(t *testing.T) {
		blobtest.Run(t, func(t *testing.T) zhudun.BlobStore { return newServer(t, false).open(t) })
	})
	t.Run("Versioned", func(t *testing.T) {
		blobtest.Run(t, func(t *testing.T) zhudun.BlobStore { return newServer(t, true).open(t) })
	})
}

// TestKeysAndDestroy: objects go under the prefix; a delete in a
// versioned bucket leaves no version of the ciphertext behind.
func TestKeysAndDestroy(t *testing.T) {
	srv := newServer(t, true)
	st := srv.open(t)
	ctx := context.Background()
	const name = "00112233445566778899aabbccddeeff"
	if err := st.Put(ctx, name, strings.NewReader("ciphertext")); err != nil {
		t.Fatal(err)
	}
	if got := srv.versions(t); len(got) != 1 || got[0] != "zhudun/attachments/"+name {
		t.Fatalf("objects %v", got)
	}
	if err := st.Delete(ctx, name); err != nil {
		t.Fatal(err)
	}
	if got := srv.versions(t); len(got) != 0 {
		t.Fatalf("after delete the bucket still holds %v", got)
	}
}

// TestServerDown: a server that is gone fails each call with EUNAVAILABLE
// within seconds (two retries), and a server that accepts but never
// answers within the timeout.
func TestServerDown(t *testing.T) {
	srv := newServer(t, false)
	st := srv.open(t)
	ctx := context.Background()
	const name = "00112233445566778899aabbccddeeff"
	srv.Close()
	start := time.Now()
	if err := st.Put(ctx, name, strings.NewReader("x")); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
		t.Fatalf("put, server down: %v", err)
	}
	if _, err := st.Open(ctx, name); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
		t.Fatalf("open, server down: %v", err)
	}
	if err := st.Delete(ctx, name); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
		t.Fatalf("delete, server down: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("three calls to a server that is down took %v", d)
	}

	// A server that takes the connection and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	hang := make(chan struct{})
	defer close(hang)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-hang; c.Close() }()
		}
	}()
	cfg := srv.config()
	cfg.Endpoint = "http://" + ln.Addr().String()
	cfg.Timeout = 300 * time.Millisecond
	if _, err := blobs3.New(ctx, cfg); err == nil {
		t.Fatal("New against a server that never answers succeeded")
	}
}

// TestTimeout: a call is cut at the configured timeout.
func TestTimeout(t *testing.T) {
	be := s3mem.New()
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	h := gofakes3.New(be).Server()
	slow := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			select {
			case <-slow:
			case <-r.Context().Done():
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	defer ts.Close()
	defer close(slow)
	st, err := blobs3.New(context.Background(), blobs3.Config{Endpoint: ts.URL, Bucket: bucket, AccessKey: "a", SecretKey: "b", Timeout: 400 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = st.Put(context.Background(), "00112233445566778899aabbccddeeff", strings.NewReader("x"))
	if zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
		t.Fatalf("put to a server that stalls: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("a 400 ms timeout took %v", d)
	}
}

// TestNewRefuses: settings that would be unsafe or cannot work stop the
// start with a message that says why.
func TestNewRefuses(t *testing.T) {
	srv := newServer(t, false)
	ctx := context.Background()
	for _, c := range []struct {
		edit func(*blobs3.Config)
		want string
	}{
		{func(c *blobs3.Config) { c.Endpoint = "http://10.1.2.3:9000" }, "plain http"},
		{func(c *blobs3.Config) { c.Endpoint = "ftp://s3.example" }, "want https://"},
		{func(c *blobs3.Config) { c.Endpoint = "https://s3.example/bucket" }, "want https://"},
		{func(c *blobs3.Config) { c.Bucket = "" }, "bucket is required"},
		{func(c *blobs3.Config) { c.SecretKey = "" }, "secret key are required"},
		{func(c *blobs3.Config) { c.Bucket = "no-such-bucket" }, "does not exist"},
		// keys in the endpoint are refused without being repeated (review
		// 2026-12-03b, finding 4: the error, printed and logged, held them)
		{func(c *blobs3.Config) { c.Endpoint = "https://AKIDEXAMPLE:test-secret-key@s3.example" }, "want https://host[:port], not \"https://AKIDEXAMPLE:xxxxx@s3.example\""},
		{func(c *blobs3.Config) { c.Endpoint = "https://AKID:test-secret-key@s3.example:bad port" }, "want https://host[:port], not an address that does not parse"},
	} {
		cfg := srv.config()
		c.edit(&cfg)
		_, err := blobs3.New(ctx, cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", cfg.Endpoint, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "test-secret-key") {
			t.Errorf("the error names the secret key: %v", err)
		}
	}
}

// TestAttachmentsOnS3: the store's attachments through S3 — the server
// holds only ciphertext (neither the content nor its name), a download
// comes back whole and SM3-checked, an object altered on the server fails
// the check, and a deletion destroys the object.
func TestAttachmentsOnS3(t *testing.T) {
	srv := newServer(t, false)
	st := srv.open(t)
	kr := gmcrypto.Generate()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "z.db"), sqlstore.Options{Keys: kr, Blobs: st})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("test"))
	c, err := s.CreateCase(sys, zhudun.NewCase{Title: "冒充客服诈骗案", Type: "telecom_fraud", Dept: zhudun.RootDeptCode})
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("询问笔录：被害人张某称其于2026年3月接到冒充客服的电话。\n")
	a, err := s.AddAttachment(sys, c.ID, "张某询问笔录.txt", content)
	if err != nil {
		t.Fatal(err)
	}
	raw := srv.raw(t)
	var keys []string
	for o := range raw.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		keys = append(keys, o.Key)
		obj, err := raw.GetObject(ctx, bucket, o.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(obj)
		obj.Close()
		if bytes.Contains(b, []byte("询问笔录")) || bytes.Contains(b, []byte("张某")) || len(b) <= len(content) {
			t.Fatalf("object %s holds the clear content (%d bytes)", o.Key, len(b))
		}
		if strings.Contains(o.Key, "张某") {
			t.Fatalf("object key %s names the file", o.Key)
		}
	}
	if len(keys) != 1 || !strings.HasPrefix(keys[0], "zhudun/attachments/") {
		t.Fatalf("objects %v", keys)
	}
	_, got, err := s.ReadAttachment(sys, c.ID, a.ID)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("download %q %v", got, err)
	}
	if n, problems, err := s.VerifyAttachments(sys); n != 1 || len(problems) != 0 || err != nil {
		t.Fatalf("verify: %d %v %v", n, problems, err)
	}
	// Altered on the server (same length, one byte flipped): refused.
	obj, _ := raw.GetObject(ctx, bucket, keys[0], minio.GetObjectOptions{})
	b, _ := io.ReadAll(obj)
	obj.Close()
	b[len(b)/2] ^= 1
	if _, err := raw.PutObject(ctx, bucket, keys[0], bytes.NewReader(b), int64(len(b)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ReadAttachment(sys, c.ID, a.ID); zhudun.ErrorCode(err) != zhudun.EINTERNAL {
		t.Fatalf("download of an altered object: %v", err)
	}
	if _, err := s.DeleteAttachment(sys, c.ID, a.ID, "误传，删除"); err != nil {
		t.Fatal(err)
	}
	if got := srv.versions(t); len(got) != 0 {
		t.Fatalf("after deletion the bucket holds %v", got)
	}
	// With the server down an upload is 503-like, and leaves no row.
	srv.Close()
	if _, err := s.AddAttachment(sys, c.ID, "b.txt", []byte("第二份\n")); zhudun.ErrorCode(err) != zhudun.EUNAVAILABLE {
		t.Fatalf("upload with the server down: %v", err)
	}
	if list, err := s.CaseAttachments(sys, c.ID); err != nil || len(list) != 1 {
		t.Fatalf("attachments after a failed upload: %d %v", len(list), err)
	}
}
