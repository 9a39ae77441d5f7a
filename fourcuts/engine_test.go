package fourcuts_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/feed"
)

// scene builds a small feed by hand.
type scene struct {
	t   *testing.T
	evs []fourcuts.Event
}

func (s *scene) add(format string, args ...any) {
	s.t.Helper()
	line := fmt.Sprintf(format, args...)
	var ev fourcuts.Event
	_, reason := feed.DecodeJSON([]byte(line), &ev, nil)
	if reason != "" {
		s.t.Fatalf("bad test event %s: %s", line, reason)
	}
	s.evs = append(s.evs, ev)
}

func ts(day, hour, min int) string {
	return fmt.Sprintf("2021-06-%02dT%02d:%02d:00+08:00", day, hour, min)
}

// rid builds a resident ID with a valid check digit.
func rid(region string, seq int) string {
	body := fmt.Sprintf("%s19900101%03d", region, seq%1000)
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * w[i]
	}
	return body + string("10X98765432"[sum%11])
}

// luhn completes a 14-digit body into a valid 15-digit IMEI.
func luhn(body string) string { return body + string(fourcuts.LuhnDigit(body)) }

func (s *scene) cdr(msisdn, peer, dir string, dur int, imsi, imei, cell, when string) {
	s.add(`{"type":"cdr","ts":%q,"msisdn":%q,"peer":%q,"dir":%q,"dur":%d,"imsi":%q,"imei":%q,"cell":%q}`,
		when, msisdn, peer, dir, dur, imsi, imei, cell)
}

// population adds n ordinary residents who call each other and back, so
// that shares and baselines are not computed over an empty city.
func (s *scene) population(n int) {
	for i := 0; i < n; i++ {
		a := fmt.Sprintf("1390000%04d", i)
		b := fmt.Sprintf("1390000%04d", (i+1)%n)
		for d := 1; d <= 3; d++ {
			s.cdr(a, b, "mo", 120, fmt.Sprintf("4600000000%05d", i), luhn(fmt.Sprintf("861234000%05d", i)), "460-00-1-1", ts(d, 10, 0))
			s.cdr(b, a, "mt", 120, fmt.Sprintf("4600000000%05d", (i+1)%n), luhn(fmt.Sprintf("861234000%05d", (i+1)%n)), "460-00-1-2", ts(d, 10, 0))
			s.cdr(a, b, "mt", 90, fmt.Sprintf("4600000000%05d", i), luhn(fmt.Sprintf("861234000%05d", i)), "460-00-1-3", ts(d, 19, 0))
		}
	}
}

func (s *scene) detect(cfg fourcuts.Config) *fourcuts.Result {
	e := fourcuts.NewEngine(cfg)
	for i := range s.evs {
		e.Add(&s.evs[i])
	}
	return e.Detect()
}

func byCat(res *fourcuts.Result, cat string) map[string]fourcuts.Finding {
	m := map[string]fourcuts.Finding{}
	for _, f := range res.Findings {
		if f.Category == cat {
			m[f.Entity] = f
		}
	}
	return m
}

func (s *scene) catPool(imei string, cards int, cell string) []string {
	var ms []string
	for k := 0; k < cards; k++ {
		m := fmt.Sprintf("1700000%04d", k)
		ms = append(ms, m)
		for c := 0; c < 3; c++ {
			s.cdr(m, fmt.Sprintf("0531%08d", k*10+c), "mo", 10, fmt.Sprintf("4600100000%05d", k), imei, cell, ts(2, 3+c, k))
		}
	}
	return ms
}

var pool = luhn("86740000000001")

func TestCatPool(t *testing.T) {
	s := &scene{t: t}
	s.population(30)
	cards := s.catPool(pool, 8, "460-00-7-7")
	res := s.detect(fourcuts.DefaultConfig())
	dev := byCat(res, fourcuts.BlackDevice)
	f, ok := dev[pool]
	if !ok || len(dev) != 1 {
		t.Fatalf("devices = %v, want the modem only", keys(dev))
	}
	// imsi_per_imei 0.65, short_calls 0.35, cards_without_life 0.35,
	// one_way_fanout 0.35 (24 peers in a day), static_cell 0.2
	want := 1 - 0.35*0.65*0.65*0.65*0.8
	if d := f.Score - want; d > 1e-9 || d < -1e-9 {
		t.Errorf("score = %v, want %v (%+v)", f.Score, want, f.Evidence)
	}
	got := byCat(res, fourcuts.BlackCard)
	if len(got) != len(cards) {
		t.Fatalf("cards = %v, want %v", keys(got), cards)
	}
	for _, c := range cards {
		if got[c].Gang != f.Gang {
			t.Errorf("card %s in gang %s, modem in %s", c, got[c].Gang, f.Gang)
		}
	}
	for _, ev := range f.Evidence {
		if ev.Detector != fourcuts.Version {
			t.Errorf("evidence without detector version: %+v", ev)
		}
	}
}

