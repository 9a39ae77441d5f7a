package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/pii"
	"github.com/zhudun/zhudun/sqlstore"
)

// Seeding by COPY, row for row what the store writes: a person's fields
// sealed with the store's keyring under the store's associated data
// (people/<id>/idno) with the same blind index and mask; seizures as
// zhudun.NewSeizure.Validate returns them, their items JSON as
// json.Marshal writes it; the marks as markCase derives them (numbers by
// the phone index of their canonical form, IMEIs by 14 digits, bank
// numbers by the "bank" index, first source wins within a case); alerts on
// both cases when a case gains a mark another case open at that moment
// holds. Not seeded: audit_log, outbox and the audit chain (no measured
// path reads them), case_team.

type seeder struct {
	w    *world
	s    *sqlstore.Store
	keys *gmcrypto.Keyring
	pc   *pgx.Conn
	ctx  context.Context
}

// copyRows COPYs the rows gen emits into table.
func (sd *seeder) copyRows(table string, cols []string, gen func(emit func(...any))) int64 {
	t0 := time.Now()
	ch := make(chan []any, 4096)
	go func() {
		gen(func(v ...any) { ch <- v })
		close(ch)
	}()
	n, err := sd.pc.CopyFrom(sd.ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		v, ok := <-ch
		if !ok {
			return nil, nil
		}
		return v, nil
	}))
	if err != nil {
		log.Fatalf("copy %s: %v", table, err)
	}
	log.Printf("%-14s %9d rows in %v", table, n, time.Since(t0).Round(time.Millisecond))
	return n
}

