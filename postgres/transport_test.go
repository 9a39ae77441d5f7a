package postgres_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/postgres"
)

// caFile writes a self-signed CA certificate, which sslrootcert needs to
// parse.
func caFile(t *testing.T) string {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	return p
}

func TestCheckTransport(t *testing.T) {
	t.Setenv("PGSSLMODE", "")
	t.Setenv("PGHOST", "")
	ca := caFile(t)
	for _, c := range []struct {
		dsn string
		ok  bool
	}{
		{"postgres://u@127.0.0.1:5432/db?sslmode=disable", true},
		{"postgres://u@localhost/db", true},
		{"postgres://u@[::1]:5432/db?sslmode=disable", true},
		{"postgres://u@/db?host=/var/run/postgresql", true},
		{"postgres://u@db.example.gov.cn/db", false}, // prefer: plaintext fallback, no certificate check
		{"postgres://u@10.1.2.3/db?sslmode=disable", false},
		{"postgres://u@10.1.2.3/db?sslmode=allow", false},
		{"postgres://u@10.1.2.3/db?sslmode=prefer", false},
		{"postgres://u@10.1.2.3/db?sslmode=require", false},
		{"postgres://u@10.1.2.3/db?sslmode=verify-full", true},
		{"postgres://u@10.1.2.3/db?sslmode=verify-full&sslrootcert=" + ca, true},
		{"postgres://u@10.1.2.3/db?sslmode=verify-ca&sslrootcert=" + ca, true},
		{"postgres://u@10.1.2.3/db?sslmode=require&sslrootcert=" + ca, true}, // libpq: require with a root CA is verify-ca
		{"postgres://u@127.0.0.1,10.1.2.3/db?sslmode=disable", false},
		{"postgres://u@10.1.2.3,10.1.2.4/db?sslmode=verify-full", true},
		{"postgres://u:pw@10.1.2.3/db?sslmode=bogus", false},
	} {
		err := postgres.CheckTransport(c.dsn, false)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok %v", c.dsn, err, c.ok)
		}
		if err != nil && (zhudun.ErrorCode(err) != zhudun.EINVALID || strings.Contains(err.Error(), "pw")) {
			t.Errorf("%s: %v (want EINVALID without the password)", c.dsn, err)
		}
		if err := postgres.CheckTransport(c.dsn, true); err != nil {
			t.Errorf("%s insecure: %v", c.dsn, err)
		}
	}
	// PGSSLMODE counts when the DSN says nothing, as it does for pgx.
	t.Setenv("PGSSLMODE", "verify-full")
	if err := postgres.CheckTransport("postgres://u@10.1.2.3/db", false); err != nil {
		t.Errorf("PGSSLMODE=verify-full: %v", err)
	}
}
