package fourcuts

import (
	"net/netip"
	"strings"

	"github.com/zhudun/zhudun"
)

// Version names the detector set; every piece of evidence carries it.
const Version = "fourcuts/1.0"

// Config holds every threshold of the detectors (docs/fourcuts.md explains
// each), the switches that turn signals off, and the allowlist. The zero
// value of a field means its default. Every threshold a signal used is in
// its evidence: the main one as Evidence.Threshold, the others as
// Evidence.Limits, under these field names.
type Config struct {
	ShortCallSec            int32   // a call this short or shorter counts as short (30 s)
	IMSIPerIMEI             int     // distinct IMSIs through one IMEI that suggest a pool (4)
	IMSIPerIMEIStrong       int     // … that weigh more (6)
	SlotMoves               int     // distinct IMEIs one card moves through (3)
	OTPPlatforms            int     // floor of distinct platforms sending one number codes (5; adapts upward)
	OTPPlatformsStrong      int     // … on their own proof of a code-receiving number (10)
	AccountsPerCard         int     // devices behind the accounts one number verified (3; adapts upward)
	AccountsStrong          int     // … on their own proof (6)
	AdaptQuantile           float64 // adaptive thresholds sit above this quantile of numbers with a human life (0.995)
	AdaptSample             int     // … once at least this many such numbers exist (200)
	HumanCallbacks          int     // a number with this many peers calling back has a human life (1) …
	HumanCallers            int     // … as has one rung by this many peers it never called (3)
	SMSOnlyPlatforms        int     // code platforms of a number with no voice at all (2)
	CardSamePlatform        int     // accounts of one number on one platform (2)
	FanoutPeers             int     // fewest distinct peers called before fan-out is judged (20)
	FanoutPerDay            float64 // distinct peers called per active day (20)
	CallbackMax             float64 // share of called peers who call back, below which fan-out is one-way (0.1)
	FanoutShortShare        float64 // share of peers called briefly in a fan-out (0.5)
	QuietCallers            int     // at most this many callers it never called: no inbound life (1)
	ShortCallsPeers         int     // peers an IMEI called before short_calls is judged (10)
	ShortCallsShare         float64 // share of them called briefly (0.6)
	StaticPartners          int     // call partners of a single-cell IMEI before it counts as static (5)
	StaticCellPartners      int     // … before static_cell fires (10)
	LifelessCallsMin        int     // call partners before cards_without_life is judged (5)
	LifelessCardShare       float64 // share of an IMEI's cards without life (0.8)
	PersonalCallers         int     // callers it never called that make a card personal (2) …
	PersonalShare           float64 // … on this share of an IMEI's cards (0.2)
	InvalidIMEIMaxShare     float64 // invalid_imei counts only if at most this share of voice IMEIs are invalid (0.2)
	TACCluster              int     // single-cell IMEIs sharing a cell and a TAC; gateway-like channels at one cell (4)
	GatewayShare            float64 // share of a cluster's or cell's static fan-out IMEIs that are gateway-like (0.75)
	GatewaySiblings         int     // black siblings in a cell+TAC cluster (2)
	PoolCellModems          int     // black modems at one cell that make it a pool's cell (2)
	BurstMinutes            int     // sliding window of an outlet burst (60)
	BurstSize               int     // activations in that window (10)
	BurstShare              float64 // share of a burst at odd hours and for far-away holders (0.5)
	OddHourFrom             int     // odd hours start (22) …
	OddHourTo               int     // … and end (6), CST
	OddFarOutlet            int     // odd-hour activations for far-away holders that mark an outlet (5) …
	OddFarShare             float64 // … making up this share of its activations (0.3) …
	OddFarStrongShare       float64 // … or this share, which convicts alone (0.8)
	LivedOpening            float64 // factor on opening evidence of a card that lives a person's life (0.5)
	HolderCards             int     // cards one holder opens within HolderDays (6)
	HolderCarrierCards      int     // … or this many across HolderCarriers carriers (4)
	HolderCarriers          int     // (3)
	HolderDays              int     // (7)
	HolderCardsCarriers     int     // stated carriers that make a holder's many cards holder_cards (2)
	HolderCarrierShare      float64 // share of a holder's window a carrier must hold to count (0.2)
	PerCarrierLegal         int     // cards one holder may legally hold per carrier (5)
	FingerprintsPerIMEI     int     // device fingerprints behind one IMEI (3)
	SocialIMEIShare         float64 // share of an IMEI's numbers with a human life that makes it a shared default IMEI (0.5)
	AccountsPerDevice       int     // numbers behind one fingerprint's accounts (5)
	SameAppAccounts         int     // numbers behind one fingerprint on one platform (2)
	SingleUseCluster        int     // single-use flagged fingerprints on one prefix (5) …
	SingleUseShare          float64 // … making up this share of its registrations (0.5)
	LockstepSize            int     // registrations on one platform and prefix … (10)
	LockstepMinutes         int     // … within this sliding window (10)
	LifelessNumbers         int     // numbers with no life at all behind one address or fingerprint (5) …
	LifelessShare           float64 // … making up at least this share of its numbers (0.8)
	BlackShare              float64 // share of an address's or fingerprint's accounts that are black (0.5)
	SharedUsers             int64   // users behind an address (ip event's shared) that make it a shared exit (20)
	RentedLineBlack         int     // black accounts that make a shared rented exit black below the share (2) …
	RentedExitShare         float64 // … when they are at least this share of a proxy or IDC exit's accounts (0.4)
	SuspectScore            float64 // own score of a card that makes its accounts suspect (0.5)
	BlackNeighbours         int     // black cards inside a device, or black accounts a card verified, that weigh 0.9 (2)
	GangLineShare           float64 // share of a fragment's black addresses shared with a group that joins them (1/3)
	GangAnchorCards         int     // black cards tier 1 tied together that make a group an operation of its own (2)
	BlackScore              float64 // score at which an entity is asserted black (0.75)
	CorroboratedCap         float64 // highest score without a signal that convicts alone or two kinds (0.6)
	LeadScore               float64 // score from which a non-black entity is a lead (0.3)
	MaxRounds               int     // rounds of the graph stage before it stops unconverged (50)
	StructureStrangers      int     // unrelated numbers in one biconnected web of numbers × phones that make it an operation (3) …
	StructureLift           float64 // … with at least this many times the edges its degrees predict (3)
	StructureChainPhones    int     // stranger-shared phones chained by their numbers that make an operation (3)
	StructureChainStrangers int     // … whose numbers form this many unrelated groups (6)
	StructureChainHub       int     // numbers on one phone from which it is a hub (a default IMEI), not a reset handset of a chain (10) …
	StructureChainApart     int     // … or this many when every group makes calls at home hours from cells no other group does (5)
	HomeHourFrom            int     // home hours start (20) …
	HomeHourTo              int     // … and end (8), CST: the cells of a number's calls then are where its resident lives
	StructureGrowShare      float64 // share of a phone's numbers that must be an operation's before the phone, outside its web, becomes its phone (0.2)
	Leads                   bool    // collect leads (Result.Leads)
	OpeningSpreads          bool    // a card black only by how it was opened, with a life of its own, makes its accounts and phones black (false)
	NoHomeLineTies          bool    // a phone outside a web joins it even when an operation number and another number on it registered through one household line no web phone used (false)
	NoCellTies              bool    // numbers calling from one cell at home hours are not one social group in the structure stage (false)
	NoChainApart            bool    // a chain of stranger-shared phones needs StructureChainStrangers groups even when they live apart (false)
	NoChainLines            bool    // chains of stranger-shared phones are not joined through a line mostly their own (false)
	ReachOneGroup           bool    // a phone whose numbers all live together (cell ties) or are one holder's is an operation's when on its web or they are its numbers (false)
	NoLineReach             bool    // a stranger-shared phone does not join an operation through the operation's own lines (false)
	OwnCardsPool            bool    // many cards through one IMEI count as a pool's slots even when all are one holder's own legal cards (false)

	// Off names signals switched off (docs/fourcuts.md lists them): they
	// neither fire nor spread. For ablation and for a feed that is known to
	// fake one field.
	Off []string

	Allow Allowlist
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config { return Config{}.withDefaults() }

// Validate reports a switched-off signal that does not exist.
func (c Config) Validate() error {
	for _, s := range c.Off {
		if _, ok := signals[s]; !ok {
			return zhudun.FieldError("off", "unknown signal %q", s)
		}
	}
	return nil
}

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
	f(&c.AdaptQuantile, 0.995)
	d(&c.AdaptSample, 200)
	d(&c.HumanCallbacks, 1)
	d(&c.HumanCallers, 3)
	d(&c.SMSOnlyPlatforms, 2)
	d(&c.CardSamePlatform, 2)
	d(&c.FanoutPeers, 20)
	f(&c.FanoutPerDay, 20)
	f(&c.CallbackMax, 0.1)
	f(&c.FanoutShortShare, 0.5)
	d(&c.QuietCallers, 1)
	d(&c.ShortCallsPeers, 10)
	f(&c.ShortCallsShare, 0.6)
	d(&c.StaticPartners, 5)
	d(&c.StaticCellPartners, 10)
	d(&c.LifelessCallsMin, 5)
	f(&c.LifelessCardShare, 0.8)
	d(&c.PersonalCallers, 2)
	f(&c.PersonalShare, 0.2)
	f(&c.InvalidIMEIMaxShare, 0.2)
	d(&c.TACCluster, 4)
	f(&c.GatewayShare, 0.75)
	d(&c.GatewaySiblings, 2)
	d(&c.PoolCellModems, 2)
	d(&c.BurstMinutes, 60)
	d(&c.BurstSize, 10)
	f(&c.BurstShare, 0.5)
	d(&c.OddHourFrom, 22)
	d(&c.OddHourTo, 6)
	d(&c.OddFarOutlet, 5)
	f(&c.OddFarShare, 0.3)
	f(&c.OddFarStrongShare, 0.8)
	f(&c.LivedOpening, 0.5)
	d(&c.HolderCards, 6)
	d(&c.HolderCarrierCards, 4)
	d(&c.HolderCarriers, 3)
	d(&c.HolderDays, 7)
	d(&c.HolderCardsCarriers, 2)
	f(&c.HolderCarrierShare, 0.2)
	d(&c.PerCarrierLegal, 5)
	d(&c.FingerprintsPerIMEI, 3)
	f(&c.SocialIMEIShare, 0.5)
	d(&c.AccountsPerDevice, 5)
	d(&c.SameAppAccounts, 2)
	d(&c.SingleUseCluster, 5)
	f(&c.SingleUseShare, 0.5)
	d(&c.LockstepSize, 10)
	d(&c.LockstepMinutes, 10)
	d(&c.LifelessNumbers, 5)
	f(&c.LifelessShare, 0.8)
	f(&c.BlackShare, 0.5)
	if c.SharedUsers == 0 {
		c.SharedUsers = 20
	}
	d(&c.RentedLineBlack, 2)
	f(&c.RentedExitShare, 0.4)
	f(&c.SuspectScore, 0.5)
	d(&c.BlackNeighbours, 2)
	f(&c.GangLineShare, 1.0/3)
	d(&c.GangAnchorCards, 2)
	f(&c.BlackScore, 0.75)
	f(&c.CorroboratedCap, 0.6)
	f(&c.LeadScore, 0.3)
	d(&c.MaxRounds, 50)
	d(&c.StructureStrangers, 4)
	f(&c.StructureLift, 3)
	d(&c.StructureChainPhones, 3)
	d(&c.StructureChainStrangers, 6)
	d(&c.StructureChainApart, 5)
	d(&c.StructureChainHub, 10)
	d(&c.HomeHourFrom, 20)
	d(&c.HomeHourTo, 8)
	f(&c.StructureGrowShare, 0.2)
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

// CanonicalAllow is the form the engine compares an allowlist value in:
// a number's 11 digits, an IMEI's first 14, a platform in lower case, an
// address prefix masked (prefix true, with its length in bits). ok is
// false for a value the engine cannot read.
func CanonicalAllow(typ, value string) (canon string, prefix bool, bits int, ok bool) {
	one := Allowlist{Entries: []AllowEntry{{Type: typ, Value: value, Reason: "-"}}}
	if one.Compile() != nil {
		return "", false, 0, false
	}
	if len(one.prefixes) == 1 {
		p := one.prefixes[0].p
		return p.String(), true, p.Bits(), true
	}
	for k := range one.exact {
		return k[len(typ)+1:], false, 0, true
	}
	return "", false, 0, false
}
