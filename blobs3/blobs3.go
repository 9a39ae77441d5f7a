// Package blobs3 keeps blobs (case attachments, SM4-GCM encrypted by the
// store before they get here) as objects of a bucket on an S3-compatible
// server: MinIO, Ceph RGW, a government cloud's object storage, AWS S3. It
// is the other implementation of zhudun.BlobStore beside blobfs; the
// server only ever receives ciphertext and never a key.
//
// A blob's name is chosen by the store ([0-9a-f]{32}) and checked here
// again; its object key is the configured prefix and the name. Every call
// runs under the caller's context and a timeout of its own (Config.Timeout),
// a download's until its body is closed.
package blobs3

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/zhudun/zhudun"
)

var _ zhudun.BlobStore = (*Store)(nil)

var validName = regexp.MustCompile(`^[0-9a-f]{32}$`)

// maxBlob bounds what Put buffers of a reader whose length it cannot
// tell: an attachment of zhudun.MaxAttachmentSize with its encryption's
// overhead fits many times over.
const maxBlob = 4 * zhudun.MaxAttachmentSize

// Config says where the bucket is. The keys come from the environment or
// a file (cli), never from a command line.
type Config struct {
	Endpoint  string // https://host[:port] (http:// only with Insecure or on loopback)
	Bucket    string
	Region    string // default us-east-1, what most S3-compatible servers take
	Prefix    string // object key prefix, e.g. "zhudun/attachments/"; may be empty
	AccessKey string
	SecretKey string
	CAFile    string        // PEM bundle the server's certificate must chain to; default the system's
	Insecure  bool          // allow plain http:// to a host that is not loopback
	Timeout   time.Duration // per call (a download: until closed); default 60s
	// Transport replaces the HTTP transport (tests); CAFile is then ignored.
	Transport http.RoundTripper
}

// Store is a BlobStore in an S3 bucket.
type Store struct {
	c       *minio.Client
	bucket  string
	prefix  string
	timeout time.Duration
}

// New checks cfg, connects and checks that the bucket exists and the keys
// are accepted (within cfg.Timeout), so that a wrong setting stops the
// server at start rather than at the first upload.
func New(ctx context.Context, cfg Config) (*Store, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil {
		// not repeated: what does not parse may hold keys (https://AK:SK@…)
		return nil, fmt.Errorf("s3 endpoint: want https://host[:port], not an address that does not parse")
	}
	if u.Host == "" || u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.User != nil {
		// Redacted: keys written into the endpoint are not repeated into
		// the error that is printed and logged.
		return nil, fmt.Errorf("s3 endpoint: want https://host[:port], not %q", u.Redacted())
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !cfg.Insecure && !loopback(u.Hostname()) {
			return nil, fmt.Errorf("s3 endpoint %s: plain http to a host that is not loopback sends the signed requests and the (encrypted) attachments in clear: use https, or --insecure-s3", u.Host)
		}
	default:
		return nil, fmt.Errorf("s3 endpoint: want https://host[:port], not %q", u.Redacted())
	}
	if cfg.Bucket == "" {
		return nil, fmt.Errorf("s3: a bucket is required")
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, fmt.Errorf("s3: the access key and the secret key are required (ZHUDUN_S3_ACCESS_KEY, ZHUDUN_S3_SECRET_KEY or their _FILE)")
	}
	if cfg.Prefix != "" && !strings.HasSuffix(cfg.Prefix, "/") {
		cfg.Prefix += "/"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	tr := cfg.Transport
	if tr == nil {
		t, err := transport(cfg)
		if err != nil {
			return nil, err
		}
		tr = t
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    u.Scheme == "https",
		Region:    cfg.Region,
		Transport: tr,
		// A server that is down fails the request after two retries,
		// not minio-go's ten, so that an upload errs within seconds.
		MaxRetries:   2,
		BucketLookup: minio.BucketLookupAuto,
	})
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	s := &Store{c: c, bucket: cfg.Bucket, prefix: cfg.Prefix, timeout: cfg.Timeout}
	cctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	ok, err := c.BucketExists(cctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3 %s bucket %s: %w", u.Host, cfg.Bucket, err)
	}
	if !ok {
		return nil, fmt.Errorf("s3 %s: bucket %s does not exist (zhudun does not create it: its owner sets its access and retention)", u.Host, cfg.Bucket)
	}
	return s, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func transport(cfg Config) (*http.Transport, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = cfg.Timeout
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("s3 CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("s3 CA file %s: no PEM certificate in it", cfg.CAFile)
		}
		t.TLSClientConfig.RootCAs = pool
	}
	return t, nil
}

func (s *Store) key(name string) (string, error) {
	if !validName.MatchString(name) {
		return "", zhudun.Errorf(zhudun.EINVALID, "bad blob name")
	}
	return s.prefix + name, nil
}

