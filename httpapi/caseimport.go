package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/casesheet"
	"github.com/zhudun/zhudun/gmcrypto"
)

// Bulk entry of cases (issue 12 item 6, docs/cases.md "Bulk import"): the
// templates, and the upload that reads a workbook or CSV (told by its
// bytes) and hands the rows to the store, which decides everything else.

// caseImportLimit bounds an upload: a station's year of ledger is far
// less, and the rows are checked in one transaction.
const caseImportLimit = 10 << 20

// caseImportProblems bounds the problems an answer lists.
const caseImportProblems = 1000

func (s *Server) registerCaseImport() {
	s.handle("GET", "/api/v1/cases/import/template", false, s.caseImportTemplate)
	s.handle("POST", "/api/v1/cases/import", false, s.importCases)
}

// caseImportTemplate serves the workbook template (format=xlsx, the
// default) or one kind's CSV template (format=csv&kind=).
func (s *Server) caseImportTemplate(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var b []byte
	var err error
	name, ctype := "zhudun-case-import.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	switch q.Get("format") {
	case "", "xlsx":
		b, err = casesheet.TemplateXLSX()
	case "csv":
		if b, err = casesheet.TemplateCSV(q.Get("kind")); err != nil {
			return err
		}
		name, ctype = "zhudun-case-import-"+q.Get("kind")+".csv", "text/csv; charset=utf-8"
	default:
		return zhudun.FieldError("format", "format must be xlsx or csv")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(b)
	return err
}

// importCases reads an uploaded file (?name= names it in the answer and
// the audit row; ?kind= the kind of a CSV, else told by its header) and
// imports it all or nothing: 400 with every problem located, or the
// counts stored and skipped by kind.
func (s *Server) importCases(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	name := strings.TrimSpace(q.Get("name"))
	if name == "" {
		name = "upload"
	}
	if len([]rune(name)) > 200 || strings.ContainsFunc(name, unicode.IsControl) {
		return zhudun.FieldError("name", "name is the file's name (at most 200 characters)")
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &zhudun.Error{Code: zhudun.ETOOLARGE, Message: fmt.Sprintf("the file is larger than %d MiB: split it", caseImportLimit>>20)}
		}
		return zhudun.Errorf(zhudun.EINVALID, "the file could not be read")
	}
	if len(data) == 0 {
		return zhudun.Errorf(zhudun.EINVALID, "the file is empty")
	}
	p, probs := casesheet.Parse(name, data, q.Get("kind"))
	if p.Rows() > casesheet.MaxRows {
		return zhudun.Errorf(zhudun.EINVALID, "the file holds %d rows, at most %d at a time: split it", p.Rows(), casesheet.MaxRows)
	}
	imp := p.Import
	// The audit row names the file by its plain SM3 digest (sm3sum of the
	// file gives it back) and size, not by its name: ledgers are often
	// named after a suspect.
	h := gmcrypto.NewSM3()
	h.Write(data)
	imp.Source = fmt.Sprintf("sm3:%x (%d bytes)", h.Sum(nil), len(data))
	// With problems of form the rest is only checked, so that the answer
	// names every problem of the file at once.
	imp.CheckOnly = len(probs) > 0
	res, err := s.store.ImportCases(r.Context(), imp)
	if err != nil {
		return err
	}
	for _, pr := range res.Problems {
		probs = append(probs, p.Locate(pr))
	}
	if len(probs) > 0 {
		casesheet.SortProblems(probs)
		n := len(probs)
		// The first ones say what is wrong; a file of a thousand bad rows
		// is corrected from them and sent again.
		probs = probs[:min(n, caseImportProblems)]
		writeJSON(w, http.StatusBadRequest, struct {
			Error    errorDetail         `json:"error"`
			Total    int                 `json:"total"`
			Problems []casesheet.Problem `json:"problems"`
		}{errorDetail{Code: zhudun.EINVALID, Message: fmt.Sprintf("%d problems in the file; nothing was stored", n)}, n, probs})
		return nil
	}
	writeJSON(w, http.StatusOK, struct {
		File   string                        `json:"file"`
		Counts map[string]zhudun.ImportCount `json:"counts"`
	}{name, res.Counts})
	return nil
}
