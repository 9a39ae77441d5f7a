package cli_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func selfSigned(t *testing.T, dir string) (string, string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "zhudun test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	cert, keyf := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyf, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, keyf
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestTLSAndMetrics: with a certificate the server speaks HTTPS, the session
// cookie is Secure and HSTS is sent; metrics live on their own address.
func TestTLSAndMetrics(t *testing.T) {
	dir := t.TempDir()
	run(t, "S3cure!pass\n", "user", "add", "--data", dir, "--username", "alice", "--role", "sysadmin", "--password-stdin")
	cert, key := selfSigned(t, t.TempDir())
	maddr := freeAddr(t)
	s := serve(t, "--data", dir, "--tls-cert", cert, "--tls-key", key, "--metrics-addr", maddr)
	if !strings.HasPrefix(s.url, "https://") {
		t.Fatalf("url %s", s.url)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	res, err := c.Post(s.url+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"alice","password":"S3cure!pass"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var secure bool
	for _, ck := range res.Cookies() {
		secure = ck.Name == "zhudun_session" && ck.Secure && ck.HttpOnly
	}
	if res.StatusCode != 200 || !secure || !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("TLS login: %d secure=%v hsts=%q", res.StatusCode, secure, res.Header.Get("Strict-Transport-Security"))
	}
	var body string
	checkFor(t, 5*time.Second, "metrics", func() bool {
		r, err := http.Get("http://" + maddr + "/metrics")
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		body = string(b)
		return r.StatusCode == 200
	})
	if !strings.Contains(body, `zhudun_http_requests_total{route="POST /api/v1/auth/login",status="200"} 1`) {
		t.Fatalf("metrics do not count the login:\n%s", body[:min(len(body), 2000)])
	}
	// Metrics are not on the public listener.
	res, err = c.Get(s.url + "/metrics")
	if err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(b), "zhudun_http_requests_total") {
			t.Fatal("metrics served on the public address")
		}
	}
}