func nullT(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// personCase is the case that first added person p.
func (w *world) personCase(p int) int {
	return sort.Search(len(w.cases), func(i int) bool { return w.cases[i].peopleStart+w.cases[i].peopleNew > p })
}

type mrow struct {
	kind, key, shown string
}

func (sd *seeder) phoneMark(v string) (mrow, bool) {
	canon, err := pii.NormalizePhone(v)
	if err != nil {
		return mrow{}, false
	}
	return mrow{"phone", sd.keys.Index("phone", canon), pii.MaskPhone(canon)}, true
}

func (sd *seeder) digitsMark(kind, d string) (mrow, bool) {
	if len(d) < 8 {
		return mrow{}, false
	}
	return mrow{kind, sd.keys.Index("bank", d), strings.Repeat("*", len(d)-4) + d[len(d)-4:]}, true
}

func (sd *seeder) entityMark(etype, v string) (mrow, bool) {
	switch etype {
	case "msisdn":
		return sd.phoneMark(v)
	case "imei":
		k := v
		if len(k) > 14 {
			k = k[:14]
		}
		return mrow{"imei", k, v}, true
	}
	return mrow{etype, v, v}, true
}

func (sd *seeder) seed() {
	w := sd.w
	users := func(id int64) string { return w.leadNames[id] }
	sd.copyRows("cases", []string{"id", "receipt", "number", "year", "serial", "title", "type", "type_version", "dept_id", "lead_id", "status",
		"merged_into", "received_at", "filed_at", "solved_at", "transferred_at", "closed_at", "created_by", "created_at", "updated_at"}, func(emit func(...any)) {
		for i := range w.cases {
			c := &w.cases[i]
			ct := w.content(i)
			var number, year, serial, merged any
			if c.serial != 0 {
				number, year, serial = w.caseNumber(i), c.year, c.serial
			}
			if c.mergedInto != 0 {
				merged = c.mergedInto
			}
			upd := c.received
			for _, t := range []time.Time{c.filed, c.solved, c.transferred, c.closed} {
				if t.After(upd) {
					upd = t
				}
			}
			emit(int64(i+1), fmt.Sprintf("SA%d-%06d", c.received.In(cst).Year(), i+1), number, year, serial, ct.title, ct.typ, zhudun.CaseTypesVersion,
				w.depts[c.dept].id, c.lead, c.status, merged, c.received, nullT(c.filed), nullT(c.solved), nullT(c.transferred), nullT(c.closed),
				users(c.lead), c.received, upd)
		}
	})
	sd.copyRows("case_events", []string{"case_id", "at", "actor", "from_status", "to_status", "reason"}, func(emit func(...any)) {
		for i := range w.cases {
			c := &w.cases[i]
			who := users(c.lead)
			id := int64(i + 1)
			emit(id, c.received, who, "", zhudun.CaseReceived, "")
			last := zhudun.CaseReceived
			step := func(t time.Time, to, reason string) {
				if !t.IsZero() {
					emit(id, t, who, last, to, reason)
					last = to
				}
			}
			step(c.filed, zhudun.CaseFiled, "")
			step(c.solved, zhudun.CaseSolved, "")
			step(c.transferred, zhudun.CaseTransferred, "")
			switch c.status {
			case zhudun.CaseClosedUnfiled:
				step(c.closed, c.status, "经审查，没有犯罪事实，不予立案")
			case zhudun.CaseRevoked:
				step(c.closed, c.status, "经侦查，犯罪嫌疑人的行为不构成犯罪，撤销案件")
			case zhudun.CaseMerged:
				step(c.closed, c.status, "与前案系同一犯罪团伙所为，并案侦查")
			}
		}
	})
	// people: sealed in parallel (two SM4 seals and two indexes a person)
	sd.copyRows("people", []string{"id", "name", "idno_enc", "idno_idx", "idno_mask", "phone_enc", "phone_idx", "phone_mask", "created_at", "updated_at"}, func(emit func(...any)) {
		const batch = 2000
		type job struct {
			from int
			rows [][]any
		}
		nw := runtime.GOMAXPROCS(0)
		jobs, done := make(chan int), make(chan job, nw*2)
		var wg sync.WaitGroup
		for range nw {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for from := range jobs {
					var rows [][]any
					for p := from; p < min(from+batch, w.people); p++ {
						id := int64(p + 1)
						canon, err := pii.NormalizeIDNumber(personID(p))
						if err != nil {
							log.Fatalf("person %d id %s: %v", p, personID(p), err)
						}
						ienc, err := sd.keys.Seal([]byte(canon), []byte("people/"+strconv.FormatInt(id, 10)+"/idno"))
						check(err)
						var penc, pidx, pmask string
						if ph := personPhone(p); ph != "" {
							pc, err := pii.NormalizePhone(ph)
							check(err)
							penc, err = sd.keys.Seal([]byte(pc), []byte("people/"+strconv.FormatInt(id, 10)+"/phone"))
							check(err)
							pidx, pmask = sd.keys.Index("phone", pc), pii.MaskPhone(pc)
						}
						at := w.cases[w.personCase(p)].received
						rows = append(rows, []any{id, personName(p), ienc, sd.keys.Index("idno", canon), pii.MaskIDNumber(canon), penc, pidx, pmask, at, at})
					}
					done <- job{from, rows}
				}
			}()
		}
		go func() {
			for from := 0; from < w.people; from += batch {
				jobs <- from
			}
			close(jobs)
			wg.Wait()
			close(done)
		}()
		for j := range done {
			for _, r := range j.rows {
				emit(r...)
			}
		}
	})
	sd.copyRows("case_people", []string{"case_id", "person_id", "role", "apprehended_on", "note", "created_by", "created_at"}, func(emit func(...any)) {
		for i := range w.cases {
			for _, p := range w.content(i).people {
				emit(int64(i+1), int64(p.person+1), p.role, p.apprehend, "", users(w.cases[i].lead), w.cases[i].received.Add(time.Hour))
			}
		}
	})
	sd.copyRows("case_measures", []string{"case_id", "person_id", "kind", "coercive", "from_day", "to_day", "authority", "document_no", "created_by", "created_at"}, func(emit func(...any)) {
		doc := map[string]string{zhudun.MeasureDetention: "拘字", zhudun.MeasureArrest: "捕字", zhudun.MeasureBail: "取保字",
			zhudun.MeasureResidentialSurveillance: "监字", zhudun.MeasureCompelledAppearance: "拘传字", zhudun.MeasureSummons: "传唤字"}
		n := 0
		for i := range w.cases {
			for _, p := range w.content(i).people {
				for _, m := range p.measures {
					n++
					auth := "济南市公安局"
					if m.Kind == zhudun.MeasureArrest {
						auth = "济南市人民检察院"
					}
					at, _ := time.ParseInLocation("2006-01-02", m.From, cst)
					emit(int64(i+1), int64(p.person+1), m.Kind, m.Kind != zhudun.MeasureSummons, m.From, "", auth,
						fmt.Sprintf("济公网%s〔%s〕%05d号", doc[m.Kind], m.From[:4], n%100000), users(w.cases[i].lead), at.Add(10*time.Hour))
				}
			}
		}
	})
	sd.copyRows("case_seizures", []string{"case_id", "kind", "amount_fen", "account", "bank", "state", "frozen_on", "seized_on", "returned_on",
		"count", "items", "device_type", "slots", "note", "created_by", "created_at"}, func(emit func(...any)) {
		for i := range w.cases {
			for _, z := range w.content(i).seizures {
				items := z.Items
				if items == nil {
					items = []string{}
				}
				ib, _ := json.Marshal(items)
				d := z.SeizedOn
				for _, x := range []string{z.FrozenOn, z.ReturnedOn} {
					if x > d {
						d = x
					}
				}
				at, _ := time.ParseInLocation("2006-01-02", d, cst)
				emit(int64(i+1), z.Kind, z.AmountFen, z.Account, z.Bank, z.State, z.FrozenOn, z.SeizedOn, z.ReturnedOn, z.Count, string(ib),
					z.DeviceType, z.Slots, "", users(w.cases[i].lead), at.Add(16*time.Hour))
			}
		}
	})
	sd.copyRows("findings", []string{"id", "kind", "category", "entity_type", "entity", "entity_key", "score", "gang", "first_seen", "last_seen",
		"evidence", "status", "dept_id", "source", "created_at", "updated_at", "review", "confirmed", "confirmed_at", "list_at", "review_reason",
		"reviewed_by", "reviewed_at", "confirmed_evidence"}, func(emit func(...any)) {
		for i := range w.cases {
			c := &w.cases[i]
			r := caseRNG(w.seed^0x5eed, i)
			for f := c.entStart; f < c.entStart+c.ents; f++ {
				cat, et, v := entity(f)
				key := v
				if et == "imei" && len(v) > 14 {
					key = v[:14]
				}
				first := c.received.Add(-time.Duration(2+r.IntN(30)) * 24 * time.Hour)
				last := c.received.Add(-time.Duration(r.IntN(24)) * time.Hour)
				ev := fmt.Sprintf(`[{"signal":"%s","value":%d,"threshold":4,"window":"7d"}]`, map[string]string{"black_card": "callees_per_day",
					"black_device": "imsi_per_imei", "black_account": "reg_per_device"}[cat], 5+r.IntN(300))
				review, confirmed := zhudun.ReviewNew, false
				var conf, reason, by, evc any = nil, "", "", ""
				if !c.solved.IsZero() {
					review, confirmed, conf, reason, by, evc = zhudun.ReviewConfirmed, true, c.solved, "案件 "+w.caseNumber(i)+" 已破案", users(c.lead), ev
				}
				emit(int64(f+1), zhudun.KindFinding, cat, et, v, key, 0.6+r.Float64()*0.39, fmt.Sprintf("G-%06d", i+1), first, last,
					ev, zhudun.FindingLive, w.depts[c.dept].id, "bench-feed", first, last, review, confirmed, conf, conf, reason, by, conf, evc)
			}
		}
	})
	sd.copyRows("case_entities", []string{"case_id", "finding_id", "category", "entity_type", "entity", "gang", "evidence", "added_by", "added_at"}, func(emit func(...any)) {
		for i := range w.cases {
			c := &w.cases[i]
			r := caseRNG(w.seed^0x5eed, i)
			for f := c.entStart; f < c.entStart+c.ents; f++ {
				cat, et, v := entity(f)
				r.IntN(30)
				r.IntN(24)
				r.Float64()
				ev := fmt.Sprintf(`[{"signal":"%s","value":%d,"threshold":4,"window":"7d"}]`, map[string]string{"black_card": "callees_per_day",
					"black_device": "imsi_per_imei", "black_account": "reg_per_device"}[cat], 5+r.IntN(300))
				emit(int64(i+1), int64(f+1), cat, et, v, fmt.Sprintf("G-%06d", i+1), ev, users(c.lead), c.received)
			}
		}
	})
	sd.copyRows("case_campaigns", []string{"case_id", "campaign_id"}, func(emit func(...any)) {
		for i := range w.cases {
			for _, cp := range w.content(i).campaigns {
				emit(int64(i+1), cp)
			}
		}
	})
	// marks, and the alerts they raised: holders[key] lists the cases
	// holding it in the order they gained it
	type alert struct {
		caseID, other int64
		m             mrow
		source        string
		at            time.Time
	}
	var alerts []alert
	holders := map[string][]int32{}
	sd.copyRows("case_marks", []string{"case_id", "kind", "mkey", "shown", "source"}, func(emit func(...any)) {
		for i := range w.cases {
			c := &w.cases[i]
			if c.status == zhudun.CaseMerged {
				continue
			}
			ct := w.content(i)
			have := map[string]bool{}
			add := func(m mrow, ok bool, source string) {
				if !ok || have[m.kind+"\x00"+m.key] {
					return
				}
				k := m.kind + "\x00" + m.key
				have[k] = true
				emit(int64(i+1), m.kind, m.key, m.shown, source)
				for _, o := range holders[k] {
					if w.openAt(int(o), c.received) {
						alerts = append(alerts, alert{int64(i + 1), int64(o) + 1, m, source, c.received.Add(2 * time.Hour)},
							alert{int64(o) + 1, int64(i + 1), m, source, c.received.Add(2 * time.Hour)})
					}
				}
				holders[k] = append(holders[k], int32(i))
			}
			for f := c.entStart; f < c.entStart+c.ents; f++ {
				_, et, v := entity(f)
				m, ok := sd.entityMark(et, v)
				add(m, ok, "entity")
			}
			for _, p := range ct.people {
				canon, _ := pii.NormalizeIDNumber(personID(p.person))
				add(mrow{"idno", sd.keys.Index("idno", canon), pii.MaskIDNumber(canon)}, true, "person")
				if ph := personPhone(p.person); ph != "" {
					m, ok := sd.phoneMark(ph)
					add(m, ok, "person")
				}
			}
			for _, z := range ct.seizures {
				for _, it := range z.Items {
					switch z.Kind {
					case zhudun.SeizureSIMCards:
						m, ok := sd.phoneMark(it)
						add(m, ok, "seizure")
					case zhudun.SeizureDevices:
						m, ok := sd.entityMark("imei", it)
						add(m, ok, "seizure")
					case zhudun.SeizureAccounts:
						add(mrow{"account", it, it}, true, "seizure")
					case zhudun.SeizureBankCards:
						m, ok := sd.digitsMark("bank_card", it)
						add(m, ok, "seizure")
					}
				}
				if z.Kind == zhudun.SeizureFunds && z.Account != "" {
					m, ok := sd.digitsMark("bank_account", z.Account)
					add(m, ok, "seizure")
				}
			}
		}
	})
	holders = nil
	sd.copyRows("case_alerts", []string{"case_id", "other_case_id", "kind", "shown", "source", "created_at"}, func(emit func(...any)) {
		for _, a := range alerts {
			emit(a.caseID, a.other, a.m.kind, a.m.shown, a.source, a.at)
		}
	})
	// the counters the filings drew, as the store's upsert leaves them
	last := map[[2]int64]int{}
	for i := range w.cases {
		c := &w.cases[i]
		if c.serial != 0 {
			k := [2]int64{w.depts[c.dept].id, int64(c.year)}
			last[k] = max(last[k], c.serial)
		}
	}
	sd.copyRows("case_counters", []string{"dept_id", "year", "last"}, func(emit func(...any)) {
		for k, v := range last {
			emit(k[0], int32(k[1]), v)
		}
	})
	for _, t := range []string{"cases", "case_events", "people", "case_people", "case_measures", "case_seizures", "findings", "case_entities", "case_alerts"} {
		_, err := sd.pc.Exec(sd.ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`)
		check(err)
	}
	t0 := time.Now()
	_, err := sd.pc.Exec(sd.ctx, `VACUUM (ANALYZE)`)
	check(err)
	log.Printf("VACUUM (ANALYZE) in %v", time.Since(t0).Round(time.Millisecond))
}

// rawConn is the store's pool's pgx connection, for COPY.
func rawConn(ctx context.Context, s *sqlstore.Store, f func(*pgx.Conn)) {
	conn, err := s.DB().Conn(ctx)
	check(err)
	defer conn.Close()
	check(conn.Raw(func(dc any) error {
		f(dc.(*stdlib.Conn).Conn())
		return nil
	}))
}
