package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts/sim"
)

// simFloats are the world parameters `zhudun simulate` takes as flags
// (besides --users, --days, --seed and --malformed); a flag given wins over
// the same field of --params.
var simFloats = []struct {
	name, usage string
	field       func(*sim.Params) *float64
}{
	{"cat-pools", "cat pools per 20,000 residents (default 2)", func(p *sim.Params) *float64 { return &p.CatPools }},
	{"studios", "registration studios per 20,000 residents (default 3)", func(p *sim.Params) *float64 { return &p.Studios }},
	{"goips", "GoIP gateways per 20,000 residents (default 2)", func(p *sim.Params) *float64 { return &p.GoIPs }},
	{"emu-farms", "emulator farms per 20,000 residents (default 1)", func(p *sim.Params) *float64 { return &p.EmuFarms }},
	// stressors (sim.Params documents each); 0 = off
	{"quiet-sales", "stressor: share of residents who are sales or call-centre staff rung back 0–1 times a day", func(p *sim.Params) *float64 { return &p.QuietSales }},
	{"proxy-users", "stressor: share of residents registering through shared commercial VPN/proxy exits and data-centre addresses", func(p *sim.Params) *float64 { return &p.ProxyUsers }},
	{"imeisv", "stressor: share of (phone, carrier) pairs whose call records carry the 16-digit IMEISV (or 14 digits)", func(p *sim.Params) *float64 { return &p.IMEISV }},
	{"fleets", "stressor: company fleets and IoT batches opened at night at one outlet, per 20,000 residents", func(p *sim.Params) *float64 { return &p.Fleets }},
	{"evening-migrants", "stressor: share of residents arriving from a far province who open a card in the evening", func(p *sim.Params) *float64 { return &p.EveningMigrants }},
	{"family-phones", "stressor: share of households sharing one family phone", func(p *sim.Params) *float64 { return &p.FamilyPhones }},
	{"dual-sim-phones", "stressor: share of residents with two cards used equally in one phone", func(p *sim.Params) *float64 { return &p.DualSIMPhones }},
	{"new-phone-setups", "stressor: share of residents who set up a new phone and register about a dozen apps in a day", func(p *sim.Params) *float64 { return &p.NewPhoneSetups }},
	{"family-verifiers", "stressor: share of households whose phones verify each other's accounts", func(p *sim.Params) *float64 { return &p.FamilyVerifiers }},
	{"brief-modems", "stressor: cat-pool modems seen in only one or two short calls, per modem of each pool", func(p *sim.Params) *float64 { return &p.BriefModems }},
	{"quiet-ops", "ordinary-looking registration operations (dense phones × cards × platforms) per 20,000 residents", func(p *sim.Params) *float64 { return &p.QuietOps }},
	{"quiet-iphones", "stressor: share of the quiet operations' phones that are iPhones, which reset without limit (default 0.6)", func(p *sim.Params) *float64 { return &p.QuietIPhones }},
	{"exit-share", "stressor: share of studio registrations through the shared commercial exits of --proxy-users (default 0.04)", func(p *sim.Params) *float64 { return &p.ExitShare }},
}

// Simulate runs `zhudun simulate --users N --days D --seed S --out DIR --truth FILE`.
func Simulate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	p, out, truth, err := simParams(args, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	var sum sim.Summary
	if err := untilDone(ctx, func() (err error) { sum, err = sim.Write(p, out, truth); return err }); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d events in %d files to %s in %.1fs; truth %s:", sum.Events, len(sum.Files), out, time.Since(start).Seconds(), truth)
	cats := make([]string, 0, len(sum.Truth))
	for c := range sum.Truth {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		fmt.Fprintf(stderr, " %s=%d", c, sum.Truth[c])
	}
	fmt.Fprintln(stderr)
	return nil
}

// simParams reads the world of `zhudun simulate` from its flags and the
// optional --params file (flags given win).
func simParams(args []string, stderr io.Writer) (p sim.Params, outDir, truthPath string, err error) {
	fs := fourCutsFlags("simulate", stderr, "--users N --days D --seed S --out DIR --truth FILE [world and stressor flags]")
	fs.IntVar(&p.Users, "users", 20000, "residents")
	fs.IntVar(&p.Days, "days", 7, "days of events")
	seed := fs.Uint64("seed", 1, "random seed")
	out := fs.String("out", "", "feed directory to write")
	truth := fs.String("truth", "", "ground-truth file (keep it outside the feed directory)")
	fs.IntVar(&p.Malformed, "malformed", 0, "malformed lines to inject")
	for _, f := range simFloats {
		fs.Float64Var(f.field(&p), f.name, 0, f.usage)
	}
	fs.BoolVar(&p.KeyedHolders, "keyed-holders", false, "stressor: every holder a keyed pseudonym (no resident ID, so no province)")
	paramsPath := fs.String("params", "", "JSON file of further world parameters (fields of sim.Params); flags given win")
	if err := parseFourCuts(fs, args); err != nil {
		return p, "", "", err
	}
	if *paramsPath != "" {
		var q sim.Params
		if err := readJSON(*paramsPath, &q); err != nil {
			return p, "", "", err
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["users"] && q.Users != 0 {
			p.Users = q.Users
		}
		if !set["days"] && q.Days != 0 {
			p.Days = q.Days
		}
		if !set["seed"] && q.Seed != 0 {
			*seed = q.Seed
		}
		q.Users, q.Days, q.Seed, q.Malformed = p.Users, p.Days, 0, p.Malformed
		for _, f := range simFloats {
			if set[f.name] {
				*f.field(&q) = *f.field(&p)
			}
		}
		if set["keyed-holders"] {
			q.KeyedHolders = p.KeyedHolders
		}
		p = q
	}
	if *out == "" || *truth == "" {
		fs.Usage()
		return p, "", "", zhudun.FieldError("out", "--out and --truth are required")
	}
	if p.Users < 100 || p.Days < 1 || p.Days > 366 {
		return p, "", "", zhudun.FieldError("users", "need --users ≥ 100 and 1 ≤ --days ≤ 366")
	}
	p.Seed = *seed
	return p, *out, *truth, nil
}
