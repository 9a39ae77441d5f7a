package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/pii"
	"github.com/zhudun/zhudun/sqlstore"
)

func gzipReader(b []byte) (io.Reader, error) { return gzip.NewReader(bytes.NewReader(b)) }

// xref times the cross-reference of a new entity on its two paths: the
// engine raising a finding on a number (ApplyFindingChange, which looks the
// number's mark up among the open cases and alerts each), and a SIM card
// seized into an open case (AddSeizure: its mark inserted, the other open
// cases holding it alerted) — each for numbers that open cases hold (hits)
// and numbers nobody holds — and the lookup statement on its own. The hits
// also check the seed: an alert is raised only if the seeded mark's key is
// the one the store derives. Then a seeded person's ID is added to a case
// and must join the seeded person (its blind index), whose sealed ID and
// phone must open (the row's associated data).
func xref(ctx context.Context, s *sqlstore.Store, keys *gmcrypto.Keyring, ids []int64, n int) {
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("bench"))
	var anaID int64
	check(s.DB().QueryRowContext(ctx, `SELECT id FROM users WHERE username = 'ana_root_0'`).Scan(&anaID))
	c, err := s.CallerFor(ctx, anaID)
	check(err)
	ana := zhudun.WithCaller(ctx, c)

	type held struct {
		caseID int64
		number string
	}
	var hits []held
	seen := map[string]bool{}
	rows, err := s.DB().QueryContext(ctx, `SELECT s.case_id, s.items FROM case_seizures s JOIN cases c ON c.id = s.case_id
		WHERE s.kind = 'sim_cards' AND c.status IN ('received', 'filed', 'solved')
		AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.kind = 'finding' AND f.category = 'black_card' AND f.entity_key = s.items::jsonb->>0)
		ORDER BY random() LIMIT $1`, 4*n)
	check(err)
	for rows.Next() {
		var h held
		var items string
		check(rows.Scan(&h.caseID, &items))
		var xs []string
		check(json.Unmarshal([]byte(items), &xs))
		h.number = xs[0]
		if !seen[h.number] && len(hits) < 3*n {
			seen[h.number] = true
			hits = append(hits, h)
		}
	}
	rows.Close()
	if len(hits) < 3*n {
		log.Fatalf("only %d open cases' SIM cards sampled", len(hits))
	}
	alertsNow := func(q string) int64 {
		var k int64
		check(s.DB().QueryRowContext(ctx, q).Scan(&k))
		return k
	}
	at := time.Now()
	finding := func(number string) *zhudun.Finding {
		return &zhudun.Finding{Kind: zhudun.KindFinding, Category: "black_card", EntityType: "msisdn", Entity: number, Score: 0.8, Gang: "G-BENCH",
			FirstSeen: at, LastSeen: at, Evidence: json.RawMessage(`[{"signal":"callees_per_day","value":120,"threshold":50}]`), Source: "bench-feed"}
	}
	run := func(label string, f func(i int)) {
		var st stats
		for i := range n {
			t := time.Now()
			f(i)
			st = append(st, time.Since(t))
		}
		fmt.Printf("%-44s %s\n", label, st)
	}
	before := alertsNow(`SELECT COUNT(*) FROM case_alerts WHERE finding_id IS NOT NULL`)
	run("xref: engine finding on a held number", func(i int) {
		check(s.ApplyFindingChange(sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{finding(hits[i].number)}}))
	})
	got := alertsNow(`SELECT COUNT(*) FROM case_alerts WHERE finding_id IS NOT NULL`) - before
	run("xref: engine finding on an unheld number", func(i int) {
		check(s.ApplyFindingChange(sys, &zhudun.FindingChange{Upsert: []*zhudun.Finding{finding(fmt.Sprintf("145%08d", i))}}))
	})
	fmt.Printf("%-44s %d alerts for %d findings on held numbers (each held by an open case: 0 would mean the seeded marks are not the store's)\n", "", got, n)
	if got < int64(n) {
		log.Fatalf("only %d alerts for %d findings on numbers open cases hold", got, n)
	}
	today := time.Now().In(zhudun.CST()).Format("2006-01-02")
	before = alertsNow(`SELECT COUNT(*) FROM case_alerts WHERE finding_id IS NULL`)
	run("xref: SIM card seized, held by another case", func(i int) {
		h := hits[n+i]
		target := ids[(int(h.caseID)*7919+i)%len(ids)]
		if target == h.caseID {
			target = ids[(i+1)%len(ids)]
		}
		_, err := s.AddSeizure(ana, target, zhudun.NewSeizure{Kind: zhudun.SeizureSIMCards, Count: 1, Items: []string{h.number}, SeizedOn: today})
		if err != nil && zhudun.ErrorCode(err) != zhudun.ECONFLICT { // a closed case takes no seizure? it does; merged ones don't
			check(err)
		}
	})
	fmt.Printf("%-44s %d alerts raised by the seizures\n", "", alertsNow(`SELECT COUNT(*) FROM case_alerts WHERE finding_id IS NULL`)-before)
	run("xref: lookup statement alone (held number)", func(i int) {
		canon, err := pii.NormalizePhone(hits[2*n+i].number)
		check(err)
		rows, err := s.DB().QueryContext(ctx, `SELECT DISTINCT m.case_id FROM case_marks m JOIN cases c ON c.id = m.case_id
			WHERE m.kind = $1 AND m.mkey = $2 AND c.status IN ('received', 'filed', 'solved') ORDER BY m.case_id`, "phone", keys.Index("phone", canon))
		check(err)
		k := 0
		for rows.Next() {
			k++
		}
		rows.Close()
		if k == 0 {
			log.Fatalf("number of case %d not found by its mark", hits[2*n+i].caseID)
		}
	})

	// the writes' own cost (what a rollup kept with the cases adds to
	// each): a case received and filed in one of the analyst's sub-bureau
	// stations, and a funds seizure added to an open case
	var filed, seized stats
	for i := range n {
		t := time.Now()
		cd, err := s.CreateCase(ana, zhudun.NewCase{Title: fmt.Sprintf("基准写入%d", i), Type: zhudun.CaseTypes[i%len(zhudun.CaseTypes)].ID,
			Dept: fmt.Sprintf("SB%02dP%d", i%12, i%8), Campaigns: []int64{}})
		check(err)
		_, err = s.TransitionCase(ana, cd.ID, zhudun.CaseTransition{To: zhudun.CaseFiled})
		check(err)
		filed = append(filed, time.Since(t))
		t = time.Now()
		_, err = s.AddSeizure(ana, ids[(i*104729)%len(ids)], zhudun.NewSeizure{Kind: zhudun.SeizureFunds, Amount: "1234.56", Account: fmt.Sprintf("62220200%011d", i),
			Bank: "工商银行", State: zhudun.FundsFrozen, FrozenOn: today})
		if err != nil && zhudun.ErrorCode(err) != zhudun.ECONFLICT {
			check(err)
		}
		seized = append(seized, time.Since(t))
	}
	fmt.Printf("%-44s %s\n", "write: case received and filed", filed)
	fmt.Printf("%-44s %s\n", "write: funds seizure added", seized)

	// the people: a seeded ID joins its person; the sealed fields open
	var pid, caseID int64
	var mask string
	check(s.DB().QueryRowContext(ctx, `SELECT p.id, p.idno_mask, cp.case_id FROM people p JOIN case_people cp ON cp.person_id = p.id
		JOIN cases c ON c.id = cp.case_id WHERE p.id % 1000 = 17 AND p.phone_enc <> '' AND c.status IN ('received', 'filed', 'solved') LIMIT 1`).Scan(&pid, &mask, &caseID))
	clear, err := s.RevealPersonPII(ana, pid, "基准测试核对加密字段")
	check(err)
	target := caseID
	for _, id := range ids[time.Now().Nanosecond()%(len(ids)/2):] { // another case each run of a kept database
		if id != caseID {
			target = id
			break
		}
	}
	cp, err := s.AddCasePerson(ana, target, zhudun.NewCasePerson{Name: "核对", IDNumber: clear.IDNumber, Role: zhudun.RoleWitness})
	check(err)
	if cp.PersonID != pid || pii.MaskIDNumber(clear.IDNumber) != mask || !strings.HasPrefix(clear.Phone, "1") {
		log.Fatalf("person %d: joined %d, mask %s vs %s, phone %q", pid, cp.PersonID, pii.MaskIDNumber(clear.IDNumber), mask, clear.Phone)
	}
	fmt.Printf("%-44s person %d's sealed ID and phone open; the ID added to case %d joins person %d\n", "seed check", pid, target, cp.PersonID)
}