func keys(m map[string]fourcuts.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestLookalikesOfDevices(t *testing.T) {
	s := &scene{t: t}
	s.population(30)
	// a family phone three cards pass through, ordinary long calls
	for k := 0; k < 3; k++ {
		m := fmt.Sprintf("1880000%04d", k)
		for c := 0; c < 4; c++ {
			s.cdr(m, fmt.Sprintf("1390000%04d", c), "mo", 200, fmt.Sprintf("4600200000%05d", k), luhn("86111111111111"), "460-00-2-2", ts(2+c%2, 18, c))
			s.cdr(m, fmt.Sprintf("1390000%04d", c), "mt", 150, fmt.Sprintf("4600200000%05d", k), luhn("86111111111111"), "460-00-2-2", ts(2+c%2, 20, c))
		}
	}
	// a sales office: ten staff at one cell, each with a work phone of
	// their choosing (two share a model), 80 short cold calls a day, few
	// calls back, some customers ringing in
	for k := 0; k < 10; k++ {
		m := fmt.Sprintf("1860000%04d", k)
		imei := luhn(fmt.Sprintf("86%d5550000%04d", k%9, k))
		imsi := fmt.Sprintf("4600300000%05d", k)
		for c := 0; c < 80; c++ {
			s.cdr(m, fmt.Sprintf("15%09d", k*1000+c), "mo", 20, imsi, imei, "460-00-3-3", ts(2, 9+c/10, c%60))
		}
		for c := 0; c < 5; c++ {
			s.cdr(m, fmt.Sprintf("0531%08d", k*100+c), "mt", 60, imsi, imei, "460-00-3-3", ts(2, 15, c))
		}
	}
	// a courier: 80 short calls from all over town, many calls back
	for c := 0; c < 80; c++ {
		peer := fmt.Sprintf("13%09d", 5000+c)
		cell := fmt.Sprintf("460-00-4-%d", c%12)
		s.cdr("18500000001", peer, "mo", 15, "460040000000001", luhn("86000000000000"), cell, ts(2, 8+c/8, c%60))
		if c%3 == 0 {
			s.cdr("18500000001", peer, "mt", 15, "460040000000001", luhn("86000000000000"), cell, ts(2, 9+c/8, c%60))
		}
	}
	res := s.detect(fourcuts.DefaultConfig())
	if len(res.Findings) != 0 {
		for _, f := range res.Findings {
			t.Errorf("look-alike found: %s %s %.3f %+v", f.Category, f.Entity, f.Score, f.Evidence)
		}
	}
}

func TestCodeReceivingNumber(t *testing.T) {
	s := &scene{t: t}
	s.population(20)
	for k := 0; k < 12; k++ {
		s.add(`{"type":"sms","ts":%q,"msisdn":"17100000001","sender":"10690%06d","platform":"app%d"}`, ts(2, 1+k, 0), k, k)
	}
	// a resident who got codes from three apps
	for k := 0; k < 3; k++ {
		s.add(`{"type":"sms","ts":%q,"msisdn":"13900000001","sender":"10690%06d","platform":"app%d"}`, ts(2, 9+k, 0), k, k)
	}
	res := s.detect(fourcuts.DefaultConfig())
	cards := byCat(res, fourcuts.BlackCard)
	if _, ok := cards["17100000001"]; !ok || len(cards) != 1 {
		t.Fatalf("cards = %v, want 17100000001 only", keys(cards))
	}
	// otp_platforms (12 ≥ 10: 0.9) and sms_only (0.4): 1 − 0.1·0.6
	if f := cards["17100000001"]; f.Score < 0.939 || f.Score > 0.941 {
		t.Errorf("score %v, want 0.94", f.Score)
	}
}

func TestStudioAndCompany(t *testing.T) {
	s := &scene{t: t}
	s.population(60)
	// a studio phone: six accounts, six spoofed fingerprints, one IMEI,
	// dial-up addresses
	for k := 0; k < 6; k++ {
		s.add(`{"type":"reg","ts":%q,"platform":"app%d","account":"s%d","msisdn":"1720000%04d","device":"fp-s%d","imei":"865000000000017","ip":"27.190.0.%d","model":"Xiaomi 11","os":"Android 11","flags":["hook"]}`,
			ts(3, 2, k*5), k%3, k, k, k, k+1)
	}
	s.add(`{"type":"ip","ts":%q,"ip":"27.190.0.1","kind":"dialup"}`, ts(1, 0, 0))
	// a company onboarding 60 staff from one address within the hour,
	// every one on their own phone and their own number
	for k := 0; k < 60; k++ {
		s.add(`{"type":"reg","ts":%q,"platform":"dingtalk","account":"c%d","msisdn":"1390000%04d","device":"fp-c%d","imei":%q,"ip":"221.0.0.9","model":"HUAWEI P40","os":"HarmonyOS 2.0"}`,
			ts(3, 9, k%60), k, k, k, luhn(fmt.Sprintf("861234000%05d", k)))
	}
	res := s.detect(fourcuts.DefaultConfig())
	accts := byCat(res, fourcuts.BlackAccount)
	fps := byCat(res, fourcuts.BlackSoftware)
	lines := byCat(res, fourcuts.BlackLine)
	cards := byCat(res, fourcuts.BlackCard)
	if len(accts) != 6 || len(fps) != 6 || len(lines) != 6 || len(cards) != 6 {
		t.Fatalf("accounts %d, fingerprints %d, lines %d, cards %d; want 6 each: %v %v", len(accts), len(fps), len(lines), len(cards), keys(accts), keys(lines))
	}
	for k := 0; k < 6; k++ {
		if _, ok := accts[fmt.Sprintf("app%d:s%d", k%3, k)]; !ok {
			t.Errorf("account app%d:s%d missing", k%3, k)
		}
	}
	gangs := map[string]bool{}
	for _, f := range res.Findings {
		gangs[f.Gang] = true
		if strings.HasPrefix(f.Entity, "dingtalk:") || f.Entity == "221.0.0.9" {
			t.Errorf("company onboarding found: %+v", f)
		}
	}
	if len(gangs) != 1 {
		t.Errorf("gangs = %v, want one", gangs)
	}
}

func TestBulkOpening(t *testing.T) {
	s := &scene{t: t}
	s.population(10)
	// 20 cards at 02:00 for holders from Guangxi at a Jinan outlet
	for k := 0; k < 20; k++ {
		s.add(`{"type":"sim","ts":%q,"msisdn":"1730000%04d","imsi":"4600500000%05d","holder":%q,"outlet":"OUT-BAD","carrier":"cmcc","region":"370102","action":"activate"}`,
			ts(2, 2, k*2), k, k, rid("450102", k))
	}
	// a company buying 20 cards for local staff at 10:00
	for k := 0; k < 20; k++ {
		s.add(`{"type":"sim","ts":%q,"msisdn":"1740000%04d","imsi":"4600600000%05d","holder":%q,"outlet":"OUT-GOOD","carrier":"cmcc","region":"370102","action":"activate"}`,
			ts(2, 10, k*2), k, k, rid("370102", k))
	}
	// a resident holding five cards of one carrier, opened over the years
	for k := 0; k < 5; k++ {
		s.add(`{"type":"sim","ts":"20%02d-03-01T10:00:00+08:00","msisdn":"1750000%04d","imsi":"4600700000%05d","holder":%q,"outlet":"OUT-GOOD","carrier":"cucc","region":"370102","action":"activate"}`,
			12+k, k, k, rid("370103", 1))
	}
	res := s.detect(fourcuts.DefaultConfig())
	cards := byCat(res, fourcuts.BlackCard)
	if len(cards) != 20 {
		t.Fatalf("cards = %d %v, want the 20 night cards", len(cards), keys(cards))
	}
	for m, f := range cards {
		if !strings.HasPrefix(m, "173") {
			t.Errorf("found %s", m)
		}
		if f.Evidence[0].Signal != "outlet_burst" || f.Evidence[0].Value != 20 {
			t.Errorf("evidence %+v", f.Evidence)
		}
	}
}

func TestAllowlist(t *testing.T) {
	s := &scene{t: t}
	s.population(30)
	s.catPool(pool, 8, "460-00-7-7")
	cfg := fourcuts.DefaultConfig()
	cfg.Allow.Entries = []fourcuts.AllowEntry{{Type: "imei", Value: pool, Reason: "carrier test rig"}}
	if err := cfg.Allow.Compile(); err != nil {
		t.Fatal(err)
	}
	res := s.detect(cfg)
	if n := len(byCat(res, fourcuts.BlackDevice)); n != 0 {
		t.Errorf("allowlisted device still found")
	}
	if len(res.Suppressed) != 1 || res.Suppressed[0].Entity != pool || res.Suppressed[0].Reason != "carrier test rig" {
		t.Errorf("suppressed = %+v", res.Suppressed)
	}
	bad := fourcuts.Allowlist{Entries: []fourcuts.AllowEntry{{Type: "ip", Value: "10.0.0.0/8"}}}
	if err := bad.Compile(); err == nil {
		t.Error("entry without reason accepted")
	}
}

// TestOrderIndependence: any order of the same events — shuffled files,
// stragglers, more cores — gives byte-identical findings.
func TestOrderIndependence(t *testing.T) {
	s := &scene{t: t}
	s.population(30)
	s.catPool(pool, 8, "460-00-7-7")
	for k := 0; k < 6; k++ {
		s.add(`{"type":"reg","ts":%q,"platform":"app%d","account":"s%d","msisdn":"1700000%04d","device":"fp-s%d","imei":"865000000000017","ip":"27.190.0.%d"}`,
			ts(3, 2, k*5), k%3, k, k, k, k+1)
	}
	want := render(s.detect(fourcuts.DefaultConfig()))
	if !strings.Contains(want, "black_account") {
		t.Fatal("scene found no accounts")
	}
	for seed := uint64(1); seed <= 5; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		r.Shuffle(len(s.evs), func(i, j int) { s.evs[i], s.evs[j] = s.evs[j], s.evs[i] })
		if got := render(s.detect(fourcuts.DefaultConfig())); got != want {
			t.Fatalf("shuffle %d changed findings:\n%s\nvs\n%s", seed, got, want)
		}
	}
}

