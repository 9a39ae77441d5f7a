package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// TestImportIncidentsCommand: valid rows are stored, bad ones reported by
// line and field, the status is 1, and nothing valid is lost.
func TestImportIncidentsCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	keys := gmcrypto.Generate()
	if err := keys.Save(filepath.Join(dir, "keys", "keyring.json")); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(ctx, filepath.Join(dir, "zhudun.db"), sqlstore.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("test"))
	st := zhudun.Dept{Code: "ST1", Name: "一所"}
	if err := s.CreateDept(sys, &st); err != nil {
		t.Fatal(err)
	}
	rep, err := s.ImportGrids(sys, []*zhudun.Grid{{Code: "A1", StationCode: "ST1", PatrolPoint: [2]float64{117.005, 36.605},
		Boundary: [][][][2]float64{{{{117, 36.6}, {117.01, 36.6}, {117.01, 36.61}, {117, 36.61}, {117, 36.6}}}}}}, nil)
	if err != nil || !rep.Accepted {
		t.Fatal(rep, err)
	}
	s.Close()
	var out, errb bytes.Buffer
	code := Main(ctx, []string{"import", "incidents", "--data", dir, filepath.Join("testdata", "incidents-sample.csv")}, strings.NewReader(""), &out, &errb)
	wantErr := "line 4: lon: must be a number between -180 and 180\n" +
		"line 5: received_at: must be RFC 3339 or YYYY-MM-DD HH:MM:SS (China Standard Time)\n" +
		"line 6: category: unknown category \"theft\"\n" +
		"line 7: lon: the point is outside every grid\n"
	if code != 1 || errb.String() != wantErr || !strings.Contains(out.String(), "imported 3 incidents") {
		t.Fatalf("import: %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
	s, err = sqlite.Open(ctx, filepath.Join(dir, "zhudun.db"), sqlstore.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	xs, n, err := s.FindIncidents(sys, zhudun.IncidentFilter{})
	if err != nil || n != 3 || xs[0].Category != "public_order" || !xs[0].Imported || xs[0].Status != "closed" || xs[0].GridCode != "A1" {
		t.Fatalf("stored: %d %v %+v", n, err, xs)
	}
}

// importFixture makes a data directory with one grid and a CSV of n valid
// rows, and returns the directory and the file.
func importFixture(t *testing.T, n int, withID bool) (string, string, *gmcrypto.Keyring) {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	keys := gmcrypto.Generate()
	if err := keys.Save(filepath.Join(dir, "keys", "keyring.json")); err != nil {
		t.Fatal(err)
	}
	w, err := sqlstore.OpenFileWitness(filepath.Join(dir, "audit-witness.log"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(ctx, filepath.Join(dir, "zhudun.db"), sqlstore.Options{Keys: keys, Witness: w})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("test"))
	st := zhudun.Dept{Code: "ST1", Name: "一所"}
	if err := s.CreateDept(sys, &st); err != nil {
		t.Fatal(err)
	}
	rep, err := s.ImportGrids(sys, []*zhudun.Grid{{Code: "A1", StationCode: "ST1", PatrolPoint: [2]float64{117.005, 36.605},
		Boundary: [][][][2]float64{{{{117, 36.6}, {117.01, 36.6}, {117.01, 36.61}, {117, 36.61}, {117, 36.6}}}}}}, nil)
	if err != nil || !rep.Accepted {
		t.Fatal(rep, err)
	}
	var b strings.Builder
	b.WriteString("category,lon,lat,received_at,closed_at,outcome")
	if withID {
		b.WriteString(",id")
	}
	b.WriteString("\n")
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		fmt.Fprintf(&b, "dispute,117.00%d,36.605,%s,%s,mediated", 1+i%8, at.Format(time.RFC3339), at.Add(time.Hour).Format(time.RFC3339))
		if withID {
			fmt.Fprintf(&b, ",JQ%06d", i)
		}
		b.WriteString("\n")
	}
	file := filepath.Join(dir, "history.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, file, keys
}

func countIncidents(t *testing.T, dir string) int {
	t.Helper()
	db, err := sqlite.OpenDB(filepath.Join(dir, "zhudun.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM incidents`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportKilledAndRerun is issue 19.10: an import killed part way and run
// again stores exactly the file's rows; run a third time it stores none.
func TestImportKilledAndRerun(t *testing.T) {
	const rows = 12000
	dir, file, _ := importFixture(t, rows, false)
	cmd := exec.Command(os.Args[0], "import", "incidents", "--data", dir, file)
	cmd.Env = append(os.Environ(), "ZHUDUN_TEST_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		n := countIncidents(t, dir)
		if n > 0 && n < rows {
			cmd.Process.Kill()
			<-done
			break
		}
		select {
		case err := <-done:
			t.Fatalf("import finished (%v) before it could be killed part way; %d rows", err, n)
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no rows stored within a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	part := countIncidents(t, dir)
	if part == 0 || part >= rows {
		t.Fatalf("killed with %d rows stored", part)
	}
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"import", "incidents", "--data", dir, file}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("re-run: %d %s %s", code, out.String(), errb.String())
	}
	want := fmt.Sprintf("imported %d incidents from %s; %d already imported before; 0 rows rejected", rows-part, file, part)
	if !strings.Contains(out.String(), want) {
		t.Fatalf("re-run said %q, want %q", out.String(), want)
	}
	if n := countIncidents(t, dir); n != rows {
		t.Fatalf("after kill and re-run %d incidents, want exactly %d", n, rows)
	}
	out.Reset()
	Main(context.Background(), []string{"import", "incidents", "--data", dir, file}, strings.NewReader(""), &out, &errb)
	if n := countIncidents(t, dir); n != rows || !strings.Contains(out.String(), fmt.Sprintf("imported 0 incidents from %s; %d already imported before", file, rows)) {
		t.Fatalf("third run: %d incidents, said %q", n, out.String())
	}
	if code, out, _ := runCLI(t, "audit", "verify", "--data", dir); code != 0 {
		t.Fatalf("verify after the kill: %s", out)
	}
}

// TestImportByOwnID: with an id column a row is known by it, whatever line
// it moves to — the file sorted another way imports nothing twice.
func TestImportByOwnID(t *testing.T) {
	dir, file, _ := importFixture(t, 300, true)
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"import", "incidents", "--data", dir, file}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatal(out.String(), errb.String())
	}
	b, _ := os.ReadFile(file)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i, j := 1, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	out.Reset()
	Main(context.Background(), []string{"import", "incidents", "--data", dir, file}, strings.NewReader(""), &out, &errb)
	if n := countIncidents(t, dir); n != 300 || !strings.Contains(out.String(), "imported 0 incidents") {
		t.Fatalf("reversed file: %d incidents, %q", n, out.String())
	}
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestImportStopsOnSIGTERM: a signal ends the import within a second,
// between batches, saying how far it got; the rest comes with a re-run.
func TestImportStopsOnSIGTERM(t *testing.T) {
	const rows = 12000
	dir, file, _ := importFixture(t, rows, false)
	cmd := exec.Command(os.Args[0], "import", "incidents", "--data", dir, file)
	cmd.Env = append(os.Environ(), "ZHUDUN_TEST_MAIN=1")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for deadline := time.Now().Add(60 * time.Second); countIncidents(t, dir) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no rows stored within a minute")
		}
	}
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if took := time.Since(sent); took > time.Second || err == nil {
			t.Fatalf("after SIGTERM: %v in %v, want a non-zero exit within 1s", err, took)
		}
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		t.Fatal("import still running 5s after SIGTERM")
	}
	if n := countIncidents(t, dir); n == rows || !strings.Contains(out.String(), "interrupted") {
		t.Fatalf("stopped with %d rows; said %q", n, out.String())
	}
	if code, _, _ := runCLI(t, "import", "incidents", "--data", dir, file); code != 0 || countIncidents(t, dir) != rows {
		t.Fatalf("re-run: %d, %d rows", code, countIncidents(t, dir))
	}
}

// TestImportDistrictsCommand: the map's districts are a file the bureau
// imports; a broken file names its feature and changes nothing.
func TestImportDistrictsCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var out, errb bytes.Buffer
	if code := Main(ctx, []string{"import", "districts", "--help"}, strings.NewReader(""), &out, &errb); code == 0 && errb.Len() == 0 ||
		!strings.Contains(errb.String(), "usage: zhudun import districts --data DIR [--crs gcj02|wgs84] FILE.geojson") {
		t.Fatalf("--help: %d %q", code, errb.String())
	}
	keys := gmcrypto.Generate()
	if err := keys.Save(filepath.Join(dir, "keys", "keyring.json")); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	code := Main(ctx, []string{"import", "districts", "--data", dir, filepath.Join("testdata", "districts-two.geojson"), "--crs", "wgs84"}, strings.NewReader(""), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "imported 2 districts") {
		t.Fatalf("import: %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
	bad := filepath.Join(t.TempDir(), "bad.geojson")
	if err := os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := Main(ctx, []string{"import", "districts", "--data", dir, bad}, strings.NewReader(""), &out, &errb); code == 0 || !strings.Contains(errb.String(), "bad.geojson: feature 0: adcode must be six digits") {
		t.Fatalf("bad file: %d %q", code, errb.String())
	}
	s, err := sqlite.Open(ctx, filepath.Join(dir, "zhudun.db"), sqlstore.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ds, err := s.FindDistricts(zhudun.WithCaller(ctx, zhudun.SystemCaller("test")))
	if err != nil || len(ds) != 2 || ds[0].Code != "370102" || ds[0].Boundary[0][0][0] != [2]float64{117.02, 36.6} {
		t.Fatalf("stored: %v %+v", err, ds)
	}
}

// TestImportRoadsCommand: the 铸盾 road layer is a GeoJSON file the bureau
// imports beside the server; a file with bad features lists each by index
// and field and leaves the layer as it was.
func TestImportRoadsCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var out, errb bytes.Buffer
	if code := Main(ctx, []string{"import", "roads", "--help"}, strings.NewReader(""), &out, &errb); code == 0 && errb.Len() == 0 ||
		!strings.Contains(errb.String(), "usage: zhudun import roads --data DIR [--crs wgs84|gcj02] FILE.geojson") {
		t.Fatalf("--help: %d %q", code, errb.String())
	}
	keys := gmcrypto.Generate()
	if err := keys.Save(filepath.Join(dir, "keys", "keyring.json")); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	code := Main(ctx, []string{"import", "roads", "--data", dir, filepath.Join("testdata", "roads-jinan.geojson")}, strings.NewReader(""), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "imported 4 roads") || !strings.Contains(out.String(), "(wgs84)") {
		t.Fatalf("import: %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
	bad := filepath.Join(t.TempDir(), "bad.geojson")
	if err := os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"name":"好路"},"geometry":{"type":"LineString","coordinates":[[117,36.6],[117.1,36.6]]}},
		{"type":"Feature","properties":{"name":7},"geometry":{"type":"LineString","coordinates":[[117,36.6],[117.1,36.6]]}},
		{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	out.Reset()
	code = Main(ctx, []string{"import", "roads", "--data", dir, "--crs", "gcj02", bad}, strings.NewReader(""), &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "bad.geojson: name: feature 1: name must be a string") ||
		!strings.Contains(errb.String(), "bad.geojson: geometry: feature 2: geometry type \"Polygon\"") ||
		!strings.Contains(errb.String(), "2 features with errors; nothing imported") {
		t.Fatalf("bad file: %d %q", code, errb.String())
	}
	s, err := sqlite.Open(ctx, filepath.Join(dir, "zhudun.db"), sqlstore.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rs, layer, err := s.FindRoads(zhudun.WithCaller(ctx, zhudun.SystemCaller("test")))
	if err != nil || len(rs) != 4 || rs[0].Name != "经十路" || rs[0].Lines[0][0] != [2]float64{117.02, 36.655} || layer == nil || !strings.HasPrefix(layer.ImportedBy, "cli:") {
		t.Fatalf("stored: %v %+v %+v", err, rs, layer)
	}
}
