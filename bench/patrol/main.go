// Command patrol times the patrol year report over 2 million incidents on
// PostgreSQL (issue 6, item 7). It creates a fresh database on the server,
// builds 12 districts × 8 stations and 1,000 grids through the store,
// COPYs 2,000,000 incidents (1 M received in 2025, 1 M in 2026) straight
// into the incidents table, rebuilds the report's rollup with the store's
// own RebuildPatrolRollup, and then times the year report for 2026 (with
// 2025 as last year) three times, city-wide and for one sub-bureau, and
// prints the medians. Nothing is cached between runs: each report reads the
// rollup afresh.
//
//	go run ./bench/patrol [-dsn postgres://postgres@127.0.0.1:5432/test] [-n 2000000] [-keep]
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	mrand "math/rand/v2"
	"net/url"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/postgres"
	"github.com/zhudun/zhudun/sqlstore"
)

func main() {
	admin := flag.String("dsn", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server to create the bench database on")
	n := flag.Int("n", 2000000, "incidents to load")
	keep := flag.Bool("keep", false, "keep the database afterwards")
	flag.Parse()
	ctx := context.Background()

	b := make([]byte, 4)
	rand.Read(b)
	name := "zhudun_bench_patrol_" + hex.EncodeToString(b)
	adb, err := sql.Open("pgx", *admin)
	check(err)
	_, err = adb.Exec(`CREATE DATABASE ` + name)
	check(err)
	if !*keep {
		defer adb.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	}
	u, err := url.Parse(*admin)
	check(err)
	u.Path = "/" + name
	s, err := postgres.Open(ctx, u.String(), sqlstore.Options{Keys: gmcrypto.Generate()})
	check(err)
	sys := zhudun.WithCaller(ctx, zhudun.SystemCaller("bench"))

	// 12 districts × 8 stations; 1,000 grids of 0.01° in a 40 × 25 block.
	var stations []string
	for d := 0; d < 12; d++ {
		sb := fmt.Sprintf("SB%02d", d)
		check(s.CreateDept(sys, &zhudun.Dept{Code: sb, Name: "分局" + sb, Kind: zhudun.DeptSubBureau}))
		for st := 0; st < 8; st++ {
			code := fmt.Sprintf("ST%02d-%d", d, st)
			check(s.CreateDept(sys, &zhudun.Dept{Code: code, Name: "派出所" + code, ParentCode: sb}))
			stations = append(stations, code)
		}
	}
	var grids []*zhudun.Grid
	for c := 0; c < 40; c++ {
		for r := 0; r < 25; r++ {
			i := c*25 + r
			w, so := 116.8+float64(c)*0.01, 36.5+float64(r)*0.01
			grids = append(grids, &zhudun.Grid{Code: fmt.Sprintf("G%04d", i), StationCode: stations[i*len(stations)/1000],
				PatrolPoint: [2]float64{w + 0.005, so + 0.005},
				Boundary:    [][][][2]float64{{{{w, so}, {w + 0.01, so}, {w + 0.01, so + 0.01}, {w, so + 0.01}, {w, so}}}}})
		}
	}
	t0 := time.Now()
	rep, err := s.ImportGrids(sys, grids, nil)
	check(err)
	if !rep.Accepted {
		log.Fatalf("grids rejected: %+v", rep.Problems[:min(3, len(rep.Problems))])
	}
	log.Printf("1,000 grids imported in %v", time.Since(t0).Round(time.Millisecond))
	gridIDs := map[int]int64{}
	stationOf := map[int64]int64{}
	all, err := s.AllGrids(sys)
	check(err)
	for i, g := range all {
		gridIDs[i] = g.ID
		stationOf[g.ID] = g.StationID
	}

	// COPY the incidents.
	cats := []string{"criminal", "public_order", "traffic", "fire", "rescue", "dispute", "other"}
	srcs := []string{"110", "110", "110", "walk_in", "patrol", "online"}
	outs := []string{"handled", "handled", "criminal_case", "public_order_case", "mediated", "rescued", "referred"}
	rng := mrand.New(mrand.NewPCG(1, 2))
	y2025 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	t0 = time.Now()
	conn, err := s.DB().Conn(ctx)
	check(err)
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		cols := []string{"category", "category_version", "lon", "lat", "source", "priority", "status", "grid_id", "station_id",
			"received_at", "dispatched_at", "arrived_at", "closed_at", "outcome", "imported", "created_at", "updated_at"}
		i := 0
		_, err := pc.CopyFrom(ctx, pgx.Identifier{"incidents"}, cols, pgx.CopyFromFunc(func() ([]any, error) {
			if i >= *n {
				return nil, nil
			}
			year := i % 2 // half in 2025, half in 2026
			i++
			gi := rng.IntN(len(all))
			recv := y2025.AddDate(year, 0, 0).Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
			disp := recv.Add(time.Duration(30+rng.IntN(120)) * time.Second)
			var arr any
			if rng.IntN(10) < 9 {
				arr = disp.Add(time.Duration(60+rng.IntN(1500)) * time.Second)
			}
			closed := recv.Add(time.Hour)
			return []any{cats[rng.IntN(len(cats))], 1, 116.8 + rng.Float64()*0.4, 36.5 + rng.Float64()*0.25, srcs[rng.IntN(len(srcs))], 2, "closed",
				gridIDs[gi], stationOf[gridIDs[gi]], recv, disp, arr, closed, outs[rng.IntN(len(outs))], true, recv, closed}, nil
		}))
		return err
	})
	check(err)
	conn.Close()
	log.Printf("%d incidents copied in %v", *n, time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	cells, err := s.RebuildPatrolRollup(sys)
	check(err)
	_, err = s.DB().Exec(`VACUUM ANALYZE patrol_rollup`)
	check(err)
	var rollupRows int
	check(s.DB().QueryRow(`SELECT COUNT(*) FROM patrol_rollup`).Scan(&rollupRows))
	log.Printf("rollup rebuilt in %v: %d cells", time.Since(t0).Round(time.Millisecond), cells)

	sh := time.FixedZone("CST", 8*3600)
	q := zhudun.PatrolReportQuery{From: time.Date(2026, 1, 1, 0, 0, 0, 0, sh), To: time.Date(2026, 12, 31, 0, 0, 0, 0, sh)}
	run := func(label string, ctx context.Context, q zhudun.PatrolReportQuery) {
		var ds []time.Duration
		var r *zhudun.PatrolReport
		for range 3 {
			t := time.Now()
			var err error
			r, err = s.PatrolReport(ctx, q)
			check(err)
			ds = append(ds, time.Since(t))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		fmt.Printf("%-28s median %v (runs %v); incidents %d vs %d last year, %d grids, %d stations, median response %d min\n",
			label, ds[1].Round(time.Millisecond), ds, r.Total.Incidents.Count, r.Total.Incidents.LastYear, len(r.Grids), len(r.Stations), *r.Total.Response.MedianMinutes)
	}
	fmt.Printf("PostgreSQL, %d incidents, %d rollup rows\n", *n, rollupRows)
	run("year report, city-wide", sys, q)
	cmd, err := s.CreateUser(sys, zhudun.NewUser{Username: "cmd", DeptCode: "SB03", Password: "S3cure!pass", Own: true, Roles: []string{zhudun.RoleCommander}})
	check(err)
	c, err := s.CallerFor(ctx, cmd.ID)
	check(err)
	run("year report, one sub-bureau", zhudun.WithCaller(ctx, c), q)
	q.From = time.Date(2026, 3, 15, 0, 0, 0, 0, sh)
	q.To = time.Date(2026, 10, 20, 0, 0, 0, 0, sh)
	run("2026-03-15…10-20, city-wide", sys, q)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