func render(res *fourcuts.Result) string {
	var b []byte
	for i := range res.Findings {
		b = res.Findings[i].AppendJSON(b)
		b = append(b, '\n')
	}
	return string(b)
}

// TestReissuedNumber: a number used as a code-receiving number, cancelled
// and reissued to a resident. Its past is not the new holder's: the account
// the resident registers afterwards is not black.
func TestReissuedNumber(t *testing.T) {
	s := &scene{t: t}
	s.population(20)
	s.add(`{"type":"sim","ts":"2021-01-01T10:00:00+08:00","msisdn":"17600000001","imsi":"460010000000001","holder":%q,"outlet":"o1","action":"activate"}`, rid("450102", 1))
	for k := 0; k < 6; k++ {
		s.add(`{"type":"reg","ts":%q,"platform":"app%d","account":"x%d","msisdn":"17600000001","device":"fp-x%d","ip":"27.190.1.%d"}`, ts(1, 1+k, 0), k, k, k, k+1)
	}
	s.add(`{"type":"sim","ts":%q,"msisdn":"17600000001","imsi":"460010000000001","holder":%q,"outlet":"o1","action":"cancel"}`, ts(2, 9, 0), rid("450102", 1))
	s.add(`{"type":"sim","ts":%q,"msisdn":"17600000001","imsi":"460010000000002","holder":%q,"outlet":"o2","action":"activate"}`, ts(4, 10, 0), rid("370102", 2))
	s.add(`{"type":"reg","ts":%q,"platform":"wechat","account":"resident","msisdn":"17600000001","device":"fp-home","ip":"60.208.1.1"}`, ts(5, 10, 0))
	res := s.detect(fourcuts.DefaultConfig())
	accts := byCat(res, fourcuts.BlackAccount)
	if _, ok := accts["wechat:resident"]; ok {
		t.Errorf("the new holder's account was found")
	}
	if len(accts) != 6 {
		t.Errorf("accounts = %v, want the six of the old holder", keys(accts))
	}
}

