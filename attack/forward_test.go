package attack

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// collector is a syslog collector: RFC 5424 over TLS with octet-counting
// framing (RFC 6587), as rsyslog's imtcp receives it.
type collector struct {
	addr, ca string
	mu       sync.Mutex
	recs     map[int64]struct{ prev, hash string }
}

func startCollector(t *testing.T) *collector {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "collector"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{ca: filepath.Join(t.TempDir(), "ca.pem"), recs: map[int64]struct{ prev, hash string }{}}
	os.WriteFile(c.ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	c.addr = l.Addr().String()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go c.read(conn)
		}
	}()
	return c
}

func (c *collector) read(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		n, err := r.ReadString(' ')
		if err != nil {
			return
		}
		size, err := strconv.Atoi(n[:len(n)-1])
		if err != nil || size <= 0 || size > 1<<20 {
			return
		}
		msg := make([]byte, size)
		if _, err := io.ReadFull(r, msg); err != nil {
			return
		}
		// The message's body, after the structured data and the BOM, is the
		// row as JSON.
		i := bytes.Index(msg, []byte("\xEF\xBB\xBF"))
		if i < 0 {
			continue
		}
		var rec struct {
			Seq      int64  `json:"seq"`
			PrevHash string `json:"prev_hash"`
			Hash     string `json:"hash"`
		}
		if json.Unmarshal(msg[i+3:], &rec) == nil && rec.Hash != "" {
			c.mu.Lock()
			c.recs[rec.Seq] = struct{ prev, hash string }{rec.PrevHash, rec.Hash}
			c.mu.Unlock()
		}
	}
}

// TestAuditReachesCollector (issue 20.4, 集中管控 d): with --audit-forward
// syslog+tls:// every audit row reaches the collector with its chain hashes,
// and the copy checks row by row against the database.
func TestAuditReachesCollector(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		c := startCollector(t)
		s := start(t, b, "--audit-forward", "syslog+tls://"+c.addr, "--audit-forward-ca", c.ca)
		admin := s.login("lixia.sysadmin")
		call(t, "GET", s.url+"/api/v1/users?phone=13900000000", admin, "") // a denial, audited
		db := s.db()
		var want int
		checkFor(t, 15*time.Second, "every audit row at the collector", func() bool {
			db.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&want)
			c.mu.Lock()
			defer c.mu.Unlock()
			return want > 0 && len(c.recs) >= want
		})
		rows, err := db.Query(`SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c.mu.Lock()
		defer c.mu.Unlock()
		prev := ""
		for rows.Next() {
			var seq int64
			var p, h string
			rows.Scan(&seq, &p, &h)
			got, ok := c.recs[seq]
			if !ok || got.hash != h || got.prev != p {
				t.Errorf("row %d: collector has %+v, database prev %s hash %s", seq, got, p, h)
			}
			if prev != "" && got.prev != prev {
				t.Errorf("row %d: the collector's copy breaks the chain (prev %s, previous hash %s)", seq, got.prev, prev)
			}
			prev = got.hash
		}
		t.Logf("%d rows at the collector match the database", want)
		if want < 3 {
			t.Errorf("only %d audit rows: the scenario audited nothing", want)
		}
	})
}
