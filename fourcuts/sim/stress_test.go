package sim

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zhudun/zhudun/fourcuts"
)

// These tests check that each stressor makes the world its parameter
// documents — the shape a detector will be tuned against — with the
// expected figures written by hand from the contract and the doc comments.

func (e *sev) get(k string) string {
	for _, f := range e.fields {
		if f.k == k {
			return f.v
		}
	}
	return ""
}

// hourCST is the hour of the day of a Unix-ms time in China Standard Time.
func hourCST(ts int64) float64 {
	t := time.UnixMilli(ts).In(cst)
	return float64(t.Hour()) + float64(t.Minute())/60
}

func each(w *world, f func(d int, e *sev)) {
	for d, day := range w.events {
		for _, e := range day {
			f(d, e)
		}
	}
}

func small(seed uint64) Params { return Params{Users: 2000, Days: 3, Seed: seed} }

// TestStressorsOffChangeNothing: with every stressor at zero a world is
// the one the simulator made before stressors existed (bbfc301: truth
// d1db7fdaa801, 48,975 events), but for one deliberate change: a GoIP's
// channels past the tenth used to reuse the first 14 digits of a lower
// channel with another check digit, which the contract now makes one
// device, so they get digits of their own (with the old rule restored the
// old figures come back).
func TestStressorsOffChangeNothing(t *testing.T) {
	w := build(small(1))
	h := sha256.New()
	for _, tr := range w.truth {
		fmt.Fprintln(h, tr)
	}
	n := 0
	for _, d := range w.events {
		n += len(d)
	}
	got := fmt.Sprintf("%x %d %d %d %d", h.Sum(nil)[:6], len(w.truth), n, len(w.stock), len(w.intel))
	if want := "4a902b8f4786 1029 48974 3154 59"; got != want {
		t.Errorf("default world: %s, want %s", got, want)
	}
	for _, pe := range w.persons {
		if pe.kind == kindCallCentre || pe.exit != "" || pe.homeCard != nil || pe.dualEven || pe.newFP != "" || pe.shareP != 0 {
			t.Fatalf("a stressor is on in the default world: %+v", pe)
		}
	}
}

func TestQuietSales(t *testing.T) {
	p := small(2)
	p.QuietSales = 0.05
	w := build(p)
	work := map[string]bool{}
	offices := map[string]int{}
	for _, pe := range w.persons {
		if pe.kind == kindCallCentre {
			work[pe.workCard.msisdn] = true
			offices[pe.officeCell]++
		}
	}
	if len(work) < 50 {
		t.Fatalf("%d call-centre staff of 2,000 at 5%%", len(work))
	}
	type key struct {
		m string
		d int
	}
	mo, mt := map[key]int{}, map[key]int{}
	each(w, func(d int, e *sev) {
		if e.typ == "cdr" && work[e.get("msisdn")] {
			k := key{e.get("msisdn"), d}
			if e.get("dir") == "mo" {
				mo[k]++
			} else {
				mt[k]++
			}
		}
	})
	lo, hi := 1<<30, 0
	for k, n := range mo {
		lo, hi = min(lo, n), max(hi, n)
		if mt[k] > 1 {
			t.Errorf("%s rung back %d times on day %d", k.m, mt[k], k.d)
		}
	}
	for k := range mt {
		if mo[k] == 0 {
			t.Errorf("%s rung on a day off", k.m)
		}
	}
	// a distribution, not a fixed number: quiet and busy staff, small and
	// large offices
	if lo > 25 || hi < 80 {
		t.Errorf("outbound calls a day range %d…%d, want a spread across 25…80", lo, hi)
	}
	olo, ohi := 1<<30, 0
	for _, n := range offices {
		olo, ohi = min(olo, n), max(ohi, n)
	}
	if olo > 5 || ohi < 10 {
		t.Errorf("office sizes %d…%d", olo, ohi)
	}
}

func TestKeyedHolders(t *testing.T) {
	p := small(3)
	p.KeyedHolders = true
	w := build(p)
	cards := map[string]int{}
	check := func(e *sev) {
		if e.typ != "sim" {
			return
		}
		h := e.get("holder")
		if len(h) == 18 && !strings.Contains(h[:17], "M") || len(h) == 15 && strings.Trim(h, "0123456789") == "" {
			t.Fatalf("a clear resident ID: %s", h)
		}
		cards[h]++
	}
	for _, e := range w.stock {
		check(e)
	}
	each(w, func(_ int, e *sev) { check(e) })
	// keyed, not random: a person's cards share one pseudonym
	multi := 0
	for _, n := range cards {
		if n >= 2 {
			multi++
		}
	}
	if multi < 100 {
		t.Errorf("%d pseudonyms hold two or more cards", multi)
	}
}