// TestMemoryFollowsEntities: delivering the same feed again adds events but
// no entity, no pair and no kept record.
func TestMemoryFollowsEntities(t *testing.T) {
	s := &scene{t: t}
	s.population(30)
	s.catPool(pool, 8, "460-00-7-7")
	for k := 0; k < 6; k++ {
		s.add(`{"type":"reg","ts":%q,"platform":"app%d","account":"s%d","msisdn":"1700000%04d","device":"fp-s%d","ip":"27.190.0.%d"}`,
			ts(3, 2, k*5), k%3, k, k, k, k+1)
	}
	s.add(`{"type":"sim","ts":%q,"msisdn":"17300000001","imsi":"460050000000001","holder":"h:1","outlet":"o","action":"activate"}`, ts(1, 1, 0))
	e := fourcuts.NewEngine(fourcuts.DefaultConfig())
	for i := range s.evs {
		e.Add(&s.evs[i])
	}
	ents, pairs := e.Entities(), e.Pairs()
	first := render(e.Detect())
	for round := 0; round < 3; round++ {
		for i := range s.evs {
			e.Add(&s.evs[i])
		}
	}
	if e.Entities() != ents || e.Pairs() != pairs {
		t.Errorf("re-delivery grew the engine: %d→%d entities, %d→%d pairs", ents, e.Entities(), pairs, e.Pairs())
	}
	if got := render(e.Detect()); got != first {
		t.Errorf("re-delivery changed the findings")
	}
}

