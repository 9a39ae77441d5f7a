package live

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/sqlstore"
)

func fnd(cat, entity, gang string) fourcuts.Finding {
	return fourcuts.Finding{Category: cat, EntityType: fourcuts.EntityTypeOf[cat], Entity: entity, Score: 0.9, Gang: gang, FirstSeen: 1, LastSeen: 2}
}

// commitRun applies a diff to the service's memory as a committed change
// would, numbering new findings from next.
func commitRun(s *Service, res *fourcuts.Result, next *int64) *zhudun.FindingChange {
	return commitRunAs(s, res, next, true)
}

func commitRunAs(s *Service, res *fourcuts.Result, next *int64, full bool) *zhudun.FindingChange {
	ch := s.diff(res, "cmcc", full)
	for _, f := range ch.Upsert {
		if f.ID == 0 {
			*next++
			f.ID = *next
		}
		s.stored[sqlstore.FindingKey(f.Kind, f.Category, f.EntityType, f.Entity)] = f
	}
	for _, f := range s.stored {
		if slices.Contains(ch.Withdraw, f.ID) {
			f.Status = zhudun.FindingWithdrawn
		}
	}
	return ch
}

func gangsOf(s *Service) string {
	var out []string
	for _, f := range s.stored {
		if f.Status == zhudun.FindingLive && f.Kind == zhudun.KindFinding {
			out = append(out, f.Entity+"="+f.Gang)
		}
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// TestGangIDsStable: fourcuts numbers gangs afresh each run; the stored
// ids stay as a gang grows, the older id survives a merge, a split gives
// the smaller part a new id, and ids are never reused.
func TestGangIDsStable(t *testing.T) {
	s := New(Config{})
	s.stored, s.nextGang = map[string]*zhudun.Finding{}, 1
	var next int64
	card := fourcuts.BlackCard
	// Run 1: two gangs.
	commitRun(s, &fourcuts.Result{Findings: []fourcuts.Finding{fnd(card, "a1", "G-000001"), fnd(card, "b1", "G-000002")}}, &next)
	if got := gangsOf(s); got != "a1=G-000001 b1=G-000002" {
		t.Fatalf("run 1: %s", got)
	}
	// Run 2: a new gang sorts first in fourcuts' numbering; both old gangs
	// grow. Their ids stay; the new one gets the next id.
	commitRun(s, &fourcuts.Result{Findings: []fourcuts.Finding{fnd(card, "0c", "G-000001"),
		fnd(card, "a1", "G-000002"), fnd(card, "a2", "G-000002"), fnd(card, "b1", "G-000003"), fnd(card, "b2", "G-000003")}}, &next)
	if got := gangsOf(s); got != "0c=G-000003 a1=G-000001 a2=G-000001 b1=G-000002 b2=G-000002" {
		t.Fatalf("run 2: %s", got)
	}
	// Run 3: the gangs of b and 0c merge (b's is older); a splits, a2 going
	// its own way with a new id.
	commitRun(s, &fourcuts.Result{Findings: []fourcuts.Finding{fnd(card, "0c", "G-000001"), fnd(card, "b1", "G-000001"),
		fnd(card, "b2", "G-000001"), fnd(card, "a1", "G-000002"), fnd(card, "a3", "G-000002"), fnd(card, "a2", "G-000003")}}, &next)
	if got := gangsOf(s); got != "0c=G-000002 a1=G-000001 a2=G-000004 a3=G-000001 b1=G-000002 b2=G-000002" {
		t.Fatalf("run 3: %s", got)
	}
}

// TestDiffInPlace: a finding found again unchanged is not written; one
// whose score grew is updated under its id; one no longer found is
// withdrawn, and found again comes back live under the same id; a lead
// and a finding of one entity are two rows.
func TestDiffInPlace(t *testing.T) {
	s := New(Config{})
	s.stored, s.nextGang = map[string]*zhudun.Finding{}, 1
	var next int64
	a, b := fnd(fourcuts.BlackCard, "a", "G-000001"), fnd(fourcuts.BlackDevice, "86123456789012", "G-000001")
	lead := fnd(fourcuts.BlackCard, "a", "")
	ch := commitRun(s, &fourcuts.Result{Findings: []fourcuts.Finding{a, b}, Leads: []fourcuts.Finding{lead}}, &next)
	if len(ch.Upsert) != 3 || len(ch.Withdraw) != 0 {
		t.Fatalf("run 1: %d upserts %d withdrawals", len(ch.Upsert), len(ch.Withdraw))
	}
	ch = commitRun(s, &fourcuts.Result{Findings: []fourcuts.Finding{a, b}, Leads: []fourcuts.Finding{lead}}, &next)
	if len(ch.Upsert) != 0 || len(ch.Withdraw) != 0 {
		t.Fatalf("unchanged run wrote %d, withdrew %d", len(ch.Upsert), len(ch.Withdraw))
	}
	// The score grows; the IMEI arrives in its 15-digit form (the same
	// device: renamed in place); the lead is gone.
	a.Score, b.Entity = 0.95, "861234567890123"
	ch = commitRun(s, &fourcuts.Result{Findings: []fourcuts.Finding{a, b}}, &next)
	if len(ch.Upsert) != 2 || ch.Upsert[0].ID != 1 || ch.Upsert[0].Score != 0.95 || ch.Upsert[1].ID != 2 || ch.Upsert[1].Entity != "861234567890123" {
		t.Fatalf("run 3 upserts %+v", ch.Upsert)
	}
	if !slices.Equal(ch.Withdraw, []int64{3}) {
		t.Fatalf("run 3 withdrew %v", ch.Withdraw)
	}
	ch = commitRun(s, &fourcuts.Result{Findings: []fourcuts.Finding{b}}, &next)
	if !slices.Equal(ch.Withdraw, []int64{1}) {
		t.Fatalf("run 4 withdrew %v", ch.Withdraw)
	}
	ch = commitRun(s, &fourcuts.Result{Findings: []fourcuts.Finding{a, b}}, &next)
	if len(ch.Upsert) != 1 || ch.Upsert[0].ID != 1 || ch.Upsert[0].Status != zhudun.FindingLive || len(ch.Withdraw) != 0 {
		t.Fatalf("run 5: %+v %v", ch.Upsert, ch.Withdraw)
	}
}

// TestDiffEarly: an early run writes only what is new — a finding not
// stored, and a withdrawn one found again — and leaves a live finding whose
// score moved, and one no longer found, to the next full run, which writes
// both.
func TestDiffEarly(t *testing.T) {
	s := New(Config{})
	s.stored, s.nextGang = map[string]*zhudun.Finding{}, 1
	var next int64
	a, b, c := fnd(fourcuts.BlackCard, "a", "G-000001"), fnd(fourcuts.BlackCard, "b", "G-000002"), fnd(fourcuts.BlackCard, "c", "G-000003")
	commitRun(s, &fourcuts.Result{Findings: []fourcuts.Finding{a, b}}, &next)
	commitRun(s, &fourcuts.Result{Findings: []fourcuts.Finding{a}}, &next) // b withdrawn
	a.Score = 0.95
	d := fnd(fourcuts.BlackCard, "d", "G-000004")
	// a moved, b is back, c and d are new: b, c and d are written, a is not.
	ch := commitRunAs(s, &fourcuts.Result{Findings: []fourcuts.Finding{a, b, c, d}}, &next, false)
	var got []string
	for _, f := range ch.Upsert {
		got = append(got, f.Entity+"/"+f.Status)
	}
	if strings.Join(got, " ") != "b/live c/live d/live" || len(ch.Withdraw) != 0 {
		t.Fatalf("early run wrote %v, withdrew %v; want b (back), c and d (new), no withdrawal", got, ch.Withdraw)
	}
	if ch.Upsert[0].ID != 2 {
		t.Errorf("b came back as id %d, want its own 2", ch.Upsert[0].ID)
	}
	// An early run without d: d stays (withdrawals wait for a full run).
	if ch := commitRunAs(s, &fourcuts.Result{Findings: []fourcuts.Finding{a, b, c}}, &next, false); len(ch.Upsert)+len(ch.Withdraw) != 0 {
		t.Fatalf("second early run: %+v %v", ch.Upsert, ch.Withdraw)
	}
	ch = commitRun(s, &fourcuts.Result{Findings: []fourcuts.Finding{a, b, c}}, &next)
	if len(ch.Upsert) != 1 || ch.Upsert[0].Entity != "a" || ch.Upsert[0].Score != 0.95 || !slices.Equal(ch.Withdraw, []int64{4}) {
		t.Fatalf("full run: %+v, withdrew %v; want a's new score, d withdrawn", ch.Upsert, ch.Withdraw)
	}
}

// TestContractFindingAsDecoded: the score and evidence cut from a
// finding's JSON are what encoding/json decodes from it (the way they were
// read before), for entities with quotes and escapes, evidence with
// windows, limits and measures, none, and scores that round.
func TestContractFindingAsDecoded(t *testing.T) {
	evs := []fourcuts.Evidence{
		{Signal: "callees_per_day", Value: 120.12345, Threshold: 50, Weight: 0.4, Window: "day", Detector: "cards"},
		{Signal: "dense_core", Value: 7, Threshold: 5, Weight: 1, Limits: []fourcuts.Limit{{Name: "evidence", Value: 2}, {Name: "score", Value: 0.5}},
			Measures: []fourcuts.Limit{{Name: `"gang":`, Value: 3.14159}}, Detector: "dense"},
	}
	for _, f := range []fourcuts.Finding{
		{Category: fourcuts.BlackCard, EntityType: "msisdn", Entity: "13912345678", Score: 0.91234, Gang: "G-000001", FirstSeen: 1, LastSeen: 2, Evidence: evs},
		{Category: fourcuts.BlackAccount, EntityType: "account", Entity: `wx:a","score":9,"gang":"x","evidence":[1]}`, Score: 1, Evidence: evs[1:]},
		{Category: fourcuts.BlackCard, EntityType: "msisdn", Entity: "\\\"\u2028", Score: 0.0005},
		{Category: fourcuts.BlackDevice, EntityType: "imei", Entity: "861234567890123", Score: 0.3334999, Evidence: evs[:1], Links: []string{"a"}},
	} {
		var want struct {
			Score    float64         `json:"score"`
			Evidence json.RawMessage `json:"evidence"`
		}
		if err := json.Unmarshal(f.AppendJSON(nil), &want); err != nil {
			t.Fatal(err)
		}
		got := contractFinding(zhudun.KindFinding, &f)
		if got.Score != want.Score || string(got.Evidence) != string(want.Evidence) || got.Entity != f.Entity {
			t.Errorf("%q: score %v evidence %s; encoding/json: %v %s", f.Entity, got.Score, got.Evidence, want.Score, want.Evidence)
		}
	}
}