func TestIMEISVForms(t *testing.T) {
	p := small(4)
	p.IMEISV = 0.6
	w := build(p)
	forms := map[string]map[string]bool{}
	byLen := map[int]int{}
	each(w, func(_ int, e *sev) {
		v := e.get("imei")
		if v == "" {
			return
		}
		if e.typ == "reg" && len(v) != 15 {
			t.Fatalf("a registration with a %d-digit IMEI", len(v))
		}
		if e.typ == "cdr" {
			byLen[len(v)]++
		}
		if forms[v[:14]] == nil {
			forms[v[:14]] = map[string]bool{}
		}
		forms[v[:14]][v] = true
	})
	if byLen[14] == 0 || byLen[15] == 0 || byLen[16] == 0 {
		t.Fatalf("call-record IMEIs by length: %v", byLen)
	}
	// every black device is named by the 15-digit form when the feed has one
	devices := 0
	for _, tr := range w.truth {
		if tr.EntityType != "imei" {
			continue
		}
		devices++
		fs := forms[tr.Entity[:14]]
		if !fs[tr.Entity] {
			t.Errorf("device %s is not a form in the feed (%v)", tr.Entity, fs)
		}
		for f := range fs {
			if len(f) == 15 && len(tr.Entity) != 15 {
				t.Errorf("device %s named so though %s is in the feed", tr.Entity, f)
			}
		}
	}
	if devices == 0 {
		t.Fatal("no black device")
	}
	mixed := 0
	for _, fs := range forms {
		if len(fs) > 1 {
			mixed++
		}
	}
	if mixed < 100 {
		t.Errorf("only %d devices seen in more than one form", mixed)
	}
}

func TestFleets(t *testing.T) {
	p := small(15)
	p.Fleets = 60
	w := build(p)
	type batch struct {
		outlets map[string]bool
		n, iot  int
	}
	batches := map[string]*batch{}
	iot := map[string]bool{}
	check := func(e *sev) {
		h := e.get("holder")
		if e.typ != "sim" || !strings.HasPrefix(h, "91") || !strings.Contains(h, "MA") {
			return
		}
		b := batches[h]
		if b == nil {
			b = &batch{outlets: map[string]bool{}}
			batches[h] = b
		}
		b.outlets[e.get("outlet")] = true
		b.n++
		if len(e.get("msisdn")) == 13 {
			b.iot++
			iot[e.get("msisdn")] = true
		}
		if hr := hourCST(e.ts); hr >= 5 && hr < 19.5 {
			t.Errorf("fleet card opened at %.1f h", hr)
		}
	}
	for _, e := range w.stock {
		check(e)
	}
	each(w, func(_ int, e *sev) { check(e) })
	if len(batches) != 6 {
		t.Fatalf("%d fleets, want 6 (60 per 20,000 of 2,000)", len(batches))
	}
	lo, hi := 1<<30, 0
	for h, b := range batches {
		if len(b.outlets) != 1 {
			t.Errorf("fleet %s opened at %d outlets", h, len(b.outlets))
		}
		lo, hi = min(lo, b.n), max(hi, b.n)
	}
	if lo == hi {
		t.Errorf("every fleet has %d cards", lo)
	}
	kinds := map[bool]int{}
	for _, b := range batches {
		kinds[b.iot > 0]++
	}
	if kinds[true] == 0 || kinds[false] == 0 {
		t.Errorf("IoT batches / drivers' fleets: %d / %d", kinds[true], kinds[false])
	}
	each(w, func(_ int, e *sev) {
		if e.typ == "cdr" && iot[e.get("msisdn")] {
			t.Fatalf("an IoT card made a call")
		}
	})
}

func TestEveningMigrants(t *testing.T) {
	p := small(6)
	p.EveningMigrants = 0.05
	w := build(p)
	far := map[string]bool{}
	for _, r := range farRegions {
		far[r] = true
	}
	n, groups := 0, map[string]int{}
	each(w, func(d int, e *sev) {
		if e.typ != "sim" || e.get("action") != "activate" || strings.HasPrefix(e.get("outlet"), "OUT-9") || strings.HasPrefix(e.get("outlet"), "OUT-E") {
			return
		}
		h := e.get("holder")
		if len(h) != 18 || !far[h[:6]] {
			return
		}
		n++
		if hr := hourCST(e.ts); hr < 17.5 || hr >= 24 {
			t.Errorf("a migrant's card opened at %.1f h", hr)
		}
		groups[e.get("outlet")+time.UnixMilli(e.ts).In(cst).Format("0102")]++
	})
	if n < 50 {
		t.Fatalf("%d evening activations by far holders", n)
	}
	biggest := 0
	for _, k := range groups {
		biggest = max(biggest, k)
	}
	if biggest < 3 {
		t.Errorf("no group arrival (largest %d)", biggest)
	}
}