// fail maps an S3 client error to the project's: a missing object
// ENOTFOUND, a taken name ECONFLICT, a cancelled or timed-out call, a
// server that cannot be reached or answers 5xx EUNAVAILABLE, anything else
// (refused keys, a missing bucket) EINTERNAL. Messages name the blob, never
// the keys.
func fail(op, name string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return zhudun.Errorf(zhudun.EUNAVAILABLE, "attachment store: %s %s cancelled or timed out", op, name)
	}
	r := minio.ToErrorResponse(err)
	switch {
	case r.Code == "NoSuchKey" || r.StatusCode == http.StatusNotFound && r.Code != "NoSuchBucket":
		return zhudun.Errorf(zhudun.ENOTFOUND, "blob %s not found", name)
	case r.Code == "PreconditionFailed" || r.StatusCode == http.StatusPreconditionFailed:
		return zhudun.Errorf(zhudun.ECONFLICT, "blob %s exists", name)
	case r.StatusCode >= 500 || r.Code == "" && isNetwork(err):
		return zhudun.Errorf(zhudun.EUNAVAILABLE, "attachment store unavailable (%s %s): %v", op, name, err)
	}
	return zhudun.Errorf(zhudun.EINTERNAL, "s3 %s %s: %v", op, name, err)
}

func isNetwork(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, io.ErrUnexpectedEOF)
}

// Put stores a new blob with one conditional PUT (If-None-Match: *): a
// name taken is ECONFLICT, and a blob is whole or absent. The body is
// sent with its length and an MD5 the server checks; a reader whose length
// is unknown is read first (at most maxBlob bytes).
func (s *Store) Put(ctx context.Context, name string, r io.Reader) error {
	key, err := s.key(name)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fail("put", name, err)
	}
	size := int64(-1)
	switch v := r.(type) {
	case interface{ Len() int }: // bytes.Buffer, bytes.Reader, strings.Reader
		size = int64(v.Len())
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			if off, err := v.Seek(0, io.SeekCurrent); err == nil {
				size = fi.Size() - off
			}
		}
	}
	if size < 0 {
		b, err := io.ReadAll(io.LimitReader(r, maxBlob+1))
		if err != nil {
			return zhudun.Errorf(zhudun.EINTERNAL, "s3 put %s: reading the blob: %v", name, err)
		}
		if len(b) > maxBlob {
			return zhudun.Errorf(zhudun.ETOOLARGE, "blob %s is over %d MiB", name, maxBlob>>20)
		}
		r, size = bytes.NewReader(b), int64(len(b))
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	opts := minio.PutObjectOptions{
		ContentType:      "application/octet-stream",
		DisableMultipart: true,
		SendContentMd5:   true,
	}
	opts.SetMatchETagExcept("*")
	if _, err := s.c.PutObject(ctx, s.bucket, key, r, size, opts); err != nil {
		return fail("put", name, err)
	}
	return nil
}

// Open opens a blob; a missing one is ENOTFOUND. The object is asked for
// at once (so that a missing one is told here, not at the first read); the
// body is read under the call's timeout until it is closed.
func (s *Store) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	key, err := s.key(name)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	obj, err := s.c.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat()
	}
	if err != nil {
		if obj != nil {
			obj.Close()
		}
		cancel()
		return nil, fail("open", name, err)
	}
	return &body{obj: obj, cancel: cancel, name: name}, nil
}

type body struct {
	obj    *minio.Object
	cancel context.CancelFunc
	name   string
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.obj.Read(p)
	if err != nil && err != io.EOF {
		return n, fail("read", b.name, err)
	}
	return n, err
}

func (b *body) Close() error {
	err := b.obj.Close()
	b.cancel()
	return err
}

// Delete destroys a blob: every version of its key (a versioned bucket
// keeps a deleted object's versions, which would keep the ciphertext),
// or, where the listing finds none, the key itself; a missing one is not
// an error. A bucket under
// object lock refuses it: EINTERNAL, logged by the caller (the content's
// key is destroyed before, so what is left cannot be read).
func (s *Store) Delete(ctx context.Context, name string) error {
	key, err := s.key(name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	found := 0
	for v := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: key, WithVersions: true}) {
		if v.Err != nil {
			if r := minio.ToErrorResponse(v.Err); r.Code == "NotImplemented" {
				break // a server without versions: the plain delete below
			}
			return fail("delete", name, v.Err)
		}
		if v.Key != key {
			continue
		}
		found++
		if err := s.c.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{VersionID: v.VersionID}); err != nil {
			if e := fail("delete", name, err); zhudun.ErrorCode(e) != zhudun.ENOTFOUND {
				return e
			}
		}
	}
	if found > 0 {
		return nil // a plain delete now would only add a delete marker
	}
	if err := s.c.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if e := fail("delete", name, err); zhudun.ErrorCode(e) != zhudun.ENOTFOUND {
			return e
		}
	}
	return nil
}
