package zhudun

import (
	"context"
	"time"
)

// Bulk entry of cases (issue 12 item 6, docs/cases.md "Bulk import"): a
// station's ledger typed into the templates and loaded at once — cases,
// their people, measures and seizures — all or nothing.

// Import kinds: the sheets of a workbook, the CSV files.
const (
	ImportCases    = "cases"
	ImportPeople   = "people"
	ImportMeasures = "measures"
	ImportSeizures = "seizures"
)

// ImportKinds lists the kinds in the order their rows are stored: a later
// kind's rows name cases (and measures people) of an earlier one.
var ImportKinds = []string{ImportCases, ImportPeople, ImportMeasures, ImportSeizures}

// CaseImport is one bulk entry. Every row carries its import key: a case's
// is unique within its department, any other row's within its case; a row
// whose key was imported before is skipped, so the same file imported
// twice stores everything once.
type CaseImport struct {
	// Source names the file for the audit row.
	Source   string
	Cases    []ImportCase
	People   []ImportPerson
	Measures []ImportMeasure
	Seizures []ImportSeizure
	// RefusedCaseKeys are the keys of case rows the file's reader refused
	// (a day it could not read): rows naming them are told so, not that
	// the case does not exist.
	RefusedCaseKeys []string
	// CheckOnly checks every row as an import would and stores none: the
	// reader found problems of form, and the answer names every problem of
	// the file at once.
	CheckOnly bool
}

// ImportCase is a case to open (受案) and take along the lifecycle its
// days imply: filed (and numbered, as filing does), solved, transferred.
type ImportCase struct {
	Key string
	NewCase
	// CampaignNames tag the case with campaigns, by name, that reach its
	// department.
	CampaignNames []string
	FiledAt       *time.Time
	SolvedAt      *time.Time
	TransferredAt *time.Time
}

// ImportPerson adds a person to a case. Case is the case's number, its
// receipt, or its import key (of this import or an earlier one).
type ImportPerson struct {
	Key  string
	Case string
	NewCasePerson
}

// ImportMeasure records a measure on a suspect of the case, named by
// PersonRef: the resident ID or the key of a person row (of this import
// or an earlier one into the same case).
type ImportMeasure struct {
	Key       string
	Case      string
	PersonRef string
	NewMeasure
}

// ImportSeizure records a seizure of a case.
type ImportSeizure struct {
	Key  string
	Case string
	NewSeizure
}

// CaseImportProblem is one problem of a row: Row indexes the rows of
// Kind as given; Field is the field's JSON name (the API's), empty when
// the row as a whole is at fault.
type CaseImportProblem struct {
	Kind    string `json:"kind"`
	Row     int    `json:"row"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// ImportCount is what an import did with the rows of one kind.
type ImportCount struct {
	Stored  int `json:"stored"`
	Skipped int `json:"skipped"` // imported before under the same key
}

// CaseImportResult is an import's outcome: with any problem nothing was
// stored and the counts are zero.
type CaseImportResult struct {
	Counts   map[string]ImportCount `json:"counts"`
	Problems []CaseImportProblem    `json:"problems"`
}

// CaseImportService loads cases in bulk: case:write over every department
// named (fail closed), in one transaction, one audit row (case.import)
// with the counts. Errors: EFORBIDDEN, EUNAUTHORIZED; a row's problems
// come back in the result, not as an error.
type CaseImportService interface {
	ImportCases(ctx context.Context, imp CaseImport) (*CaseImportResult, error)
}