func TestHeavyUsers(t *testing.T) {
	p := small(7)
	p.NewPhoneSetups, p.FamilyVerifiers, p.FamilyPhones, p.DualSIMPhones = 0.05, 0.3, 0.3, 0.3
	w := build(p)
	type key struct {
		fp string
		d  int
	}
	perDay := map[key]int{}
	numbers := map[string]map[string]bool{}
	each(w, func(d int, e *sev) {
		if e.typ != "reg" {
			return
		}
		perDay[key{e.get("device"), d}]++
		fp := e.get("device")
		if numbers[fp] == nil {
			numbers[fp] = map[string]bool{}
		}
		numbers[fp][e.get("msisdn")] = true
	})
	setups := 0
	lo, hi := 1<<30, 0
	for _, pe := range w.persons {
		if pe.newFP != "" && pe.newFrom < p.Days {
			setups++
			n := perDay[key{pe.newFP, pe.newFrom}]
			lo, hi = min(lo, n), max(hi, n)
		}
	}
	if setups < 50 || lo > 8 || hi < 15 {
		t.Errorf("%d new phones, %d…%d apps on the day", setups, lo, hi)
	}
	// family verifiers: fingerprints that verified several numbers
	shared := 0
	for _, ms := range numbers {
		if len(ms) >= 2 {
			shared++
		}
	}
	if shared < 50 {
		t.Errorf("%d fingerprints verified two or more numbers", shared)
	}
}

func TestQuietOps(t *testing.T) {
	p := small(8)
	p.QuietOps = 20
	w := build(p)
	gangs := map[string]bool{}
	accts := map[string]bool{}
	for _, tr := range w.truth {
		if tr.Gang >= "T-007" { // after the six default operations
			gangs[tr.Gang] = true
			if tr.Category == "black_account" {
				accts[tr.Entity] = true
			}
			if tr.Category == "black_device" {
				t.Errorf("a quiet operation has a black device %s", tr.Entity)
			}
		}
	}
	if len(gangs) != 2 {
		t.Fatalf("%d quiet operations, want 2", len(gangs))
	}
	perCard := map[string]int{}
	numbersOf := map[string]map[string]bool{} // fingerprint → numbers
	platOf := map[[2]string]int{}             // (fingerprint, platform) → accounts
	fpsOf := map[string]map[string]bool{}     // IMEI → fingerprints
	intel := map[string]bool{}
	for _, e := range w.intel {
		if k := e.get("kind"); k != "mobile" && k != "broadband" {
			intel[e.get("ip")] = true
		}
	}
	perIP := map[string]int{}
	each(w, func(_ int, e *sev) {
		if e.typ != "reg" || !accts[e.get("platform")+":"+e.get("account")] {
			return
		}
		perCard[e.get("msisdn")]++
		if e.get("flags") != "" {
			t.Errorf("a quiet registration with flags %s", e.get("flags"))
		}
		if hr := hourCST(e.ts); hr < 8 || hr >= 23.2 {
			t.Errorf("a quiet registration at %.1f h", hr)
		}
		if intel[e.get("ip")] {
			t.Errorf("intelligence names %s", e.get("ip"))
		}
		fp := e.get("device")
		if v := e.get("imei"); v != "" {
			if fourcuts.LuhnDigit(v[:14]) != v[14] {
				t.Errorf("an invalid IMEI %s", v)
			}
			if fpsOf[v] == nil {
				fpsOf[v] = map[string]bool{}
			}
			fpsOf[v][fp] = true
		}
		if numbersOf[fp] == nil {
			numbersOf[fp] = map[string]bool{}
		}
		numbersOf[fp][e.get("msisdn")] = true
		platOf[[2]string{fp, e.get("platform")}]++
		perIP[e.get("ip")]++
	})
	// every entity within what ordinary people show
	for c, n := range perCard {
		if n > 4 {
			t.Errorf("card %s verified %d accounts", c, n)
		}
	}
	for fp, ns := range numbersOf {
		if len(ns) > 4 {
			t.Errorf("fingerprint %s verified %d numbers", fp, len(ns))
		}
	}
	for k, n := range platOf {
		if n > 2 {
			t.Errorf("fingerprint %s has %d %s accounts", k[0], n, k[1])
		}
	}
	for imei, fps := range fpsOf {
		if len(fps) > 2 {
			t.Errorf("IMEI %s shows %d fingerprints", imei, len(fps))
		}
	}
	// …and the joint structure dense: the cards and fingerprints each
	// operation used hang together (a family's are a handful)
	parent := map[string]string{}
	var find func(x string) string
	find = func(x string) string {
		if parent[x] == "" || parent[x] == x {
			parent[x] = x
			return x
		}
		parent[x] = find(parent[x])
		return parent[x]
	}
	for fp, ns := range numbersOf {
		for m := range ns {
			parent[find(fp)] = find(m)
		}
	}
	size := map[string]int{}
	for c := range perCard {
		size[find(c)]++
	}
	big := 0
	for _, n := range size {
		big = max(big, n)
	}
	if big < 5 || big*2 < len(perCard)/len(gangs) {
		t.Errorf("largest card–fingerprint component %d of %d cards in %d operations", big, len(perCard), len(gangs))
	}
}

