package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
)

// incidentColumns are the columns of an incident history file, in the
// documented order; a file may order them any way, by its header.
var incidentColumns = []string{"category", "lon", "lat", "received_at", "source", "dispatched_at", "arrived_at", "closed_at", "outcome", "address", "id"}

// csvRow is one parsed record, the line it started on and its own id (the
// "id" column, optional).
type csvRow struct {
	Line int
	ID   string
	In   zhudun.NewIncident
}

// rowError names the line and field of a rejected record.
type rowError struct {
	Line    int
	Field   string
	Message string
}

func (e rowError) String() string {
	if e.Field != "" {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

var cst = time.FixedZone("CST", 8*3600) // China keeps no daylight saving

// parseCSVTime accepts RFC 3339, or "YYYY-MM-DD HH:MM[:SS]" in China
// Standard Time (how exports of the 110 system write them).
func parseCSVTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, cst); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("must be RFC 3339 or YYYY-MM-DD HH:MM:SS (China Standard Time)")
}

// parseIncidentCSV reads an incident history file: a header row naming the
// columns, then one incident per record. It checks form (numbers, times,
// required cells); the store checks meaning (categories, order of times,
// the grid). A bad record is reported by line and field and never stops
// the others. A BOM, CRLF line ends and quoted fields are accepted.
func parseIncidentCSV(r io.Reader) ([]csvRow, []rowError) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	var rows []csvRow
	var errs []rowError
	header, err := cr.Read()
	if err != nil {
		return nil, []rowError{{Line: 1, Message: "no header row: " + csvErr(err)}}
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup {
			return nil, []rowError{{Line: 1, Field: h, Message: "column appears twice"}}
		}
		col[h] = i
	}
	for _, req := range []string{"category", "lon", "lat", "received_at"} {
		if _, ok := col[req]; !ok {
			return nil, []rowError{{Line: 1, Field: req, Message: "required column missing"}}
		}
	}
	for {
		line := 0
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
				if pe.Err == csv.ErrFieldCount {
					continue // not produced with FieldsPerRecord = -1
				}
			}
			errs = append(errs, rowError{Line: line, Message: "not valid CSV: " + csvErr(err)})
			if pe == nil {
				break // an I/O error: nothing more to read
			}
			continue
		}
		line, _ = cr.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue // a blank record
		}
		var n zhudun.NewIncident
		bad := func(field, msg string) { errs = append(errs, rowError{Line: line, Field: field, Message: msg}) }
		n.Category, n.Source, n.Outcome, n.Address = get("category"), get("source"), get("outcome"), get("address")
		if n.Category == "" {
			bad("category", "required")
			continue
		}
		ok := true
		for _, f := range []struct {
			name string
			v    *float64
			max  float64
		}{{"lon", &n.Lon, 180}, {"lat", &n.Lat, 90}} {
			x, err := strconv.ParseFloat(get(f.name), 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > f.max {
				bad(f.name, fmt.Sprintf("must be a number between -%g and %g", f.max, f.max))
				ok = false
				break
			}
			*f.v = x
		}
		if !ok {
			continue
		}
		for _, f := range []struct {
			name string
			t    **time.Time
			req  bool
		}{{"received_at", &n.ReceivedAt, true}, {"dispatched_at", &n.DispatchedAt, false}, {"arrived_at", &n.ArrivedAt, false}, {"closed_at", &n.ClosedAt, false}} {
			v := get(f.name)
			if v == "" {
				if f.req {
					bad(f.name, "required")
					ok = false
					break
				}
				continue
			}
			t, err := parseCSVTime(v)
			if err != nil {
				bad(f.name, err.Error())
				ok = false
				break
			}
			*f.t = &t
		}
		if ok {
			rows = append(rows, csvRow{Line: line, ID: get("id"), In: n})
		}
	}
	return rows, errs
}

func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// importBatch is how many rows go into one transaction: small enough that a
// signal is answered within a second.
const importBatch = 500

const (
	usageImportIncidents = "usage: zhudun import incidents --data DIR [--crs wgs84|gcj02] [--source NAME] FILE.csv"
	usageImportDistricts = "usage: zhudun import districts --data DIR [--crs gcj02|wgs84] FILE.geojson"
)

func runImport(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "incidents":
			return runImportIncidents(ctx, e, args[1:])
		case "districts":
			return runImportDistricts(ctx, e, args[1:])
		}
	}
	return fmt.Errorf("%s\n%s", usageImportIncidents, usageImportDistricts)
}

