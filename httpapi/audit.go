package httpapi

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"github.com/zhudun/zhudun"
)

// parseTime accepts RFC 3339 or a date (YYYY-MM-DD, Asia/Shanghai midnight).
func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, zhudun.CST()); err == nil {
		return t, nil
	}
	return time.Time{}, zhudun.FieldError(field, "%s must be RFC 3339 or YYYY-MM-DD", field)
}

func auditFilter(r *http.Request) (zhudun.AuditFilter, error) {
	q := r.URL.Query()
	var f zhudun.AuditFilter
	var err error
	if f.From, err = parseTime("from", q.Get("from")); err != nil {
		return f, err
	}
	if f.To, err = parseTime("to", q.Get("to")); err != nil {
		return f, err
	}
	if f.Offset, err = queryInt(r, "offset", 0); err != nil {
		return f, err
	}
	if f.Limit, err = queryInt(r, "limit", 50); err != nil {
		return f, err
	}
	f.Username, f.Action, f.ObjectType, f.ObjectID, f.Result = q.Get("user"), q.Get("action"), q.Get("object_type"), q.Get("object_id"), q.Get("result")
	return f, nil
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	rows, n, err := s.store.FindAudit(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(rows, n))
	return nil
}

func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.store.VerifyAudit(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// exportMax bounds one export; narrow the filter for more.
const exportMax = 50000

// sheet is a table to export: a header and rows of cells.
type sheet struct {
	name   string
	header []string
	rows   [][]any
}

func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request) error {
	if _, err := zhudun.ScopeFor(r.Context(), zhudun.PermAuditExport); err != nil {
		return err
	}
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	sh := sheet{name: "audit", header: []string{"seq", "time (Asia/Shanghai)", "user", "dept", "action", "object type", "object", "result", "client address", "detail", "hash"}}
	for f.Offset, f.Limit = 0, 500; len(sh.rows) < exportMax; f.Offset += 500 {
		rows, _, err := s.store.FindAudit(r.Context(), f)
		if err != nil {
			return err
		}
		for _, e := range rows {
			sh.rows = append(sh.rows, []any{e.Seq, e.At.In(zhudun.CST()).Format("2006-01-02 15:04:05"), e.Username, e.DeptCode, e.Action,
				e.ObjectType, e.ObjectID, e.Result, e.ClientAddr, string(e.Detail), e.Hash})
		}
		if len(rows) < 500 {
			break
		}
	}
	return s.export(w, r, "audit", sh, f)
}

func (s *Server) exportUsers(w http.ResponseWriter, r *http.Request) error {
	f, err := userFilter(r)
	if err != nil {
		return err
	}
	sh := sheet{name: "users", header: []string{"id", "username", "name", "dept", "dept name", "roles", "disabled", "phone (masked)", "id number (masked)", "created (Asia/Shanghai)"}}
	for f.Offset, f.Limit = 0, 500; len(sh.rows) < exportMax; f.Offset += 500 {
		us, _, err := s.store.FindUsers(r.Context(), f)
		if err != nil {
			return err
		}
		for _, u := range us {
			sh.rows = append(sh.rows, []any{u.ID, u.Username, u.Name, u.DeptCode, u.DeptName, strings.Join(u.Roles, ","), u.Disabled,
				u.Phone, u.IDNumber, u.CreatedAt.In(zhudun.CST()).Format("2006-01-02 15:04:05")})
		}
		if len(us) < 500 {
			break
		}
	}
	return s.export(w, r, "users", sh, exportedUserFilter(f))
}

// exportedUserFilter is how a user export's filter is audited: which
// personal-data filters were used, never their values (the audit log is kept
// six months and more, and read by the audit administrator).
func exportedUserFilter(f zhudun.UserFilter) map[string]any {
	m := map[string]any{"q": f.Q, "dept": f.DeptCode, "under": f.Under, "role": f.Role, "username": f.Username}
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	if f.Disabled != nil {
		m["disabled"] = *f.Disabled
	}
	if pf := f.PIIFilters(); len(pf) > 0 {
		m["pii_filters"] = pf
		m["reason"] = f.Reason
	}
	return m
}

// export writes the sheet as .xlsx (default) or .csv and audits the export
// with its filter and row count.
func (s *Server) export(w http.ResponseWriter, r *http.Request, what string, sh sheet, filter any) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "xlsx"
	}
	if format != "xlsx" && format != "csv" {
		return zhudun.FieldError("format", "format must be xlsx or csv")
	}
	if err := s.audit.Record(r.Context(), &zhudun.AuditEntry{Action: what + ".export", ObjectType: what,
		Detail: mustJSON(map[string]any{"format": format, "rows": len(sh.rows), "filter": filter})}); err != nil {
		return err
	}
	name := fmt.Sprintf("zhudun-%s-%s.%s", what, time.Now().In(zhudun.CST()).Format("20060102-150405"), format)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Write([]byte("\xEF\xBB\xBF")) // BOM: Excel opens UTF-8 Chinese correctly
		cw := csv.NewWriter(w)
		cw.Write(sh.header)
		for _, row := range sh.rows {
			rec := make([]string, len(row))
			for i, v := range row {
				rec[i] = csvSafe(fmt.Sprint(v))
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	}
	x := excelize.NewFile()
	defer x.Close()
	x.SetSheetName("Sheet1", sh.name)
	sw, err := x.NewStreamWriter(sh.name)
	if err != nil {
		return err
	}
	head := make([]any, len(sh.header))
	for i, h := range sh.header {
		head[i] = h
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i, row := range sh.rows {
		for j, v := range row {
			if str, ok := v.(string); ok {
				row[j] = csvSafe(str)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	return x.Write(w)
}

// csvSafe defuses spreadsheet formula injection: a cell that starts with
// = + - @ is prefixed with a quote so that Excel shows it as text.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
