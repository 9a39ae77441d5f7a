package natsbus

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/natsbus/bustest"
)

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestForgedEventsDropped: what someone who can publish on NATS but holds
// no bus key puts on the subjects never reaches a subscriber; each is
// counted and logged with event=security.bad_event_mac. On the embedded
// server and the machine's.
func TestForgedEventsDropped(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		testForged(t, func(t *testing.T, log *slog.Logger) *Bus {
			b, err := Open(t.Context(), Config{DataDir: t.TempDir(), Logger: log, Keys: gmcrypto.Generate()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			return b
		})
	})
	t.Run("external", func(t *testing.T) {
		testForged(t, func(t *testing.T, log *slog.Logger) *Bus {
			b := openExternal(t, externalURL(t))
			b.log = log.With("component", "natsbus")
			return b
		})
	})
}

func externalURL(t *testing.T) string {
	url := os.Getenv("ZHUDUN_TEST_NATS")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	return url
}

func testForged(t *testing.T, open func(*testing.T, *slog.Logger) *Bus) {
	var logs logBuffer
	b := open(t, slog.New(slog.NewTextHandler(&logs, nil)))
	var mu sync.Mutex
	var got []zhudun.Event
	if err := b.Subscribe(t.Context(), func(e zhudun.Event) { mu.Lock(); got = append(got, e); mu.Unlock() }); err != nil {
		t.Fatal(err)
	}
	subject := b.cfg.SubjectPrefix + ".incident.created"
	raw := func(subject string, data []byte, tag string) {
		t.Helper()
		m := nats.NewMsg(subject)
		m.Data = data
		if tag != "" {
			m.Header.Set(tagHeader, tag)
		}
		if _, err := b.js.PublishMsg(t.Context(), m, jetstream.WithExpectStream(b.cfg.StreamName)); err != nil {
			t.Fatal(err)
		}
	}
	// 1. The event as the bus carried it before tags: plain JSON.
	plain, _ := json.Marshal(zhudun.Event{ID: 900001, Type: "incident.created", At: time.Now(), Perm: zhudun.PermIncidentRead,
		DeptPath: "/1/", Data: json.RawMessage(`{"address":"伪造地址","category":"fire"}`)})
	raw(subject, plain, "")
	// 2. The current format, tagged and sealed under the attacker's own keys.
	attacker := &Bus{cfg: b.cfg}
	attacker.cfg.Keys = gmcrypto.Generate()
	m, err := attacker.encode(zhudun.Event{ID: 900002, Type: "incident.created", At: time.Now(), Perm: zhudun.PermIncidentRead,
		DeptPath: "/1/", Data: json.RawMessage(`{"address":"伪造地址"}`)})
	if err != nil {
		t.Fatal(err)
	}
	raw(m.Subject, m.Data, m.Header.Get(tagHeader))
	// 3. A genuine message with its routing changed to reach everyone:
	// the seal does not cover routing, the tag does.
	genuine, err := b.encode(zhudun.Event{ID: 900003, Type: "incident.created", At: time.Now(), Perm: zhudun.PermIncidentRead,
		DeptPath: "/1/9/", Data: json.RawMessage(`{"address":"真实地址"}`)})
	if err != nil {
		t.Fatal(err)
	}
	altered := bytes.Replace(genuine.Data, []byte(`"/1/9/"`), []byte(`"/1/"`), 1)
	if bytes.Equal(altered, genuine.Data) {
		t.Fatal("test did not alter the routing")
	}
	raw(genuine.Subject, altered, genuine.Header.Get(tagHeader))
	// 4. The genuine message replayed on another subject (unit.position
	// moves units).
	raw(b.cfg.SubjectPrefix+".unit.position", genuine.Data, genuine.Header.Get(tagHeader))
	// 5. A tag in the right form under a key id the keyring lacks.
	raw(subject, genuine.Data, "v7:"+strings.Repeat("0", 64))

	// Then a real event: once it arrives, everything before it was seen.
	want := zhudun.Event{ID: 900010, Type: "incident.created", At: time.Now().UTC().Truncate(time.Second), Perm: zhudun.PermIncidentRead,
		DeptPath: "/1/4/", DeptID: 4, Source: "db-a", Data: json.RawMessage(`{"address":"泉城路1号"}`)}
	if err := b.Publish(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	bustest.CheckFor(t, 10*time.Second, "the genuine event", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) > 0 })
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("subscriber got %d events, want only the genuine one: %+v", len(got), got)
	}
	g := got[0]
	if g.ID != 900010 || g.Type != "incident.created" || !g.At.Equal(want.At) || g.Perm != zhudun.PermIncidentRead ||
		g.DeptPath != "/1/4/" || g.DeptID != 4 || g.Source != "db-a" || string(g.Data) != `{"address":"泉城路1号"}` {
		t.Errorf("genuine event arrived as %+v", g)
	}
	if n := b.Rejected(); n != 5 {
		t.Errorf("Rejected() = %d, want 5", n)
	}
	if n := strings.Count(logs.String(), "event="+BadEventMAC); n != 5 {
		t.Errorf("%d log lines with event=%s, want 5:\n%s", n, BadEventMAC, logs.String())
	}
	if strings.Contains(logs.String(), "伪造地址") || strings.Contains(logs.String(), "真实地址") {
		t.Errorf("a payload reached the log:\n%s", logs.String())
	}
}

