// Package incidentcsv reads incident history files: CSV exports of the 110
// system or a spreadsheet, one incident per record, as the installer's
// "zhudun import incidents" and the UI's history upload both take them.
package incidentcsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// Columns are the columns of an incident history file, in the
// documented order; a file may order them any way, by its header.
var Columns = []string{"category", "lon", "lat", "received_at", "source", "dispatched_at", "arrived_at", "closed_at", "outcome", "address", "id"}

// Row is one parsed record, the line it started on and its own id (the
// "id" column, optional).
type Row struct {
	Line int
	ID   string
	In   zhudun.NewIncident
}

// Problem names the line and field of a rejected record.
type Problem struct {
	Line    int
	Field   string
	Message string
}

func (e Problem) String() string {
	if e.Field != "" {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

var cst = time.FixedZone("CST", 8*3600) // China keeps no daylight saving

// parseTime accepts RFC 3339, or "YYYY-MM-DD HH:MM[:SS]" in China
// Standard Time (how exports of the 110 system write them).
func parseTime(v string) (time.Time, error) {
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

// Parse reads an incident history file: a header row naming the
// columns, then one incident per record. It checks form (numbers, times,
// required cells); the store checks meaning (categories, order of times,
// the grid). A bad record is reported by line and field and never stops
// the others. A BOM, CRLF line ends and quoted fields are accepted.
func Parse(r io.Reader) ([]Row, []Problem) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	var rows []Row
	var errs []Problem
	header, err := cr.Read()
	if err != nil {
		return nil, []Problem{{Line: 1, Message: "no header row: " + csvErr(err)}}
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup {
			return nil, []Problem{{Line: 1, Field: h, Message: "column appears twice"}}
		}
		col[h] = i
	}
	for _, req := range []string{"category", "lon", "lat", "received_at"} {
		if _, ok := col[req]; !ok {
			return nil, []Problem{{Line: 1, Field: req, Message: "required column missing"}}
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
			errs = append(errs, Problem{Line: line, Message: "not valid CSV: " + csvErr(err)})
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
		bad := func(field, msg string) { errs = append(errs, Problem{Line: line, Field: field, Message: msg}) }
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
			t, err := parseTime(v)
			if err != nil {
				bad(f.name, err.Error())
				ok = false
				break
			}
			*f.t = &t
		}
		if ok {
			rows = append(rows, Row{Line: line, ID: get("id"), In: n})
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

// Key is a row's import identity: the source system's id when the file has
// one, else the source and the line the record starts on. An import skips
// rows whose key it stored before, so a file can be loaded again.
func Key(source string, r Row) string {
	if r.ID != "" {
		return "id:" + r.ID
	}
	return "line:" + source + ":" + strconv.Itoa(r.Line)
}

// SortProblems orders problems by line, keeping the order within a line.
func SortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
}
