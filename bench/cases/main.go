// Command cases measures issue 12's scale figures on PostgreSQL: with
// 200,000 cases, 1,000,000 people and 5,000,000 seized items, the year's
// cyber report (target under 1 s), a case page — every request Case.vue
// makes for one case — (under 200 ms) and a cross-reference check for a
// new entity (under 10 ms).
//
// It creates a fresh database on the server (never the test database's
// data; dropped afterwards unless -keep), migrates it with zhudun's
// migrations through postgres.Open, makes the departments, users and
// campaigns through the store, and COPYs the cases with everything they
// hold, row for row as the store writes them (seed.go says how). Then it
// times the real code paths: the HTTP handlers in-process (the report and
// the case page, as a signed-in user's browser asks them, gzip accepted)
// and the store's engine and seizure paths for the cross-reference.
//
//	go run ./bench/cases -pg postgres://postgres@127.0.0.1:5432/test?sslmode=disable [-cases 200000 -people 1000000 -items 5000000] [-keep]
//	go run ./bench/cases -pg URL -db zhudun_bench_cases_XXXX   # again over a kept database (migrating it first)
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/httpapi"
	"github.com/zhudun/zhudun/postgres"
	"github.com/zhudun/zhudun/sqlstore"
)

const pw = "S3cure!pass"

func main() {
	admin := flag.String("pg", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server to create the bench database on")
	nCases := flag.Int("cases", 200000, "cases")
	nPeople := flag.Int("people", 1000000, "people")
	nItems := flag.Int("items", 5000000, "seized items (SIM numbers, IMEIs, accounts, bank cards)")
	keep := flag.Bool("keep", false, "keep the database (and its keyring) afterwards")
	reuse := flag.String("db", "", "measure an existing bench database kept by -keep (migrated first)")
	runs := flag.Int("runs", 20, "runs of each report")
	pages := flag.Int("pages", 300, "case pages")
	xrefs := flag.Int("xref", 300, "cross-reference checks of each kind")
	flag.Parse()
	ctx := context.Background()

	adb, err := sql.Open("pgx", *admin)
	check(err)
	name := *reuse
	if name == "" {
		b := make([]byte, 4)
		rand.Read(b)
		name = "zhudun_bench_cases_" + hex.EncodeToString(b)
		_, err = adb.Exec(`CREATE DATABASE ` + name)
		check(err)
		if !*keep {
			defer adb.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		}
	}
	keyFile := filepath.Join(os.TempDir(), name+".keys")
	var keys *gmcrypto.Keyring
	if *reuse != "" {
		keys, err = gmcrypto.Load(keyFile)
		check(err)
	} else {
		keys = gmcrypto.Generate()
		if *keep {
			check(keys.Save(keyFile))
		}
	}
	u, err := url.Parse(*admin)
	check(err)
	u.Path = "/" + name
	none := []string{}
	t0 := time.Now()
	s, err := postgres.Open(ctx, u.String(), sqlstore.Options{Keys: keys, Policy: zhudun.PolicyOverrides{TOTPRoles: &none}})
	check(err)
	v, err := s.SchemaVersion(ctx)
	check(err)
	log.Printf("database %s at schema version %d (opened and migrated in %v)", name, v, time.Since(t0).Round(time.Millisecond))
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("bench"))

	if *reuse == "" {
		w := &world{seed: 12, now: time.Now(), leads: map[int][]int64{}, leadNames: map[int64]string{}}
		city(sys, s, w)
		t0 := time.Now()
		w.skeletons(*nCases, *nPeople, *nItems)
		log.Printf("drew %d cases (%d findings) in %v", len(w.cases), w.findings, time.Since(t0).Round(time.Millisecond))
		rawConn(ctx, s, func(pc *pgx.Conn) {
			sd := &seeder{w: w, s: s, keys: keys, pc: pc, ctx: ctx}
			sd.seed()
		})
		log.Printf("seeded in %v", time.Since(t0).Round(time.Second))
		if *keep {
			log.Printf("kept: -db %s (keyring %s)", name, keyFile)
		}
	}
	if *reuse == "" {
		// seeded by COPY past the store: the cyber report's rollup is
		// derived from the rows, as migration 0030 does for a database
		// that had them before it
		t0 := time.Now()
		rc, err := s.CheckCyberRollup(sys, true)
		check(err)
		log.Printf("cyber rollup derived: %d rows in %v", rc.Derived, time.Since(t0).Round(time.Millisecond))
	}
	// autovacuum is off on the bench's server: the rollup's visibility map
	// (index-only scans) and statistics as a running server's would be
	t0 = time.Now()
	_, err = s.DB().ExecContext(ctx, `VACUUM (ANALYZE) cyber_rollup, cyber_accounts`)
	check(err)
	log.Printf("VACUUM (ANALYZE) of the rollup in %v", time.Since(t0).Round(time.Millisecond))
	measure(ctx, s, keys, *runs, *pages, *xrefs)
}