// TestStoreHoldsNoClearPayload: the embedded server's block files, grepped
// after an incident event, hold its subject (so these are the right files)
// but not its address or a name.
func TestStoreHoldsNoClearPayload(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(t.Context(), Config{DataDir: dir, Logger: testLogger(t), Keys: gmcrypto.Generate()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := b.Publish(t.Context(), zhudun.Event{ID: int64(i + 1), Type: "incident.created", At: time.Now(), Perm: zhudun.PermIncidentRead,
			Data: json.RawMessage(`{"address":"历下区泉城路188号","caller_name":"张三丰","caller_phone":"139****5678"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	var files, withSubject int
	err = filepath.WalkDir(filepath.Join(dir, "nats"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		if bytes.Contains(data, []byte("zhudun.events.incident.created")) {
			withSubject++
		}
		for _, clear := range []string{"泉城路188号", "张三丰", "caller_name", "139****5678"} {
			if bytes.Contains(data, []byte(clear)) {
				t.Errorf("%s holds %q in clear", p, clear)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if withSubject == 0 {
		t.Fatalf("none of %d store files holds the subject: not the store's files", files)
	}
}

func TestOpenNeedsBusKeys(t *testing.T) {
	if _, err := Open(t.Context(), Config{DataDir: t.TempDir()}); zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Errorf("Open without Keys = %v, want EINVALID", err)
	}
	// A keyring from before bus keys existed.
	old, err := gmcrypto.Parse([]byte(`{"pii":[{"id":1,"key":"` + strings.Repeat("11", 16) + `"}],` +
		`"index":[{"id":1,"key":"` + strings.Repeat("22", 32) + `"}],"audit":[{"id":1,"key":"` + strings.Repeat("33", 32) + `"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(t.Context(), Config{DataDir: t.TempDir(), Keys: old}); zhudun.ErrorCode(err) != zhudun.EINVALID {
		t.Errorf("Open with a keyring without bus keys = %v, want EINVALID", err)
	}
}

func TestTransport(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"embedded", Config{}, true},
		{"loopback v4", Config{URL: "nats://127.0.0.1:4222"}, true},
		{"loopback name", Config{URL: "nats://localhost:4222"}, true},
		{"loopback v6", Config{URL: "nats://[::1]:4222"}, true},
		{"remote plain", Config{URL: "nats://10.0.0.5:4222"}, false},
		{"remote name plain", Config{URL: "nats://nats.example.gov.cn:4222"}, false},
		{"one remote in a list", Config{URL: "nats://127.0.0.1:4222,nats://10.0.0.5:4222"}, false},
		{"remote plain with a token", Config{URL: "nats://secret@10.0.0.5:4222"}, false},
		{"remote plain, creds only", Config{URL: "nats://10.0.0.5:4222", CredsFile: "x.creds"}, false},
		{"remote plain, insecure", Config{URL: "nats://10.0.0.5:4222", Insecure: true}, true},
		{"remote tls://", Config{URL: "tls://10.0.0.5:4222"}, true},
		{"remote with CA", Config{URL: "nats://10.0.0.5:4222", CAFile: "ca.pem"}, true},
		{"remote with client cert", Config{URL: "nats://10.0.0.5:4222", CAFile: "ca.pem", CertFile: "c.pem", KeyFile: "k.pem"}, true},
		{"cert without key", Config{URL: "tls://10.0.0.5:4222", CertFile: "c.pem"}, false},
		{"TLS files for the embedded server", Config{CAFile: "ca.pem"}, false},
		{"other scheme", Config{URL: "ws://10.0.0.5:4222", Insecure: true}, false},
	} {
		_, err := transport(c.cfg)
		if (err == nil) != c.ok {
			t.Errorf("%s: transport = %v, want ok %v", c.name, err, c.ok)
		}
		if err != nil && zhudun.ErrorCode(err) != zhudun.EINVALID {
			t.Errorf("%s: code %s, want EINVALID", c.name, zhudun.ErrorCode(err))
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error shows the token: %v", c.name, err)
		}
	}
	// Open itself refuses before dialling: nothing listens at this address.
	_, err := Open(t.Context(), Config{URL: "nats://192.0.2.1:4222", Keys: gmcrypto.Generate()})
	if zhudun.ErrorCode(err) != zhudun.EINVALID || !strings.Contains(err.Error(), "--insecure-bus") {
		t.Errorf("Open plain remote = %v, want EINVALID naming --insecure-bus", err)
	}
}
