// Package sim writes a simulated city's carrier and platform feeds — a
// population with the legitimate look-alikes the contract names, plus several
// kinds of black-industry operation — and the ground truth, following
// docs/spec/events.md. Every rate and proportion is a parameter so that tests
// can check the engine over many worlds, not one.
package sim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/zhudun/zhudun/fourcuts"
)

// Params describes a world. Zero values mean defaults (see Defaults).
type Params struct {
	Users int
	Days  int
	Seed  uint64
	Start time.Time

	// Black operations per 20,000 users (scaled, at least one each when >0).
	CatPools, Studios, EmuFarms, GoIPs, BulkOutlets, HolderRings float64

	// Look-alikes, as shares of users.
	Couriers, Sales, Gamers, MultiCard, DualSIM, Students float64
	// Companies onboarding staff from one address within an hour.
	Companies int

	// Black-operation knobs.
	InvalidIMEIShare   float64 // share of modem and gateway IMEIs failing Luhn
	SlotsMin, SlotsMax int     // slots per cat-pool modem
	RegsPerCard        float64
	DialupIntelShare   float64 // share of dial-up addresses that intelligence names
	// Suppliers shared by the studios (what links one operation to another
	// without making them one): DialupPool is the size of the city's
	// rotating dial-up (秒拨) pool per studio, from which every studio's
	// dial-up registrations draw, so an address now and then serves two
	// studios (negative: a fresh address for every registration);
	// SharedProxies is the share of a studio's proxies rented from one
	// provider that serves them all (negative: none).
	DialupPool       int
	SharedProxies    float64
	HolderPseudonyms float64 // share of holders given as pseudonyms

	// Stressors: legitimate look-alikes the default world lacks, and an
	// operation that hides in ordinary behaviour (stress.go, quiet.go).
	// Zero is off, so a world without them is the world it always was.
	// Each draws its sizes and rates from distributions, never a fixed
	// minimum a detector could sit just under.

	// QuietSales is the share of users working as sales agents or
	// call-centre staff: dozens of short outbound calls a working day from
	// a company handset in one office, rung back 0–1 times a day.
	QuietSales float64
	// ProxyUsers is the share of users who register through a shared
	// commercial VPN or proxy exit, or an address in a data centre (cloud
	// desktops, company egress), some with the SDK's vpn/proxy flag. When
	// set, studios now and then register through the same commercial
	// exits, which stay unlabelled (like carrier NAT).
	ProxyUsers float64
	// KeyedHolders gives every holder as a keyed pseudonym (an HMAC of the
	// resident ID under one provider key, as the contract recommends): no
	// clear ID, so no province of origin, for anyone.
	KeyedHolders bool
	// IMEISV is the share of (phone, carrier) pairs whose call records carry
	// the 16-digit IMEISV (a sixth of those the 14-digit body instead) while
	// registrations carry the 15-digit IMEI; a few phones change software
	// version mid-period. Truth names a device by the 15-digit form seen
	// in the feed when there is one (docs/spec/events.md).
	IMEISV float64
	// Fleets is the number of company fleets and IoT batches per 20,000
	// users: tens to hundreds of cards of one enterprise holder opened in
	// one night batch at one outlet — trackers and meters (13-digit IoT
	// numbers, no calls) or drivers' phones of one model.
	Fleets float64
	// EveningMigrants is the share of users who arrive in the period from
	// a far province and open a local card in the evening, alone or with
	// a group recruited by the same factory, then use it as anyone does.
	EveningMigrants float64
	// FamilyPhones is the share of households (two or more people) whose
	// cards all pass through one shared family phone, often, and who
	// register some apps on it.
	FamilyPhones float64
	// DualSIMPhones is the share of users with two cards of different
	// carriers used about equally in one phone, some of whom move the
	// second card into an old phone for a few days.
	DualSIMPhones float64
	// NewPhoneSetups is the share of users who set up a new phone in the
	// period and register about a dozen apps on it in one day (the old
	// phone often passes to someone in the household).
	NewPhoneSetups float64
	// FamilyVerifiers is the share of households whose phones verify each
	// other's accounts (a parent's account registered on a child's phone
	// with the parent's number, and the reverse).
	FamilyVerifiers float64
	// BriefModems adds to each cat pool, per modem it has, this many
	// modems on average that show up in only one or two short calls in the
	// whole period, carrying one of the pool's cards at the pool's cell
	// (a spare swapped in for a day; another make now and then).
	BriefModems float64
	// QuietOps is the number of ordinary-looking registration operations
	// per 20,000 users: every card, phone, fingerprint, address and
	// registration time within what ordinary people show; only the joint
	// structure — few phones × many cards × many platforms — is dense.
	QuietOps float64
	// QuietIPhones is the share of a quiet operation's phones that are
	// iPhones (0: 0.6). An iPhone gives apps no IMEI and its app data can
	// be reset without limit, so at 1 no phone of the operation keeps an
	// identity across its numbers: its numbers × phones graph is a forest
	// of fresh fingerprints, not a web.
	QuietIPhones float64
	// ExitShare is the share of a studio's registrations that go through
	// the city's shared commercial exits when ProxyUsers is set (0: 0.04):
	// operations use the same VPN and cloud exits as everyone, and more of
	// them put more black accounts among the residents' on a popular exit.
	ExitShare float64

	// Output.
	Jitter     time.Duration // events up to this much out of order (10 min)
	Duplicates float64       // share of events delivered twice
	Malformed  int           // malformed lines injected (each listed in Result.Malformed)
}

