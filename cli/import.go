package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/geo"
	"github.com/zhudun/zhudun/incidentcsv"
)

// importBatch is how many rows go into one transaction: small enough that a
// signal is answered within a second.
const importBatch = 500

const (
	usageImportIncidents = "usage: zhudun import incidents --data DIR [--crs wgs84|gcj02] [--source NAME] FILE.csv"
	usageImportDistricts = "usage: zhudun import districts --data DIR [--crs gcj02|wgs84] FILE.geojson"
	usageImportRoads     = "usage: zhudun import roads --data DIR [--crs wgs84|gcj02] FILE.geojson"
)

func runImport(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "incidents":
			return runImportIncidents(ctx, e, args[1:])
		case "districts":
			return runImportDistricts(ctx, e, args[1:])
		case "roads":
			return runImportRoads(ctx, e, args[1:])
		}
	}
	return fmt.Errorf("%s\n%s\n%s", usageImportIncidents, usageImportDistricts, usageImportRoads)
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

// runImportRoads replaces the 铸盾 road layer with a GeoJSON file of road
// centrelines (an OSM export: WGS-84 by default). A file with bad features
// lists each on stderr (feature index, field) and stores nothing; the
// layer before stays. A running server measures the new layer at its next
// coverage answer.
func runImportRoads(ctx context.Context, e *env, args []string) error {
	var cfg Config
	file, crs, err := importFlags(e, "import roads", usageImportRoads, "wgs84", &cfg, nil, args)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	// One byte over the bound tells a file too large from one just at it.
	data, err := io.ReadAll(io.LimitReader(f, zhudun.MaxRoadsBytes+1))
	if err != nil {
		return err
	}
	if len(data) > zhudun.MaxRoadsBytes {
		return fmt.Errorf("%s: larger than %d MiB", file, zhudun.MaxRoadsBytes>>20)
	}
	imp, err := geo.ParseRoads(data, crs == "gcj02")
	if err != nil {
		return fmt.Errorf("%s: %s", file, zhudun.ErrorMessage(err))
	}
	s, _, err := openStore(ctx, &cfg, newLogger(e, &cfg))
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.ReplaceRoads(installer(ctx), imp)
	if err != nil {
		return fmt.Errorf("%s: %s", file, zhudun.ErrorMessage(err))
	}
	if !rep.Accepted {
		for _, b := range rep.Errors {
			fmt.Fprintf(e.stderr, "%s: %s: %s\n", file, b.Field, b.Message)
		}
		return fmt.Errorf("%s: %d features with errors; nothing imported, the road layer is unchanged", file, len(rep.Errors))
	}
	fmt.Fprintf(e.stdout, "imported %d roads (%.1f km) from %s (%s); the coverage of road length follows at the server's next answer\n",
		rep.Roads, rep.LengthM/1000, file, crs)
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
	rows, errs := incidentcsv.Parse(f)
	if crs == "gcj02" {
		for i := range rows {
			rows[i].In.Lon, rows[i].In.Lat = geo.GCJ02ToWGS84(rows[i].In.Lon, rows[i].In.Lat)
		}
	}
	if source == "" {
		source = filepath.Base(file)
	}
	for i := range rows {
		rows[i].In.ImportKey = incidentcsv.Key(source, rows[i])
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
		n, bad, err := s.ImportIncidents(ctx, zhudun.IncidentImport{Rows: in, Source: source})
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
			errs = append(errs, incidentcsv.Problem{Line: batch[b.Row].Line, Field: b.Field, Message: b.Message})
		}
	}
	incidentcsv.SortProblems(errs)
	for _, r := range errs {
		fmt.Fprintln(e.stderr, r.String())
	}
	fmt.Fprintf(e.stdout, "imported %d incidents from %s; %d already imported before; %d rows rejected\n", stored, file, skipped, len(errs))
	if len(errs) > 0 {
		return exitError(1) // the valid rows are stored; the status tells a script that some were not
	}
	return nil
}
