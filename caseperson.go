package zhudun

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// People of cases, their coercive measures and the law's calendar days
// (docs/cases.md, "People").

// Roles of a person in a case.
const (
	RoleSuspect = "suspect"
	RoleVictim  = "victim"
	RoleWitness = "witness"
)

// Person is one natural person across cases, found again by the blind
// index of the resident ID. ID number and phone are shown masked; the
// clear text only through RevealPersonPII.
type Person struct {
	ID             int64         `json:"id"`
	Name           string        `json:"name"`
	IDNumberMasked string        `json:"id_number"`
	PhoneMasked    string        `json:"phone"`
	CreatedAt      time.Time     `json:"created_at"`
	Cases          []*PersonCase `json:"cases"`
}

// PersonCase is one case of a person's, as the person's page lists it.
type PersonCase struct {
	CaseID        int64  `json:"case"`
	Receipt       string `json:"receipt"`
	Number        string `json:"number,omitempty"`
	Title         string `json:"title"`
	Status        string `json:"status"`
	DeptCode      string `json:"dept"`
	Role          string `json:"role"`
	ApprehendedOn string `json:"apprehended_on,omitempty"`
}

// PersonPII is the clear text of a person's sealed fields.
type PersonPII struct {
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
}

// CasePerson is a person in one case.
type CasePerson struct {
	ID             int64     `json:"id"`
	PersonID       int64     `json:"person"`
	Name           string    `json:"name"`
	IDNumberMasked string    `json:"id_number"`
	PhoneMasked    string    `json:"phone"`
	Role           string    `json:"role"`
	ApprehendedOn  string    `json:"apprehended_on,omitempty"` // 抓获, suspects only
	Note           string    `json:"note,omitempty"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// NewCasePerson adds a person to a case; an ID number already known joins
// the existing person.
type NewCasePerson struct {
	Name          string `json:"name"`
	IDNumber      string `json:"id_number"`
	Phone         string `json:"phone"`
	Role          string `json:"role"`
	ApprehendedOn string `json:"apprehended_on"`
	Note          string `json:"note"`
}

// Validate checks a new case person (the ID and phone are checked where
// they are sealed).
func (n *NewCasePerson) Validate() error {
	n.Name = strings.TrimSpace(n.Name)
	if l := utf8.RuneCountInString(n.Name); l < 1 || l > 100 {
		return FieldError("name", "a name of 1 to 100 characters is required")
	}
	if n.Role != RoleSuspect && n.Role != RoleVictim && n.Role != RoleWitness {
		return FieldError("role", "role must be suspect, victim or witness")
	}
	if n.ApprehendedOn != "" {
		if n.Role != RoleSuspect {
			return FieldError("apprehended_on", "only a suspect is apprehended")
		}
		if err := ValidDate("apprehended_on", n.ApprehendedOn); err != nil {
			return err
		}
	}
	if utf8.RuneCountInString(n.Note) > 500 {
		return FieldError("note", "a note is at most 500 characters")
	}
	return nil
}

// Measure kinds: the five criminal coercive measures of the Criminal
// Procedure Law, and the summons (传唤), recorded beside them but not
// coercive.
const (
	MeasureCompelledAppearance     = "compelled_appearance"     // 拘传
	MeasureBail                    = "bail"                     // 取保候审
	MeasureResidentialSurveillance = "residential_surveillance" // 监视居住
	MeasureDetention               = "detention"                // 刑事拘留
	MeasureArrest                  = "arrest"                   // 逮捕
	MeasureSummons                 = "summons"                  // 传唤, not coercive
)

// CoerciveMeasures lists the five coercive kinds.
var CoerciveMeasures = []string{MeasureCompelledAppearance, MeasureBail, MeasureResidentialSurveillance, MeasureDetention, MeasureArrest}

// Measure is a coercive measure (or a summons) on a suspect of a case.
type Measure struct {
	ID         int64     `json:"id"`
	CaseID     int64     `json:"case"`
	PersonID   int64     `json:"person"`
	PersonName string    `json:"person_name"`
	Kind       string    `json:"kind"`
	Coercive   bool      `json:"coercive"`
	From       string    `json:"from"`
	To         string    `json:"to,omitempty"`
	Authority  string    `json:"authority"`
	DocumentNo string    `json:"document_no"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// NewMeasure records a measure on a suspect (Person) of the case.
type NewMeasure struct {
	Person     int64  `json:"person"`
	Kind       string `json:"kind"`
	From       string `json:"from"`
	To         string `json:"to"`
	Authority  string `json:"authority"`
	DocumentNo string `json:"document_no"`
}

// Validate checks a new measure.
func (n *NewMeasure) Validate() error {
	if n.Person <= 0 {
		return FieldError("person", "the person is required")
	}
	if n.Kind != MeasureSummons && !slices.Contains(CoerciveMeasures, n.Kind) {
		return FieldError("kind", "kind must be one of %s or summons", strings.Join(CoerciveMeasures, ", "))
	}
	if err := ValidDate("from", n.From); err != nil {
		return err
	}
	if n.To != "" {
		if err := ValidDate("to", n.To); err != nil {
			return err
		}
		if n.To < n.From {
			return FieldError("to", "to is before from")
		}
	}
	n.Authority, n.DocumentNo = strings.TrimSpace(n.Authority), strings.TrimSpace(n.DocumentNo)
	if l := utf8.RuneCountInString(n.Authority); l < 2 || l > 100 {
		return FieldError("authority", "the deciding authority is required (2 to 100 characters)")
	}
	if l := utf8.RuneCountInString(n.DocumentNo); l < 2 || l > 100 {
		return FieldError("document_no", "the document number is required (2 to 100 characters)")
	}
	return nil
}

// ValidDate checks a calendar day written 2006-01-02 (China's calendar).
func ValidDate(field, s string) error {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return FieldError(field, "%s must be a date like 2021-03-05", field)
	}
	return nil
}