func TestBriefModems(t *testing.T) {
	p := small(9)
	p.BriefModems = 1
	w := build(p)
	devices := map[string]bool{}
	for _, tr := range w.truth {
		if tr.Category == "black_device" {
			devices[tr.Entity] = true
		}
	}
	calls := map[string]int{}
	cardsOf := map[string]map[string]bool{}
	each(w, func(_ int, e *sev) {
		if v := e.get("imei"); e.typ == "cdr" && devices[v] {
			calls[v]++
			if cardsOf[v] == nil {
				cardsOf[v] = map[string]bool{}
			}
			cardsOf[v][e.get("msisdn")] = true
		}
	})
	brief := 0
	for v, n := range calls {
		if n > 2 {
			continue
		}
		brief++
		// its card sits in another modem too
		shared := false
		for c := range cardsOf[v] {
			for o, cs := range cardsOf {
				if o != v && cs[c] {
					shared = true
				}
			}
		}
		if !shared {
			t.Errorf("brief modem %s carries no card of its pool's other modems", v)
		}
	}
	if brief < 2 {
		t.Errorf("%d brief modems", brief)
	}
}

func TestProxyUsers(t *testing.T) {
	p := small(10)
	p.ProxyUsers = 0.1
	w := build(p)
	lines := map[string]bool{}
	for _, tr := range w.truth {
		if tr.Category == "black_line" {
			lines[tr.Entity] = true
		}
	}
	users := map[string]map[string]bool{} // exit → numbers
	flagged, black := 0, 0
	blackAcct := map[string]bool{}
	for _, tr := range w.truth {
		if tr.Category == "black_account" {
			blackAcct[tr.Entity] = true
		}
	}
	each(w, func(_ int, e *sev) {
		ip := e.get("ip")
		if e.typ != "reg" || !w.exits[ip] {
			return
		}
		if lines[ip] {
			t.Errorf("shared exit %s labelled a black line", ip)
		}
		if blackAcct[e.get("platform")+":"+e.get("account")] {
			black++
			return
		}
		if users[ip] == nil {
			users[ip] = map[string]bool{}
		}
		users[ip][e.get("msisdn")] = true
		if f := e.get("flags"); f == "vpn" || f == "proxy" {
			flagged++
		}
	})
	most := 0
	for _, u := range users {
		most = max(most, len(u))
	}
	if len(users) < 3 || most < 5 || flagged == 0 || black == 0 {
		t.Errorf("%d exits, busiest with %d users, %d flagged, %d studio registrations through them", len(users), most, flagged, black)
	}
}

func TestFamilyAndDualSIMPhones(t *testing.T) {
	p := small(11)
	p.FamilyPhones, p.DualSIMPhones = 0.3, 0.3
	w := build(p)
	imsis := map[string]map[string]bool{} // IMEI → IMSIs
	mo := map[string]int{}
	each(w, func(_ int, e *sev) {
		if e.typ != "cdr" {
			return
		}
		v := e.get("imei")
		if imsis[v] == nil {
			imsis[v] = map[string]bool{}
		}
		imsis[v][e.get("imsi")] = true
		if e.get("dir") == "mo" {
			mo[e.get("msisdn")]++
		}
	})
	shared, multi, dual, even := map[*phone]bool{}, 0, 0, 0
	for _, pe := range w.persons {
		if pe.shareP > 0 && !shared[pe.extraPh] {
			shared[pe.extraPh] = true
			if len(imsis[pe.extraPh.imei]) >= 2 {
				multi++
			}
		}
		if a, b := mo[pe.cards[0].msisdn], mo[pe.cards[min(1, len(pe.cards)-1)].msisdn]; pe.dualEven && len(pe.cards) == 2 && a+b >= 8 {
			dual++
			if 3*min(a, b) >= max(a, b) {
				even++
			}
		}
	}
	if len(shared) < 50 || 10*multi < 8*len(shared) {
		t.Errorf("%d family phones, %d carrying two or more cards", len(shared), multi)
	}
	if dual < 100 || 10*even < 7*dual {
		t.Errorf("%d dual-SIM users, %d using both cards about equally", dual, even)
	}
}
