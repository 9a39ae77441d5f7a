package main

import (
	"cmp"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
)

// The bench's city: its departments, users and campaigns (made through the
// store), and per case a skeleton drawn once (dates, status, department,
// how many people, items and entities it has). Everything else about a case
// is drawn again, identically, from its own random stream (caseRNG) by each
// table's pass, so that no table's rows need to be held in memory.

type dept struct {
	id         int64
	code, path string
	division   int // sub-bureau index; -1 for the root (网安支队)
}

type skel struct {
	dept                                 int32 // index into world.depts
	status                               string
	received, filed, solved, transferred time.Time
	closed                               time.Time // closed_unfiled, revoked, merged
	year, serial                         int
	mergedInto                           int64
	peopleStart, peopleNew               int // new people, indexes into the people table
	itemsStart, items                    int // seized items, indexes into the item space
	entStart, ents                       int // engine entities (= findings)
	lead                                 int64
}

type campaign struct {
	id       int64
	from, to string
	path     string
}

type world struct {
	seed      uint64
	now       time.Time
	depts     []dept
	leads     map[int][]int64 // division (-1 root) → analyst ids
	leadNames map[int64]string
	campaigns []campaign
	cases     []skel
	people    int
	findings  int
}

var cst = zhudun.CST()

func day(t time.Time) string { return t.In(cst).Format("2006-01-02") }

func caseRNG(seed uint64, i int) *mrand.Rand { return mrand.New(mrand.NewPCG(seed, uint64(i)+1)) }

// between draws a time d1..d2 days after t, never after now.
func after(r *mrand.Rand, t time.Time, d1, d2 int) time.Time {
	return t.Add(time.Duration(d1)*24*time.Hour + time.Duration(r.Int64N(int64(d2-d1+1)*int64(24*time.Hour))))
}

// skeletons draws the cases' dates and statuses, departments and sizes.
// people, items: the totals, spread over the cases in proportion to a
// weight drawn per case (merged duplicates hold nothing: what they held
// moved to the survivor).
func (w *world) skeletons(n, people, items int) {
	r := mrand.New(mrand.NewPCG(w.seed, 0))
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, cst)
	span := w.now.Add(-7 * 24 * time.Hour).Sub(start)
	w.cases = make([]skel, n)
	pw, iw := make([]int, n), make([]int, n)
	lastInDept := map[int32]int{}
	for i := range w.cases {
		c := &w.cases[i]
		// received in order of id (a case's id follows its entry), spread
		// over five years with 3% more a year
		f := float64(i) / float64(n)
		c.received = start.Add(time.Duration(f*float64(span)) + time.Duration(r.Int64N(int64(time.Hour))))
		switch x := r.IntN(100); {
		case x < 20:
			c.dept = 0 // the cyber division itself
		case x < 50:
			c.dept = int32(1 + 9*r.IntN(12)) // a sub-bureau
		default:
			c.dept = int32(1 + 9*r.IntN(12) + 1 + r.IntN(8)) // a station
		}
		div := w.depts[c.dept].division
		c.lead = w.leads[div][r.IntN(len(w.leads[div]))]
		c.status = zhudun.CaseReceived
		done := func(t time.Time) bool { return t.Before(w.now) }
		switch x := r.IntN(1000); {
		case x < 80:
			if t := after(r, c.received, 3, 30); done(t) {
				c.status, c.closed = zhudun.CaseClosedUnfiled, t
			}
		case x < 95:
			// a duplicate, merged into the department's previous case
			if prev, ok := lastInDept[c.dept]; ok {
				if t := after(r, c.received, 12, 60); done(t) {
					if r.IntN(2) == 0 {
						c.filed = after(r, c.received, 1, 10)
					}
					c.status, c.closed, c.mergedInto = zhudun.CaseMerged, t, int64(prev+1)
				}
			}
		default:
			t := after(r, c.received, 1, 20)
			if !done(t) {
				break
			}
			c.status, c.filed = zhudun.CaseFiled, t
			switch y := r.IntN(100); {
			case y < 4:
				if t := after(r, c.filed, 30, 200); done(t) {
					c.status, c.closed = zhudun.CaseRevoked, t
				}
			case y < 69:
				if t := after(r, c.filed, 10, 300); done(t) {
					c.status, c.solved = zhudun.CaseSolved, t
					if r.IntN(10) < 8 {
						if t := after(r, c.solved, 10, 90); done(t) {
							c.status, c.transferred = zhudun.CaseTransferred, t
						}
					}
				}
			}
		}
		if c.status != zhudun.CaseMerged {
			lastInDept[c.dept] = i
			pw[i] = 1 + r.IntN(9)
			iw[i] = 1 + r.IntN(49)
			if r.IntN(10) < 4 {
				c.ents = 2 + r.IntN(7)
			}
		}
	}
	// serials: per department and filing year (China time), in filing order
	type key struct {
		dept int32
		year int
	}
	var order []int
	for i := range w.cases {
		if !w.cases[i].filed.IsZero() {
			order = append(order, i)
		}
	}
	sortBy(order, func(i int) int64 { return w.cases[i].filed.UnixNano() })
	serials := map[key]int{}
	for _, i := range order {
		c := &w.cases[i]
		k := key{c.dept, c.filed.In(cst).Year()}
		serials[k]++
		c.year, c.serial = k.year, serials[k]
	}
	spread := func(weights []int, total int, set func(i, start, n int)) {
		sum := 0
		for _, x := range weights {
			sum += x
		}
		cum := 0
		for i, x := range weights {
			a := int(int64(cum) * int64(total) / int64(sum))
			cum += x
			b := int(int64(cum) * int64(total) / int64(sum))
			set(i, a, b-a)
		}
	}
	spread(pw, people, func(i, a, n int) { w.cases[i].peopleStart, w.cases[i].peopleNew = a, n })
	spread(iw, items, func(i, a, n int) { w.cases[i].itemsStart, w.cases[i].items = a, n })
	for i := range w.cases {
		w.cases[i].entStart = w.findings
		w.findings += w.cases[i].ents
	}
	w.people = people
}

