package zhudun

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Campaign is a named campaign (专项行动: 净网2021, 四断) over a date range,
// reaching the cases of its department's subtree.
type Campaign struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	DeptCode  string    `json:"dept"`
	DeptPath  string    `json:"-"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// NewCampaign creates a campaign; Dept defaults to the caller's.
type NewCampaign struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
	Dept string `json:"dept"`
}

// Validate checks a new campaign.
func (n *NewCampaign) Validate() error {
	n.Name = strings.TrimSpace(n.Name)
	if l := utf8.RuneCountInString(n.Name); l < 2 || l > 100 {
		return FieldError("name", "a name of 2 to 100 characters is required")
	}
	if err := ValidDate("from", n.From); err != nil {
		return err
	}
	if err := ValidDate("to", n.To); err != nil {
		return err
	}
	if n.To < n.From {
		return FieldError("to", "to is before from")
	}
	return nil
}