// TestEnterpriseFleet: one local holder opening 40 cards of one carrier in
// office hours (an IoT fleet) is not evidence on its own; a second carrier
// is, and so is black use of any of its cards (then the whole stock is
// black); an allowlisted holder suppresses everything.
func TestEnterpriseFleet(t *testing.T) {
	holder := rid("370102", 7)
	scene := func(secondCarrier, pooled bool) *scene {
		s := &scene{t: t}
		s.population(10)
		for k := 0; k < 40; k++ {
			carrier := "cmcc"
			if secondCarrier && k%2 == 1 {
				carrier = "cucc"
			}
			s.add(`{"type":"sim","ts":%q,"msisdn":"1700000%04d","imsi":"4600100000%05d","holder":%q,"outlet":"ENT-1","carrier":%q,"region":"370102","action":"activate"}`,
				ts(1, 10, k), k, k, holder, carrier)
		}
		if pooled {
			s.catPool(pool, 8, "460-00-7-7") // the first 8 cards in a cat pool
		}
		return s
	}
	if n := len(byCat(scene(false, false).detect(fourcuts.DefaultConfig()), fourcuts.BlackCard)); n != 0 {
		t.Errorf("one-carrier office-hours fleet: %d black cards, want 0", n)
	}
	if n := len(byCat(scene(true, false).detect(fourcuts.DefaultConfig()), fourcuts.BlackCard)); n != 40 {
		t.Errorf("fleet across two carriers: %d black cards, want 40", n)
	}
	cards := byCat(scene(false, true).detect(fourcuts.DefaultConfig()), fourcuts.BlackCard)
	if len(cards) != 40 {
		t.Errorf("fleet with 8 cards in a cat pool: %d black cards, want 40", len(cards))
	}
	if f, ok := cards["17000000039"]; ok && f.Evidence[0].Signal != "holder_stock_black_use" {
		t.Errorf("unused fleet card evidence %+v", f.Evidence)
	}
	cfg := fourcuts.DefaultConfig()
	cfg.Allow.Entries = []fourcuts.AllowEntry{{Type: "holder", Value: holder, Reason: "IoT fleet"}}
	if err := cfg.Allow.Compile(); err != nil {
		t.Fatal(err)
	}
	if n := len(byCat(scene(true, true).detect(cfg), fourcuts.BlackCard)); n != 0 {
		t.Errorf("allowlisted fleet: %d black cards, want 0", n)
	}
}