// city makes 12 sub-bureaus of 8 stations under the root (网安支队), an
// analyst per sub-bureau and two at the root (the leads), the city's and
// SB03's commanders, and the campaigns: 净网 every year city-wide, 四断
// 2025 city-wide, SB03's summer action 2025.
func city(sys context.Context, s *sqlstore.Store, w *world) {
	root, _, err := s.FindDepts(sys, zhudun.DeptFilter{Code: "ROOT"})
	check(err)
	w.depts = append(w.depts, dept{id: root[0].ID, code: root[0].Code, path: root[0].Path, division: -1})
	for d := 0; d < 12; d++ {
		sb := &zhudun.Dept{Code: fmt.Sprintf("SB%02d", d), Name: fmt.Sprintf("第%d分局", d+1), Kind: zhudun.DeptSubBureau}
		check(s.CreateDept(sys, sb))
		w.depts = append(w.depts, dept{id: sb.ID, code: sb.Code, path: sb.Path, division: d})
		for st := 0; st < 8; st++ {
			x := &zhudun.Dept{Code: fmt.Sprintf("SB%02dP%d", d, st), Name: fmt.Sprintf("第%d分局%d派出所", d+1, st+1), ParentCode: sb.Code}
			check(s.CreateDept(sys, x))
			w.depts = append(w.depts, dept{id: x.ID, code: x.Code, path: x.Path, division: d})
		}
	}
	mk := func(name, dept, role string) *zhudun.User {
		u, err := s.CreateUser(sys, zhudun.NewUser{Username: name, Name: name, DeptCode: dept, Password: pw, Own: true, Roles: []string{role}})
		check(err)
		return u
	}
	for d := -1; d < 12; d++ {
		code := "ROOT"
		if d >= 0 {
			code = fmt.Sprintf("SB%02d", d)
		}
		for k := 0; k < 2; k++ {
			u := mk(fmt.Sprintf("ana_%s_%d", strings.ToLower(code), k), code, zhudun.RoleAnalyst)
			w.leads[d] = append(w.leads[d], u.ID)
			w.leadNames[u.ID] = u.Username
		}
	}
	mk("cmd_city", "ROOT", zhudun.RoleCommander)
	mk("cmd_sb03", "SB03", zhudun.RoleCommander)
	camp := func(name, from, to, code string) {
		c, err := s.CreateCampaign(sys, zhudun.NewCampaign{Name: name, From: from, To: to, Dept: code})
		check(err)
		var path string
		for _, d := range w.depts {
			if d.code == code {
				path = d.path
			}
		}
		w.campaigns = append(w.campaigns, campaign{id: c.ID, from: from, to: to, path: path})
	}
	for y := 2022; y <= 2026; y++ {
		camp(fmt.Sprintf("净网%d", y), fmt.Sprintf("%d-01-01", y), fmt.Sprintf("%d-12-31", y), "ROOT")
	}
	camp("四断2025", "2025-03-01", "2025-12-31", "ROOT")
	camp("第4分局夏季攻势2025", "2025-06-01", "2025-09-30", "SB03")
}