// open tells whether case i was still worked on (received, filed, solved)
// at t.
func (w *world) openAt(i int, t time.Time) bool {
	c := &w.cases[i]
	if t.Before(c.received) {
		return false
	}
	for _, end := range []time.Time{c.closed, c.transferred} {
		if !end.IsZero() && !t.Before(end) {
			return false
		}
	}
	return true
}

func (w *world) caseNumber(i int) string {
	c := &w.cases[i]
	if c.serial == 0 {
		return ""
	}
	prefix := zhudun.DefaultCasePrefix
	if d := w.depts[c.dept]; d.id != zhudun.RootDeptID {
		prefix += d.code
	}
	return zhudun.CaseNumber(prefix, c.year, c.serial)
}

// --- identifiers, each a bijection of its index so that fresh ones never
// collide -------------------------------------------------------------------

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idChecks = "10X98765432"

var districts = []string{"370102", "370103", "370104", "370105", "370112", "370113", "370114", "370115", "370116", "370117", "370124", "370126"}

// personID is person p's resident ID: 济南's districts, born 1960–2005, a
// sequence number and the GB 11643 check character.
func personID(p int) string {
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, p%16000)
	s := fmt.Sprintf("%s%s%03d", districts[(p/16000)%len(districts)], birth.Format("20060102"), (p/16000/len(districts))%1000)
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(s[i]-'0') * idWeights[i]
	}
	return s + string(idChecks[sum%11])
}