// A GoIP whose channels carry random valid IMEIs of different TACs at one
// cell. Beside it, a call centre at another cell whose agents carry
// different phone models: half of them are rung by customers, the other
// half (as many as the gateway's channels) never are in the feed. With one
// fixed card per channel the gateway shows one kind of evidence only (its
// calls), which the never-rung agents nearly share: its channels are leads,
// not findings. Once its cards rotate through its channels (a second kind:
// cards passed between devices at one place, which sales staff do not do)
// they are found, and the agents still are not.
func TestGatewayCellAcrossTACs(t *testing.T) {
	build := func(swap bool) (*scene, []string, []string) {
		s := &scene{t: t}
		s.population(30)
		tacs := []string{"35425100", "86222203", "86799901", "35332211"}
		var chans []string
		for k, tac := range tacs {
			chans = append(chans, luhn(fmt.Sprintf("%s%06d", tac, 1000+k)))
		}
		for k, imei := range chans {
			m := fmt.Sprintf("1710000%04d", k)
			imsi := fmt.Sprintf("4600500000%05d", k)
			for d := 2; d <= 3; d++ {
				for c := 0; c < 40; c++ {
					peer := fmt.Sprintf("13%09d", 100000+k*1000+d*100+c)
					in := imei
					if swap && d == 3 && c == 39 { // the card's last call from the next channel
						in = chans[(k+1)%len(chans)]
					}
					s.cdr(m, peer, "mo", 12, imsi, in, "460-00-5-5", ts(d, 9+c/5, c%60))
					if c == 7 { // a stranger calls back once
						s.cdr(m, peer, "mt", 20, imsi, in, "460-00-5-5", ts(d, 20, k))
					}
				}
			}
		}
		var agents []string
		for k := 0; k < 8; k++ {
			imei := luhn(fmt.Sprintf("86%d7770000%04d", k%9, k))
			agents = append(agents, imei)
			m := fmt.Sprintf("1870000%04d", k)
			imsi := fmt.Sprintf("4600600000%05d", k)
			for d := 2; d <= 3; d++ {
				for c := 0; c < 40; c++ {
					s.cdr(m, fmt.Sprintf("15%09d", k*1000+d*100+c), "mo", 15, imsi, imei, "460-00-6-6", ts(d, 9+c/5, c%60))
				}
				if k%2 == 0 { // customers and colleagues ring in
					for c := 0; c < 3; c++ {
						s.cdr(m, fmt.Sprintf("0531%08d", k*100+d*10+c), "mt", 60, imsi, imei, "460-00-6-6", ts(d, 16, c))
					}
				}
			}
		}
		return s, chans, agents
	}

	s, chans, _ := build(false)
	cfg := fourcuts.DefaultConfig()
	cfg.Leads = true
	res := s.detect(cfg)
	if dev := byCat(res, fourcuts.BlackDevice); len(dev) != 0 {
		t.Errorf("fixed cards: devices %v found on calls alone", keys(dev))
	}
	leads := map[string]fourcuts.Finding{}
	for _, f := range res.Leads {
		if f.Category == fourcuts.BlackDevice {
			leads[f.Entity] = f
		}
	}
	for _, c := range chans {
		if f, ok := leads[c]; !ok || !hasEvidence(f, "gateway_cell") {
			t.Errorf("fixed cards: channel %s not a gateway_cell lead (%+v)", c, f)
		}
	}

	s, chans, agents := build(true)
	res = s.detect(fourcuts.DefaultConfig())
	dev := byCat(res, fourcuts.BlackDevice)
	gang := ""
	for _, c := range chans {
		f, ok := dev[c]
		if !ok {
			t.Fatalf("channel %s not found; devices %v", c, keys(dev))
		}
		if gang == "" {
			gang = f.Gang
		} else if f.Gang != gang {
			t.Errorf("channel %s in gang %s, want %s", c, f.Gang, gang)
		}
	}
	for _, a := range agents {
		if f, ok := dev[a]; ok {
			t.Errorf("call-centre phone found: %s %.3f %+v", a, f.Score, f.Evidence)
		}
	}
	if len(dev) != len(chans) {
		t.Errorf("devices = %v, want the 4 channels", keys(dev))
	}
}

func hasEvidence(f fourcuts.Finding, signal string) bool {
	for _, e := range f.Evidence {
		if e.Signal == signal {
			return true
		}
	}
	return false
}