// --- measuring -------------------------------------------------------------

type client struct {
	h     http.Handler
	token string
}

func (c client) get(path string) (time.Duration, []byte) {
	r := httptest.NewRequest("GET", path, nil)
	r.Header.Set("Authorization", "Bearer "+c.token)
	r.Header.Set("Accept-Encoding", "gzip")
	r.RemoteAddr = "10.0.0.1:1234"
	rec := httptest.NewRecorder()
	t := time.Now()
	c.h.ServeHTTP(rec, r)
	d := time.Since(t)
	if rec.Code != 200 {
		log.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
	}
	return d, rec.Body.Bytes()
}

func login(h http.Handler, user string) client {
	b, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	r := httptest.NewRequest("POST", "/api/v1/auth/login", bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = "10.0.0.1:1234"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	var out struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Token == "" {
		log.Fatalf("login %s: %d %s", user, rec.Code, rec.Body.String())
	}
	return client{h, out.Token}
}

type stats []time.Duration

func (s stats) pct(p float64) time.Duration {
	x := slices.Clone(s)
	slices.Sort(x)
	i := int(float64(len(x))*p+0.999999) - 1
	return x[max(0, min(i, len(x)-1))]
}

func (s stats) String() string {
	return fmt.Sprintf("n=%-4d p50=%-9v p99=%-9v max=%v", len(s), s.pct(0.5).Round(10*time.Microsecond), s.pct(0.99).Round(10*time.Microsecond), s.pct(1).Round(10*time.Microsecond))
}

func measure(ctx context.Context, s *sqlstore.Store, keys *gmcrypto.Keyring, runs, pages, xrefs int) {
	api := httpapi.New(httpapi.Config{Store: s, Version: "bench"})
	check(api.Start(ctx))
	h := api.Handler()
	city, sb03, ana := login(h, "cmd_city"), login(h, "cmd_sb03"), login(h, "ana_root_0")
	var counts [4]int64
	for i, q := range []string{`SELECT COUNT(*) FROM cases`, `SELECT COUNT(*) FROM people`, `SELECT COALESCE(SUM(jsonb_array_length(items::jsonb)), 0) FROM case_seizures`, `SELECT COUNT(*) FROM case_marks`} {
		check(s.DB().QueryRowContext(ctx, q).Scan(&counts[i]))
	}
	var load string
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	fmt.Printf("PostgreSQL: %d cases, %d people, %d seized items listed, %d marks; load average %s\n", counts[0], counts[1], counts[2], counts[3], load)

	var campaign int64
	check(s.DB().QueryRowContext(ctx, `SELECT id FROM campaigns WHERE name = '净网2025'`).Scan(&campaign))
	year := "from=2025-01-01&to=2025-12-31"
	report := func(label string, c client, q string) {
		c.get("/api/v1/reports/cyber?" + q) // warm
		var st stats
		var body []byte
		for range runs {
			d, b := c.get("/api/v1/reports/cyber?" + q)
			st, body = append(st, d), b
		}
		fmt.Printf("%-44s %s  %s\n", label, st, figures(body))
	}
	report("report 2025, city", city, year)
	report("report 2025, city, campaign 净网2025", city, year+fmt.Sprintf("&campaign=%d", campaign))
	report("report 2025, division SB03", sb03, year)
	report("report 2025, division SB03, campaign 净网2025", sb03, year+fmt.Sprintf("&campaign=%d", campaign))
	direct(ctx, s, campaign, runs)

	// case pages: what Case.vue asks on opening (the case, its alerts) and
	// the dictionaries it loads behind it (caseDicts.js)
	var ids []int64
	rows, err := s.DB().QueryContext(ctx, `SELECT id FROM cases WHERE status <> 'merged'`)
	check(err)
	for rows.Next() {
		var id int64
		check(rows.Scan(&id))
		ids = append(ids, id)
	}
	rows.Close()
	r := mrand.New(mrand.NewPCG(7, 7))
	var page, detail, alerts, dicts stats
	var bytesOut int
	for range pages {
		id := ids[r.IntN(len(ids))]
		var sum time.Duration
		for _, p := range []string{fmt.Sprintf("/api/v1/cases/%d", id), fmt.Sprintf("/api/v1/cases/%d/alerts", id),
			"/api/v1/dictionaries/case-types", "/api/v1/campaigns", "/api/v1/depts?offset=0&limit=500"} {
			d, b := ana.get(p)
			sum += d
			bytesOut += len(b)
			switch {
			case strings.HasSuffix(p, "/alerts"):
				alerts = append(alerts, d)
			case strings.HasPrefix(p, "/api/v1/cases/"):
				detail = append(detail, d)
			default:
				dicts = append(dicts, d)
			}
		}
		page = append(page, sum)
	}
	fmt.Printf("%-44s %s  (%d KiB a page, gzip)\n", "case page (5 requests, summed)", page, bytesOut/pages/1024)
	fmt.Printf("%-44s %s\n", "  GET /cases/{id}", detail)
	fmt.Printf("%-44s %s\n", "  GET /cases/{id}/alerts", alerts)
	fmt.Printf("%-44s %s\n", "  dictionaries (types, campaigns, depts)", dicts)

	xref(ctx, s, keys, ids, xrefs)
}

// figures is the report's headline, to see that it counted something.
func figures(body []byte) string {
	zr, err := gzipReader(body)
	if err == nil {
		body, _ = io.ReadAll(zr)
	}
	var out struct{ Figures zhudun.CyberReport }
	if err := json.Unmarshal(body, &out); err != nil {
		return "?"
	}
	rep := out.Figures
	return fmt.Sprintf("handled %.0f filed %.0f coercive %.0f caught %.0f sim %.0f accounts %.0f", rep.CasesHandled.Value, rep.CasesFiled.Value,
		rep.PeopleCoercive.Value, rep.SuspectsCaught.Value, rep.SIMCardsSeized.Value, rep.MaliciousAccounts.Value)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// direct times the store's report from the rollup beside the same report
// counted from the base tables (CyberReportDirect: the queries before the
// rollup), one after the other at the same load, and fails when they
// differ in any figure.
func direct(ctx context.Context, s *sqlstore.Store, campaign int64, runs int) {
	as := func(user string) context.Context {
		var id int64
		check(s.DB().QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, user).Scan(&id))
		c, err := s.CallerFor(ctx, id)
		check(err)
		return zhudun.WithCaller(ctx, c)
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, zhudun.CST())
	to := time.Date(2025, 12, 31, 0, 0, 0, 0, zhudun.CST())
	for _, x := range []struct {
		label, user string
		campaign    int64
	}{{"city", "cmd_city", 0}, {"city, campaign 净网2025", "cmd_city", campaign}, {"SB03", "cmd_sb03", 0}, {"SB03, campaign 净网2025", "cmd_sb03", campaign}} {
		c := as(x.user)
		q := zhudun.CyberReportQuery{From: from, To: to, Campaign: x.campaign}
		var roll, dir stats
		var a, d []byte
		for range max(1, runs/2) {
			t := time.Now()
			ra, err := s.CyberReport(c, q)
			check(err)
			roll = append(roll, time.Since(t))
			t = time.Now()
			rd, err := s.CyberReportDirect(c, q)
			check(err)
			dir = append(dir, time.Since(t))
			a, _ = json.Marshal(ra)
			d, _ = json.Marshal(rd)
			if !bytes.Equal(a, d) {
				log.Fatalf("%s: the rollup's report differs from the direct one:\n%s\n%s", x.label, a, d)
			}
		}
		fmt.Printf("%-44s %s\n", "store, 2025, "+x.label+": rollup", roll)
		fmt.Printf("%-44s %s  (identical figures)\n", "store, 2025, "+x.label+": direct", dir)
	}
}