// importFlags parses an import command's flags and its one file, which
// flags may also follow. source, when not nil, gets the --source flag.
func importFlags(e *env, name, usage, defCRS string, cfg *Config, source *string, args []string) (file, crs string, err error) {
	fs := flags(e, name, cfg)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	c := fs.String("crs", defCRS, "coordinate system of the file: wgs84 or gcj02 (converted to WGS-84)")
	if source != nil {
		fs.StringVar(source, "source", "", "name of the file's rows' origin; a row is known by source and line (or its id column), and rows imported before are skipped; default the file's name")
	}
	if err := fs.Parse(args); err != nil {
		return "", "", err
	}
	if fs.NArg() == 0 {
		return "", "", errors.New(usage)
	}
	file = fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", "", err
	}
	if fs.NArg() > 0 {
		return "", "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *c != "wgs84" && *c != "gcj02" {
		return "", "", fmt.Errorf("--crs must be wgs84 or gcj02")
	}
	return file, *c, cfg.resolve(fs)
}

// runImportDistricts replaces the map's districts with a GeoJSON file's
// (DataV's export: features with adcode and name, GCJ-02 by default).
func runImportDistricts(ctx context.Context, e *env, args []string) error {
	var cfg Config
	file, crs, err := importFlags(e, "import districts", usageImportDistricts, "gcj02", &cfg, nil, args)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	ds, err := geo.ParseDistricts(data, crs == "gcj02")
	if err != nil {
		return fmt.Errorf("%s: %s", file, zhudun.ErrorMessage(err))
	}
	s, _, err := openStore(ctx, &cfg, newLogger(e, &cfg))
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.ReplaceDistricts(installer(ctx), ds); err != nil {
		return fmt.Errorf("%s: %s", file, zhudun.ErrorMessage(err))
	}
	fmt.Fprintf(e.stdout, "imported %d districts from %s (%s); the map shows them at its next load\n", len(ds), file, crs)
	return nil
}

func runImportIncidents(ctx context.Context, e *env, args []string) error {
	var cfg Config
	var source string
	file, crs, err := importFlags(e, "import incidents", usageImportIncidents, "wgs84", &cfg, &source, args)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, errs := parseIncidentCSV(f)
	if crs == "gcj02" {
		for i := range rows {
			rows[i].In.Lon, rows[i].In.Lat = geo.GCJ02ToWGS84(rows[i].In.Lon, rows[i].In.Lat)
		}
	}
	if source == "" {
		source = filepath.Base(file)
	}
	for i := range rows {
		rows[i].In.ImportKey = importKey(source, rows[i])
	}
	log := newLogger(e, &cfg)
	s, _, err := openStore(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx = installer(ctx)
	stored, skipped := 0, 0
	for i := 0; i < len(rows); i += importBatch {
		if ctx.Err() != nil {
			fmt.Fprintf(e.stdout, "interrupted: %d incidents stored, %d already imported; run the same command again to go on\n", stored, skipped)
			return fmt.Errorf("interrupted")
		}
		batch := rows[i:min(i+importBatch, len(rows))]
		in := make([]zhudun.NewIncident, len(batch))
		for j, r := range batch {
			in[j] = r.In
		}
		n, bad, err := s.ImportIncidents(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				fmt.Fprintf(e.stdout, "interrupted: %d incidents stored, %d already imported; run the same command again to go on\n", stored, skipped)
				return fmt.Errorf("interrupted")
			}
			return fmt.Errorf("after %d rows stored: %w (run the same command again to go on)", stored, err)
		}
		stored += n
		skipped += len(batch) - n - len(bad)
		for _, b := range bad {
			errs = append(errs, rowError{Line: batch[b.Row].Line, Field: b.Field, Message: b.Message})
		}
	}
	sortRowErrors(errs)
	for _, r := range errs {
		fmt.Fprintln(e.stderr, r.String())
	}
	fmt.Fprintf(e.stdout, "imported %d incidents from %s; %d already imported before; %d rows rejected\n", stored, file, skipped, len(errs))
	if len(errs) > 0 {
		return exitError(1) // the valid rows are stored; the status tells a script that some were not
	}
	return nil
}

// importKey is a row's identity: the source system's id when the file has
// one, else the source and the line the record starts on.
func importKey(source string, r csvRow) string {
	if r.ID != "" {
		return "id:" + r.ID
	}
	return "line:" + source + ":" + strconv.Itoa(r.Line)
}

func sortRowErrors(errs []rowError) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
}