// personPhone is person p's mobile (nine in ten have one).
func personPhone(p int) string {
	if p%10 == 9 {
		return ""
	}
	return fmt.Sprintf("1%d%d%08d", 3+p%7, p/7%10, (p/70*7919)%100000000)
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
var given = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉建国志红梅琳斌波宇浩凯")

func personName(p int) string {
	r := []rune{surnames[p%len(surnames)], given[(p/7)%len(given)]}
	if p%3 != 0 {
		r = append(r, given[(p/13)%len(given)])
	}
	return string(r)
}

// The seized items of slot j (indexes over all 5 M): virtual-operator
// numbers, 86-TAC IMEIs, platform accounts, bank cards.
func simNumber(j int) string {
	return []string{"170", "171", "162", "165", "167"}[j%5] + fmt.Sprintf("%08d", (j/5*7919)%100000000)
}

func luhn(s string) string {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return s + strconv.Itoa((10-sum%10)%10)
}

func imei(j int) string { return luhn(fmt.Sprintf("86%012d", (int64(j)*7919)%1000000000000)) }

func account(j int) string {
	switch j % 4 {
	case 0:
		return "wechat:wxid_" + strconv.FormatInt(int64(j)*7919+104729, 36)
	case 1:
		return "alipay:" + fmt.Sprintf("1%010d", (int64(j)*7919)%10000000000)
	case 2:
		return "qq:" + strconv.Itoa(100000000+(j*7919)%900000000)
	}
	return "douyin:dy" + strconv.FormatInt(int64(j)*104729, 36)
}

func bankCard(j int) string { return luhn(fmt.Sprintf("62%014d", (int64(j)*7919)%100000000000000)) }

// The engine's entities of finding f.
func entity(f int) (category, etype, value string) {
	switch f % 10 {
	case 0, 1, 2, 3, 4:
		return "black_card", "msisdn", "166" + fmt.Sprintf("%08d", (f*7919)%100000000)
	case 5, 6:
		return "black_device", "imei", luhn(fmt.Sprintf("35%012d", (int64(f)*7919)%1000000000000))
	}
	return "black_account", "account", "wechat:wxid_g" + strconv.FormatInt(int64(f)*7919+17, 36)
}

var banks = []string{"中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "招商银行", "齐鲁银行"}

var titles = map[string]string{"telecom_fraud": "电信网络诈骗案", "helping_crime": "帮助信息网络犯罪活动案", "personal_info": "侵犯公民个人信息案",
	"intrusion": "非法侵入计算机信息系统案", "pornography": "传播淫秽物品案", "gambling": "开设赌场案", "other": "网络违法案"}

// --- one case's content ----------------------------------------------------

type cperson struct {
	person    int // index: id person+1
	role      string
	apprehend string
	newPerson bool
	withPhone bool // the phone was given when the person was added
	measures  []zhudun.NewMeasure
}

type content struct {
	title, typ string
	people     []cperson
	seizures   []*zhudun.Seizure
	campaigns  []int64
}

// content draws case i's people, measures, seizures and campaigns from its
// own stream (the skeleton's fields come from world.cases). Seizures are
// checked by zhudun.NewSeizure.Validate, as the store does, and stored as
// it returns them.
func (w *world) content(i int) *content {
	c := &w.cases[i]
	r := caseRNG(w.seed, i)
	out := &content{}
	types := []string{"telecom_fraud", "telecom_fraud", "telecom_fraud", "helping_crime", "helping_crime", "personal_info", "intrusion", "pornography", "gambling", "other"}
	out.typ = types[r.IntN(len(types))]
	if c.status == zhudun.CaseMerged {
		out.title = fmt.Sprintf("%s等人%s", personName(r.IntN(w.people)), titles[out.typ])
		return out
	}
	// investigating: from filing (or reception) for a few months
	work := c.received
	if !c.filed.IsZero() {
		work = c.filed
	}
	workDay := func(d1, d2 int) string {
		t := after(r, work, d1, d2)
		if t.After(w.now) {
			t = w.now
		}
		return day(t)
	}
	roles := []string{zhudun.RoleSuspect, zhudun.RoleSuspect, zhudun.RoleSuspect, zhudun.RoleVictim, zhudun.RoleVictim, zhudun.RoleWitness}
	add := func(p int, isNew bool) {
		cp := cperson{person: p, role: roles[r.IntN(len(roles))], newPerson: isNew, withPhone: personPhone(p) != ""}
		if !isNew {
			cp.role = zhudun.RoleSuspect // the one who turns up again
		}
		if cp.role == zhudun.RoleSuspect && !c.filed.IsZero() {
			if r.IntN(4) != 0 {
				cp.apprehend = workDay(1, 120)
				x := r.IntN(100)
				switch {
				case x < 70:
					cp.measures = append(cp.measures, zhudun.NewMeasure{Kind: zhudun.MeasureDetention, From: cp.apprehend})
					if r.IntN(10) < 6 {
						cp.measures = append(cp.measures, zhudun.NewMeasure{Kind: zhudun.MeasureArrest, From: nextDays(cp.apprehend, 30)})
					} else {
						cp.measures = append(cp.measures, zhudun.NewMeasure{Kind: zhudun.MeasureBail, From: nextDays(cp.apprehend, 37)})
					}
				case x < 80:
					cp.measures = append(cp.measures, zhudun.NewMeasure{Kind: zhudun.MeasureResidentialSurveillance, From: cp.apprehend})
				case x < 85:
					cp.measures = append(cp.measures, zhudun.NewMeasure{Kind: zhudun.MeasureCompelledAppearance, From: cp.apprehend})
				}
			} else if r.IntN(3) == 0 {
				cp.measures = append(cp.measures, zhudun.NewMeasure{Kind: zhudun.MeasureSummons, From: workDay(1, 60)})
			}
		}
		out.people = append(out.people, cp)
	}
	for p := c.peopleStart; p < c.peopleStart+c.peopleNew; p++ {
		add(p, true)
	}
	// a suspect of an earlier case turns up again in three cases of ten
	if c.peopleStart > 0 && r.IntN(10) < 3 {
		seen := map[int]bool{}
		for range 1 + r.IntN(2) {
			p := r.IntN(c.peopleStart)
			if !seen[p] {
				seen[p] = true
				add(p, false)
			}
		}
	}
	name := "某"
	for _, p := range out.people {
		if p.role == zhudun.RoleSuspect {
			name = personName(p.person)
			break
		}
	}
	out.title = fmt.Sprintf("%s等人%s", name, titles[out.typ])

	// seized items: each slot a kind; one in 60 an identifier of an
	// earlier case's slot (the same ring's black cards, devices, accounts)
	// or, for a SIM card, an earlier suspect's phone
	kinds := map[string][]string{}
	seen := map[string]bool{}
	for j := c.itemsStart; j < c.itemsStart+c.items; j++ {
		k, src := zhudun.SeizureSIMCards, j
		switch x := r.IntN(100); {
		case x < 15:
			k = zhudun.SeizureDevices
		case x < 50:
			k = zhudun.SeizureAccounts
		case x < 60:
			k = zhudun.SeizureBankCards
		}
		if c.itemsStart > 0 && r.IntN(60) == 0 {
			src = r.IntN(c.itemsStart)
		}
		var v string
		switch k {
		case zhudun.SeizureSIMCards:
			v = simNumber(src)
			if src != j && r.IntN(4) == 0 && c.peopleStart > 0 {
				if ph := personPhone(r.IntN(c.peopleStart)); ph != "" {
					v = ph
				}
			}
		case zhudun.SeizureDevices:
			v = imei(src)
		case zhudun.SeizureAccounts:
			v = account(src)
		case zhudun.SeizureBankCards:
			v = bankCard(src)
		}
		if seen[k+v] {
			v = map[string]func(int) string{zhudun.SeizureSIMCards: simNumber, zhudun.SeizureDevices: imei, zhudun.SeizureAccounts: account, zhudun.SeizureBankCards: bankCard}[k](j)
		}
		seen[k+v] = true
		kinds[k] = append(kinds[k], v)
	}
	// the engine's black cards are among the SIM cards seized
	for f := c.entStart; f < c.entStart+c.ents; f++ {
		if _, et, v := entity(f); et == "msisdn" && r.IntN(2) == 0 && len(kinds[zhudun.SeizureSIMCards]) > 0 && !seen[zhudun.SeizureSIMCards+v] {
			l := kinds[zhudun.SeizureSIMCards]
			l[r.IntN(len(l))] = v // replaces a fresh item: the total stays
		}
	}
	mk := func(n zhudun.NewSeizure) {
		z, err := n.Validate()
		if err != nil {
			panic(fmt.Sprintf("case %d seizure %+v: %v", i, n, err))
		}
		out.seizures = append(out.seizures, z)
	}
	for _, k := range []string{zhudun.SeizureSIMCards, zhudun.SeizureBankCards, zhudun.SeizureAccounts} {
		items := kinds[k]
		for len(items) > 0 {
			n := min(len(items), 1+r.IntN(60))
			count := n
			if k == zhudun.SeizureAccounts && r.IntN(5) == 0 {
				count += r.IntN(200) // counted, not listed
			}
			mk(zhudun.NewSeizure{Kind: k, Count: count, Items: items[:n], SeizedOn: workDay(1, 90)})
			items = items[n:]
		}
	}
	for items := kinds[zhudun.SeizureDevices]; len(items) > 0; {
		n := min(len(items), 1+r.IntN(16))
		dt := zhudun.DeviceTypes[r.IntN(len(zhudun.DeviceTypes))]
		ns := zhudun.NewSeizure{Kind: zhudun.SeizureDevices, DeviceType: dt, Count: max(1, n/4), Items: items[:n], SeizedOn: workDay(1, 90)}
		if dt == "cat_pool" || dt == "goip" {
			ns.Slots = []int{8, 16, 32, 64, 128}[r.IntN(5)]
		}
		mk(ns)
		items = items[n:]
	}
	if out.typ == "telecom_fraud" || out.typ == "gambling" || r.IntN(3) == 0 {
		for range r.IntN(4) {
			acct := luhn(fmt.Sprintf("62%016d", r.Int64N(1e16)))
			amount := fmt.Sprintf("%d.%02d", 100+r.IntN(2000000), r.IntN(100))
			ns := zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: amount, Account: acct, Bank: banks[r.IntN(len(banks))]}
			switch x := r.IntN(10); {
			case x < 6:
				ns.State, ns.FrozenOn = zhudun.FundsFrozen, workDay(0, 30)
			case x < 9:
				ns.State, ns.SeizedOn = zhudun.FundsSeized, workDay(0, 60)
				if r.IntN(2) == 0 {
					ns.FrozenOn = workDay(0, 20)
				}
			default:
				ns.State, ns.FrozenOn, ns.ReturnedOn = zhudun.FundsReturned, workDay(0, 20), workDay(60, 200)
			}
			mk(ns)
		}
	}
	for _, cp := range w.campaigns {
		d := day(c.received)
		if d >= cp.from && d <= cp.to && strings.HasPrefix(w.depts[c.dept].path, cp.path) && r.IntN(10) < 6 {
			out.campaigns = append(out.campaigns, cp.id)
		}
	}
	return out
}

func nextDays(d string, n int) string {
	t, _ := time.ParseInLocation("2006-01-02", d, cst)
	return t.AddDate(0, 0, n).Format("2006-01-02")
}

func sortBy(xs []int, key func(int) int64) {
	slices.SortStableFunc(xs, func(a, b int) int { return cmp.Compare(key(a), key(b)) })
}
