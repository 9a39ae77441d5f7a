package zhudun

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Seizures of cases and money in fen (docs/cases.md, "Seizures").

// Seizure kinds.
const (
	SeizureFunds     = "funds"
	SeizureSIMCards  = "sim_cards"
	SeizureBankCards = "bank_cards"
	SeizureDevices   = "devices"
	SeizureAccounts  = "accounts"
)

// Fund states.
const (
	FundsFrozen   = "frozen"
	FundsSeized   = "seized"
	FundsReturned = "returned"
)

// Device types; a cat pool has slots, a GoIP channels (Slots).
var DeviceTypes = []string{"cat_pool", "goip", "phone", "computer", "server"}

// deviceTypeLabels are the device types as documents name them (zh-CN;
// the UI's i18n files carry the same words as cases.deviceType).
var deviceTypeLabels = map[string]string{"cat_pool": "猫池", "goip": "GoIP", "phone": "手机", "computer": "电脑", "server": "服务器"}

// DeviceTypeLabel is a device type's name in a document: 猫池 for
// cat_pool; an unknown type is given as it is.
func DeviceTypeLabel(t string) string {
	if l, ok := deviceTypeLabels[t]; ok {
		return l
	}
	return t
}

// Seizure is one seized item or batch of a case. Funds carry AmountFen
// (integer fen, never floating point) and Amount, the same in yuan as
// text; the countable kinds carry Count and, when known, Items (numbers,
// IMEIs or accounts).
type Seizure struct {
	ID         int64     `json:"id"`
	CaseID     int64     `json:"case"`
	Kind       string    `json:"kind"`
	AmountFen  int64     `json:"amount_fen,omitempty"`
	Amount     string    `json:"amount,omitempty"`
	Account    string    `json:"account,omitempty"`
	Bank       string    `json:"bank,omitempty"`
	State      string    `json:"state,omitempty"`
	FrozenOn   string    `json:"frozen_on,omitempty"`
	SeizedOn   string    `json:"seized_on,omitempty"`
	ReturnedOn string    `json:"returned_on,omitempty"`
	Count      int       `json:"count,omitempty"`
	Items      []string  `json:"items,omitempty"`
	DeviceType string    `json:"device_type,omitempty"`
	Slots      int       `json:"slots,omitempty"`
	Note       string    `json:"note,omitempty"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// NewSeizure records a seizure. Amount is yuan as text ("1980000.00").
type NewSeizure struct {
	Kind       string   `json:"kind"`
	Amount     string   `json:"amount"`
	Account    string   `json:"account"`
	Bank       string   `json:"bank"`
	State      string   `json:"state"`
	FrozenOn   string   `json:"frozen_on"`
	SeizedOn   string   `json:"seized_on"`
	ReturnedOn string   `json:"returned_on"`
	Count      int      `json:"count"`
	Items      []string `json:"items"`
	DeviceType string   `json:"device_type"`
	Slots      int      `json:"slots"`
	Note       string   `json:"note"`
}

// MaxSeizureItems bounds the items one seizure lists.
const MaxSeizureItems = 10000

var (
	digitsRE  = regexp.MustCompile(`^[0-9]+$`)
	msisdnRE  = regexp.MustCompile(`^(\+?86)?1[0-9]{10}$|^[0-9]{11,13}$`)
	bankNoRE  = regexp.MustCompile(`^[0-9]{12,19}$`)
	imeiRE    = regexp.MustCompile(`^[0-9]{14,16}$`)
	accountRE = regexp.MustCompile(`^\S{1,200}$`)
)

// Validate checks a seizure by its kind and returns it as stored: the
// amount in fen, the items trimmed. A field the kind does not carry is an
// error, so that a typo does not vanish silently.
func (n *NewSeizure) Validate() (*Seizure, error) {
	out := &Seizure{Kind: n.Kind, Note: strings.TrimSpace(n.Note)}
	if utf8.RuneCountInString(out.Note) > 500 {
		return nil, FieldError("note", "a note is at most 500 characters")
	}
	for _, d := range []struct{ f, v string }{{"frozen_on", n.FrozenOn}, {"seized_on", n.SeizedOn}, {"returned_on", n.ReturnedOn}} {
		if d.v != "" {
			if err := ValidDate(d.f, d.v); err != nil {
				return nil, err
			}
		}
	}
	not := func(field string, set bool) error {
		if set {
			return FieldError(field, "a %s seizure has no %s", n.Kind, field)
		}
		return nil
	}
	if n.Kind == SeizureFunds {
		fen, err := ParseFen(n.Amount)
		if err != nil {
			return nil, err
		}
		if fen == 0 {
			return nil, FieldError("amount", "the amount must be above zero")
		}
		out.AmountFen, out.Amount = fen, FormatFen(fen)
		out.Account, out.Bank = strings.TrimSpace(n.Account), strings.TrimSpace(n.Bank)
		if out.Account == "" || utf8.RuneCountInString(out.Account) > 64 {
			return nil, FieldError("account", "the account is required (at most 64 characters)")
		}
		if out.Bank == "" || utf8.RuneCountInString(out.Bank) > 100 {
			return nil, FieldError("bank", "the bank is required (at most 100 characters)")
		}
		switch n.State {
		case FundsFrozen:
			if n.FrozenOn == "" {
				return nil, FieldError("frozen_on", "frozen funds need the day they were frozen")
			}
		case FundsSeized:
			if n.SeizedOn == "" {
				return nil, FieldError("seized_on", "seized funds need the day they were seized")
			}
		case FundsReturned:
			if n.ReturnedOn == "" {
				return nil, FieldError("returned_on", "returned funds need the day they were returned")
			}
		default:
			return nil, FieldError("state", "state must be frozen, seized or returned")
		}
		out.State, out.FrozenOn, out.SeizedOn, out.ReturnedOn = n.State, n.FrozenOn, n.SeizedOn, n.ReturnedOn
		for _, e := range []error{not("count", n.Count != 0), not("items", len(n.Items) > 0), not("device_type", n.DeviceType != ""), not("slots", n.Slots != 0)} {
			if e != nil {
				return nil, e
			}
		}
		return out, nil
	}
	var itemRE *regexp.Regexp
	switch n.Kind {
	case SeizureSIMCards:
		itemRE = msisdnRE
	case SeizureBankCards:
		itemRE = bankNoRE
	case SeizureDevices:
		itemRE = imeiRE
		if !slices.Contains(DeviceTypes, n.DeviceType) {
			return nil, FieldError("device_type", "device_type must be one of %s", strings.Join(DeviceTypes, ", "))
		}
		pooled := n.DeviceType == "cat_pool" || n.DeviceType == "goip"
		if pooled && (n.Slots <= 0 || n.Slots > 1024) {
			return nil, FieldError("slots", "a %s needs its slot or channel count (1 to 1024)", n.DeviceType)
		}
		if !pooled {
			if err := not("slots", n.Slots != 0); err != nil {
				return nil, err
			}
		}
		out.DeviceType, out.Slots = n.DeviceType, n.Slots
	case SeizureAccounts:
		itemRE = accountRE
	default:
		return nil, FieldError("kind", "kind must be funds, sim_cards, bank_cards, devices or accounts")
	}
	if n.Kind != SeizureDevices {
		for _, e := range []error{not("device_type", n.DeviceType != ""), not("slots", n.Slots != 0)} {
			if e != nil {
				return nil, e
			}
		}
	}
	for _, e := range []error{not("amount", n.Amount != ""), not("account", n.Account != ""), not("bank", n.Bank != ""), not("state", n.State != ""),
		not("frozen_on", n.FrozenOn != ""), not("returned_on", n.ReturnedOn != "")} {
		if e != nil {
			return nil, e
		}
	}
	if n.SeizedOn == "" {
		return nil, FieldError("seized_on", "the day of the seizure is required")
	}
	out.SeizedOn = n.SeizedOn
	if n.Count <= 0 || n.Count > 100_000_000 {
		return nil, FieldError("count", "count must be from 1 to 100000000")
	}
	if len(n.Items) > n.Count && n.Kind != SeizureDevices {
		return nil, FieldError("items", "%d items listed for a count of %d", len(n.Items), n.Count)
	}
	if len(n.Items) > MaxSeizureItems {
		return nil, FieldError("items", "at most %d items at once", MaxSeizureItems)
	}
	seen := map[string]bool{}
	for i, it := range n.Items {
		it = strings.TrimSpace(it)
		if !itemRE.MatchString(it) {
			return nil, FieldError("items", "item %d (%q) is not a valid %s entry", i+1, it, n.Kind)
		}
		if seen[it] {
			return nil, FieldError("items", "item %q is listed twice", it)
		}
		seen[it] = true
		out.Items = append(out.Items, it)
	}
	out.Count = n.Count
	return out, nil
}

// ParseFen parses an amount in yuan written with at most two decimals
// ("1980000.00", "0.1", "12") into integer fen, exactly: no floating point
// ever holds it. Signs, exponents, separators, more than two decimals and
// more than 13 integer digits are EINVALID.
func ParseFen(s string) (int64, error) {
	bad := FieldError("amount", "an amount in yuan with at most two decimals is required, like 1980000.00")
	ip, fp, dot := strings.Cut(s, ".")
	if ip == "" || len(ip) > 13 || !digitsRE.MatchString(ip) {
		return 0, bad
	}
	if dot && (fp == "" || len(fp) > 2 || !digitsRE.MatchString(fp)) {
		return 0, bad
	}
	yuan, err := strconv.ParseInt(ip, 10, 64)
	if err != nil {
		return 0, bad
	}
	fen := int64(0)
	if fp != "" {
		fp += strings.Repeat("0", 2-len(fp))
		f, _ := strconv.ParseInt(fp, 10, 64)
		fen = f
	}
	return yuan*100 + fen, nil
}

// FormatFen writes fen as yuan with two decimals.
func FormatFen(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}
