package fourcuts_test

import (
	"cmp"
	"fmt"
	"testing"

	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/sim"
)

// stressWorld is one stressor world of sim.Params: a small city with the
// default operations and one look-alike (or the ordinary-looking
// operation) at a high rate. The flags are those of `zhudun simulate`.
type stressWorld struct {
	name  string
	flags string
	p     sim.Params
}

func stressWorlds() []stressWorld {
	base := func(seed uint64) sim.Params { return sim.Params{Users: 3000, Days: 3, Seed: seed} }
	with := func(seed uint64, f func(*sim.Params)) sim.Params { p := base(seed); f(&p); return p }
	return []stressWorld{
		{"quiet_sales", "--quiet-sales 0.05", with(101, func(p *sim.Params) { p.QuietSales = 0.05 })},
		{"proxy_users", "--proxy-users 0.1", with(102, func(p *sim.Params) { p.ProxyUsers = 0.1 })},
		{"keyed_holders", "--keyed-holders", with(103, func(p *sim.Params) { p.KeyedHolders = true })},
		{"imeisv", "--imeisv 0.6", with(104, func(p *sim.Params) { p.IMEISV = 0.6 })},
		{"fleets", "--fleets 30", with(105, func(p *sim.Params) { p.Fleets = 30 })},
		{"evening_migrants", "--evening-migrants 0.04", with(106, func(p *sim.Params) { p.EveningMigrants = 0.04 })},
		{"family_phones", "--family-phones 0.3", with(107, func(p *sim.Params) { p.FamilyPhones = 0.3 })},
		{"dual_sim_phones", "--dual-sim-phones 0.3", with(108, func(p *sim.Params) { p.DualSIMPhones = 0.3 })},
		{"new_phone_setups", "--new-phone-setups 0.05", with(109, func(p *sim.Params) { p.NewPhoneSetups = 0.05 })},
		{"family_verifiers", "--family-verifiers 0.2", with(110, func(p *sim.Params) { p.FamilyVerifiers = 0.2 })},
		{"brief_modems", "--brief-modems 1", with(113, func(p *sim.Params) { p.BriefModems = 1 })},
		{"quiet_ops", "--quiet-ops 10", with(111, func(p *sim.Params) { p.QuietOps = 10 })},
		{"quiet_iphones", "--quiet-ops 10 --quiet-iphones 1", with(114, func(p *sim.Params) { p.QuietOps, p.QuietIPhones = 10, 1 })},
		{"exit_share", "--proxy-users 0.1 --exit-share 0.15", with(115, func(p *sim.Params) { p.ProxyUsers, p.ExitShare = 0.1, 0.15 })},
		{"all", "all of the above", with(112, func(p *sim.Params) {
			p.QuietSales, p.ProxyUsers, p.KeyedHolders, p.IMEISV, p.Fleets = 0.03, 0.05, true, 0.5, 20
			p.EveningMigrants, p.FamilyPhones, p.DualSIMPhones, p.NewPhoneSetups = 0.03, 0.2, 0.2, 0.03
			p.FamilyVerifiers, p.QuietOps, p.BriefModems = 0.1, 7, 0.3
		})},
	}
}

func detectEvents(evs []fourcuts.Event) *fourcuts.Result {
	e := fourcuts.NewEngine(fourcuts.DefaultConfig())
	for i := range evs {
		e.Add(&evs[i])
	}
	return e.Detect()
}

// TestStressWorlds: every stressor world scores precision ≥ 0.95 and
// recall ≥ 0.95 in each category. The worlds in stressPending (those the
// engine does not pass yet) run only under the build tag stress, which
// also runs every world again at other seeds and sizes (stressVariants),
// so that no detector is tuned to one draw.
func TestStressWorlds(t *testing.T) {
	for _, w := range stressWorlds() {
		if stressPending[w.name] {
			continue
		}
		for _, v := range stressVariants {
			p := w.p
			name := w.name
			if v.seed != 0 {
				p.Seed += v.seed
				p.Users, p.Days = cmp.Or(v.users, p.Users), cmp.Or(v.days, p.Days)
				name = fmt.Sprintf("%s/%d×%d,seed_%d", w.name, p.Users, p.Days, p.Seed)
			}
			t.Run(name, func(t *testing.T) {
				_, _, _, truth, _ := sim.Generate(p)
				res := detectEvents(sim.Events(p))
				for _, s := range scores(t, truth, res) {
					t.Logf("%-16s P=%.3f R=%.3f F1=%.3f truth=%d found=%d", s.Category, s.Precision, s.Recall, s.F1, s.Truth, s.Found)
					if s.Precision < 0.95 || s.Recall < 0.95 {
						t.Errorf("%s (%s, --users %d --days %d --seed %d): %s P=%.3f R=%.3f (truth %d, found %d, hits %d)",
							w.name, w.flags, p.Users, p.Days, p.Seed, s.Category, s.Precision, s.Recall, s.Truth, s.Found, s.Hits)
					}
				}
			})
		}
	}
}

// stressVariant reruns a world at seed+seed (0: the world as listed),
// with users and days when set.
type stressVariant struct {
	seed        uint64
	users, days int
}