// Defaults fills zero fields.
func (p Params) Defaults() Params {
	if p.Users == 0 {
		p.Users = 20000
	}
	if p.Days == 0 {
		p.Days = 7
	}
	if p.Start.IsZero() {
		p.Start = time.Date(2021, 6, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	}
	f := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	f(&p.CatPools, 2)
	f(&p.Studios, 3)
	f(&p.EmuFarms, 1)
	f(&p.GoIPs, 2)
	f(&p.BulkOutlets, 2)
	f(&p.HolderRings, 1)
	f(&p.Couriers, 0.015)
	f(&p.Sales, 0.015)
	f(&p.Gamers, 0.02)
	f(&p.MultiCard, 0.04)
	f(&p.DualSIM, 0.2)
	f(&p.Students, 0.06)
	if p.Companies == 0 {
		p.Companies = max(1, p.Users/8000)
	}
	f(&p.InvalidIMEIShare, 0.4)
	if p.SlotsMin == 0 {
		p.SlotsMin = 8
	}
	if p.SlotsMax == 0 {
		p.SlotsMax = 32
	}
	f(&p.RegsPerCard, 5)
	f(&p.DialupIntelShare, 0.4)
	if p.DialupPool == 0 {
		p.DialupPool = 400
	}
	f(&p.SharedProxies, 0.3)
	f(&p.HolderPseudonyms, 0.1)
	if p.Jitter == 0 {
		p.Jitter = 8 * time.Minute
	}
	f(&p.Duplicates, 0.002)
	return p
}

func (p Params) ops(per20k float64) int {
	if per20k < 0 {
		return 0
	}
	n := int(math.Round(per20k * float64(p.Users) / 20000))
	if n < 1 && per20k > 0 {
		n = 1
	}
	return n
}

// Truth is one labelled entity.
type Truth struct {
	Category   string `json:"category"`
	EntityType string `json:"entity_type"`
	Entity     string `json:"entity"`
	Gang       string `json:"gang,omitempty"`
}

var (
	homeRegions = []string{"370102", "370103", "370104", "370105", "370112", "370113"}
	farRegions  = []string{"450102", "530102", "520102", "350582", "460105", "510105", "420102", "610102"}
	carriers    = []string{"cmcc", "cucc", "ctcc"}
	prefixes    = map[string][]string{
		"cmcc": {"134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "183", "187", "188", "198"},
		"cucc": {"130", "131", "132", "155", "156", "185", "186", "166"},
		"ctcc": {"133", "153", "180", "181", "189", "199"},
	}
	mnc = map[string]string{"cmcc": "46000", "cucc": "46001", "ctcc": "46011"}

	platforms = []string{"wechat", "alipay", "taobao", "douyin", "kuaishou", "meituan", "pinduoduo", "jd", "weibo",
		"xiaohongshu", "bilibili", "didi", "qq", "zhihu", "ctrip", "eleme", "baidu", "iqiyi", "12306", "dingtalk",
		"wework", "netease-game", "wangzhe", "genshin", "momo"}
	gamePlatforms = []string{"netease-game", "wangzhe", "genshin"}
)

type model struct {
	name, os, tac string
	apple         bool
}

var models = []model{
	{"HUAWEI P40", "HarmonyOS 2.0", "86123904", false},
	{"HUAWEI Mate 40", "HarmonyOS 2.0", "86754504", false},
	{"Xiaomi 11", "Android 11", "86401905", false},
	{"Redmi K40", "Android 11", "86981305", false},
	{"OPPO Reno6", "Android 11", "86622805", false},
	{"vivo X60", "Android 11", "86789005", false},
	{"HONOR 30", "Android 10", "86455304", false},
	{"OnePlus 9", "Android 11", "86330805", false},
	{"iPhone 12", "iOS 14.6", "35328711", true},
	{"iPhone 11", "iOS 14.4", "35391110", true},
	{"iPhone 13", "iOS 15.0", "35046773", true},
	{"SM-G9910", "Android 11", "35157812", false},
}

var emuModels = []model{
	{"SM-G9880", "Android 9", "35300011", false},
	{"MuMu", "Android 6.0.1", "86000012", false},
	{"LDPlayer", "Android 7.1.2", "86516602", false},
}

// rng helpers
type gen struct {
	r    *rand.Rand
	seen map[string]bool
	key  []byte // the provider's pseudonym key (Params.KeyedHolders)
}

// keyed returns the keyed pseudonym of a resident ID: HMAC-SHA256 under
// the provider's key, hex, as a carrier that follows the contract sends it.
func (g *gen) keyed(id string) string {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }
func (g *gen) chance(p float64) bool  { return g.r.Float64() < p }
func (g *gen) between(a, b int) int {
	if b <= a {
		return a
	}
	return a + g.r.IntN(b-a+1)
}

func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

func (g *gen) hex(n int) string {
	const h = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = h[g.r.IntN(16)]
	}
	return string(b)
}

func (g *gen) unique(f func() string) string {
	for {
		s := f()
		if !g.seen[s] {
			g.seen[s] = true
			return s
		}
	}
}

func (g *gen) msisdn(carrier string) string {
	return g.unique(func() string { return g.pick(prefixes[carrier]) + g.digits(8) })
}

func (g *gen) imsi(carrier string) string {
	return g.unique(func() string { return mnc[carrier] + g.digits(10) })
}

func (g *gen) iccid() string {
	return g.unique(func() string { return "8986" + g.digits(15) })
}

// imei returns a fresh IMEI of the given TAC. Its first 14 digits are
// unique too: the contract makes IMEIs that share them one device.
func (g *gen) imei(tac string, valid bool) string {
	for {
		body := tac + g.digits(6)
		if g.seen[body] {
			continue
		}
		g.seen[body] = true
		c := fourcuts.LuhnDigit(body)
		if !valid {
			c = byte('0' + (int(c-'0')+1+g.r.IntN(9))%10)
		}
		return body + string(c)
	}
}

var idW = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

func (g *gen) residentID(region string) string {
	return g.unique(func() string {
		y := 1950 + g.r.IntN(55)
		body := fmt.Sprintf("%s%04d%02d%02d%03d", region, y, 1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(1000))
		sum := 0
		for i := 0; i < 17; i++ {
			sum += int(body[i]-'0') * idW[i]
		}
		return body + string("10X98765432"[sum%11])
	})
}

func (g *gen) holder(region string, pseud float64) string {
	if g.key != nil {
		return g.keyed(g.residentID(region))
	}
	if g.chance(pseud) {
		return g.unique(func() string { return "h:" + g.hex(24) })
	}
	return g.residentID(region)
}

func (g *gen) fp() string { return g.unique(func() string { return "fp-" + g.hex(16) }) }

func (g *gen) cell() string {
	return fmt.Sprintf("460-00-%d-%d", 20000+g.r.IntN(60), 10000+g.r.IntN(90000))
}

func (g *gen) account(platform string) string {
	return g.unique(func() string { return platform + "\x00u" + g.digits(9) })[len(platform)+1:]
}

func (g *gen) ipv4(a, b int) string {
	return g.unique(func() string {
		return fmt.Sprintf("%d.%d.%d.%d", a, b, g.r.IntN(256), 1+g.r.IntN(254))
	})
}
