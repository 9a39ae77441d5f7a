package fourcuts

import (
	"net/netip"
	"strings"

	"github.com/zhudun/zhudun"
)

// Version names the detector set; every piece of evidence carries it.
const Version = "fourcuts/1.0"

// Config holds every threshold of the detectors (docs/fourcuts.md explains
// each) and the allowlist. The zero value of a field means its default.
type Config struct {
	ShortCallSec        int32   // a call this short or shorter counts as short (30 s)
	IMSIPerIMEI         int     // distinct IMSIs through one IMEI that suggest a pool (4)
	IMSIPerIMEIStrong   int     // … that prove one on their own (6)
	SlotMoves           int     // distinct IMEIs one card moves through (3)
	OTPPlatforms        int     // floor of distinct platforms sending one number codes (5; adapts upward)
	OTPPlatformsStrong  int     // … on their own proof of a code-receiving number (10)
	AccountsPerCard     int     // accounts verified by one number (3)
	AccountsStrong      int     // … on their own proof (6)
	FanoutPerDay        float64 // distinct peers called per active day (20)
	CallbackMax         float64 // share of called peers who call back, below which fan-out is one-way (0.1)
	TACCluster          int     // single-cell IMEIs sharing a cell and a TAC; gateway-like channels at one cell (4)
	BurstMinutes        int     // window of an outlet burst (60)
	BurstSize           int     // activations in that window (10)
	OddHourFrom         int     // odd hours start (22) …
	OddHourTo           int     // … and end (6), CST
	OddFarOutlet        int     // odd-hour activations for far-away holders that mark an outlet (5)
	HolderCards         int     // cards one holder opens within HolderDays (6)
	HolderCarrierCards  int     // … or this many across HolderCarriers carriers (4)
	HolderCarriers      int     // (3)
	HolderDays          int     // (7)
	PerCarrierLegal     int     // cards one holder may legally hold per carrier (5)
	FingerprintsPerIMEI int     // device fingerprints behind one IMEI (3)
	AccountsPerDevice   int     // accounts from one fingerprint (5)
	SameAppAccounts     int     // accounts on one platform from one fingerprint (2)
	SingleUseCluster    int     // single-use flagged fingerprints on one prefix (5)
	LockstepSize        int     // registrations on one platform and prefix in 10 minutes (10)
	LifelessNumbers     int     // numbers with no life at all behind one address or fingerprint (5) …
	LifelessShare       float64 // … making up at least this share of its numbers (0.8)
	BlackShare          float64 // share of an address's or fingerprint's accounts that are black (0.5)
	BlackScore          float64 // score at which an entity is asserted black (0.75)
	LeadScore           float64 // score from which a non-black entity is a lead (0.3)
	Leads               bool    // collect leads (Result.Leads)

	Allow Allowlist
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config { return Config{}.withDefaults() }

func (c Config) withDefaults() Config {
	d := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	f := func(v *float64, def float64) {
		if *v == 0 {
			*v = def
		}
	}
	if c.ShortCallSec == 0 {
		c.ShortCallSec = 30
	}
	d(&c.IMSIPerIMEI, 4)
	d(&c.IMSIPerIMEIStrong, 6)
	d(&c.SlotMoves, 3)
	d(&c.OTPPlatforms, 5)
	d(&c.OTPPlatformsStrong, 10)
	d(&c.AccountsPerCard, 3)
	d(&c.AccountsStrong, 6)
	f(&c.FanoutPerDay, 20)
	f(&c.CallbackMax, 0.1)
	d(&c.TACCluster, 4)
	d(&c.BurstMinutes, 60)
	d(&c.BurstSize, 10)
	d(&c.OddHourFrom, 22)
	d(&c.OddHourTo, 6)
	d(&c.OddFarOutlet, 5)
	d(&c.HolderCards, 6)
	d(&c.HolderCarrierCards, 4)
	d(&c.HolderCarriers, 3)
	d(&c.HolderDays, 7)
	d(&c.PerCarrierLegal, 5)
	d(&c.FingerprintsPerIMEI, 3)
	d(&c.AccountsPerDevice, 5)
	d(&c.SameAppAccounts, 2)
	d(&c.SingleUseCluster, 5)
	d(&c.LockstepSize, 10)
	d(&c.LifelessNumbers, 5)
	f(&c.LifelessShare, 0.8)
	f(&c.BlackShare, 0.5)
	f(&c.BlackScore, 0.75)
	f(&c.LeadScore, 0.3)
	return c
}

// AllowEntry exempts one entity (or, for ip, a CIDR prefix) from findings.
type AllowEntry struct {
	// Type is an entity type: msisdn, ip, imei, device, account, holder.
	// A holder entry exempts the cards the holder opened (IoT or company
	// cards registered to an enterprise).
	Type   string `json:"type"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// Allowlist is configuration: known enterprise NATs, courier numbers, IoT
// cards. An allowlisted entity never becomes a finding and does not spread
// suspicion; the suppression is reported with its reason.
type Allowlist struct {
	Entries []AllowEntry `json:"allow"`

	exact    map[string]string // "type\x00canonical" → reason
	prefixes []allowPrefix
}

type allowPrefix struct {
	p      netip.Prefix
	reason string
}

// Compile validates the entries and canonicalises their values.
func (a *Allowlist) Compile() error {
	a.exact = map[string]string{}
	a.prefixes = nil
	for i, en := range a.Entries {
		if en.Reason == "" {
			return zhudun.FieldError("allow", "entry %d: a reason is required", i+1)
		}
		var canon []byte
		ok := true
		v := []byte(strings.TrimSpace(en.Value))
		switch en.Type {
		case "msisdn":
			canon, ok = AppendMsisdn(nil, v)
		case "imei":
			// one device, whichever of its 14-, 15- or 16-digit forms is listed
			canon, ok = AppendIMEI(nil, v)
			canon = canon[:min(len(canon), IMEIBody)]
		case "device":
			canon, ok = AppendOpaque(nil, v)
		case "holder":
			canon, ok = AppendHolder(nil, v)
		case "account":
			k := strings.IndexByte(string(v), ':')
			if k <= 0 {
				ok = false
				break
			}
			canon, _ = AppendLower(nil, v[:k])
			canon = append(canon, v[k:]...)
		case "ip":
			if strings.Contains(string(v), "/") {
				p, err := netip.ParsePrefix(string(v))
				if err != nil {
					return zhudun.FieldError("allow", "entry %d: bad prefix %q", i+1, en.Value)
				}
				a.prefixes = append(a.prefixes, allowPrefix{p.Masked(), en.Reason})
				continue
			}
			canon, ok = AppendIP(nil, v)
		default:
			return zhudun.FieldError("allow", "entry %d: unknown type %q", i+1, en.Type)
		}
		if !ok {
			return zhudun.FieldError("allow", "entry %d: malformed %s", i+1, en.Type)
		}
		a.exact[en.Type+"\x00"+string(canon)] = en.Reason
	}
	return nil
}

// reason returns why an entity is allowlisted, or "".
func (a *Allowlist) reason(typ, entity string) string {
	if a == nil || (len(a.exact) == 0 && len(a.prefixes) == 0) {
		return ""
	}
	if typ == "imei" && len(entity) > IMEIBody {
		entity = entity[:IMEIBody]
	}
	if r, ok := a.exact[typ+"\x00"+entity]; ok {
		return r
	}
	if typ == "ip" && len(a.prefixes) > 0 {
		if addr, err := netip.ParseAddr(entity); err == nil {
			for _, p := range a.prefixes {
				if p.p.Contains(addr) {
					return p.reason
				}
			}
		}
	}
	return ""
}
