package zhudun

import (
	"context"
	"time"
)

// CyberReport is the campaign figures of the cyber cases (issue 12 item 5,
// docs/cases.md "Campaign figures") over a period of China days and a
// scope: the caller's report:read scope, narrowed to a department's subtree
// and to a campaign's cases when given. Each figure is beside the same days
// of last year. Merged duplicates never count: their content moved to the
// survivor.
type CyberReport struct {
	From time.Time `json:"-"`
	To   time.Time `json:"-"` // exclusive: the day after the last
	Dept string    `json:"dept"`
	// Scope names what the figures cover, for print: "一分局及下属单位".
	Scope    string    `json:"scope"`
	Campaign *Campaign `json:"campaign,omitempty"`

	CasesHandled     Figure `json:"cases_handled"`     // received in the period
	CasesFiled       Figure `json:"cases_filed"`       // filed in the period
	CasesSolved      Figure `json:"cases_solved"`      // solved in the period
	CasesTransferred Figure `json:"cases_transferred"` // transferred for prosecution in the period
	// PeopleCoercive: distinct people with a criminal coercive measure
	// starting in the period; PeopleByMeasure the same per measure kind (a
	// person under two kinds is in both, once in the total).
	PeopleCoercive  Figure            `json:"people_coercive"`
	PeopleByMeasure map[string]Figure `json:"people_by_measure"`
	// SuspectsCaught: distinct suspects apprehended in the period.
	SuspectsCaught Figure `json:"suspects_caught"`
	// FundsSeizedFen: fen frozen or seized in the period less fen returned
	// in the period (Funds holds both sides).
	FundsSeizedFen Figure            `json:"funds_seized_fen"`
	Funds          map[string]Figure `json:"funds_breakdown"`
	SIMCardsSeized Figure            `json:"sim_cards_seized"`
	DevicesSeized  Figure            `json:"devices_seized"`
	DevicesByType  map[string]Figure `json:"devices_by_type"`
	// MaliciousAccounts: the workbench's confirmed black accounts and the
	// accounts recorded as seized, each account once; MaliciousParts the
	// two sides (their sum exceeds the whole by the accounts in both).
	MaliciousAccounts Figure            `json:"malicious_accounts"`
	MaliciousParts    map[string]Figure `json:"malicious_accounts_breakdown"`
}

// CyberReportQuery asks for a cyber report: From and To are China days,
// both included; Dept a department code (its subtree), Campaign a
// campaign's id (its cases only; 0 for all).
type CyberReportQuery struct {
	From, To time.Time
	Dept     string
	Campaign int64
}

// RollupCheck is what a check of the cyber report's rollup found: the rows
// stored and the rows derived again from the cases, the rows only stored
// (Extra) and only derived (Missing), a few of each for the log, and
// whether the stored rollup was replaced by the derived one.
type RollupCheck struct {
	Stored, Derived int64
	Extra, Missing  int64
	ExtraRows       []string
	MissingRows     []string
	Repaired        bool
}

// CyberReportService computes the cyber figures.
type CyberReportService interface {
	CyberReport(ctx context.Context, q CyberReportQuery) (*CyberReport, error)
}
