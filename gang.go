package zhudun

import (
	"slices"
	"strings"
	"time"
)

// Gang is one gang as the analyst's gang page draws it: its members (the
// findings the caller may see), the graph of their links, its figures and
// the timeline of its activity (issue 11.2).
type Gang struct {
	ID      string     `json:"gang"`
	Members []*Finding `json:"members"`
	// Total is the number of members the caller may see; more than
	// len(Members) when the gang is larger than a page draws.
	Total    int         `json:"total"`
	Nodes    []GangNode  `json:"nodes"`
	Edges    []GangEdge  `json:"edges"`
	Figures  GangFigures `json:"figures"`
	Timeline []GangDay   `json:"timeline"`
}

// GangNode is one node of the graph: a member ("category|entity"), an
// outlet that opened members' cards (category "outlet"), or a phone that
// is no finding but registered two or more of its accounts (category
// "phone"; no finding either).
type GangNode struct {
	ID       string  `json:"id"`
	Category string  `json:"category"`
	Entity   string  `json:"entity"`
	Score    float64 `json:"score"`
	Finding  int64   `json:"finding,omitempty"`
	Status   string  `json:"status,omitempty"`
	Engine   string  `json:"engine,omitempty"`
}

// GangEdge links two nodes by their ids.
type GangEdge struct {
	Source string `json:"source"`
	Target string `json:"target"`
}

// GangFigures counts a gang's members.
type GangFigures struct {
	Members    int            `json:"members"`
	ByCategory map[string]int `json:"by_category"`
	Outlets    int            `json:"outlets"`
	Confirmed  int            `json:"confirmed"` // confirmed or cut
	Cut        int            `json:"cut"`
	FirstSeen  *time.Time     `json:"first_seen,omitempty"`
	LastSeen   *time.Time     `json:"last_seen,omitempty"`
}

// GangDay is one China-time day of a gang's activity: the members first
// seen that day, by category, and the members active (first seen on or
// before it, last seen on or after it).
type GangDay struct {
	Day    string         `json:"day"`
	New    map[string]int `json:"new"`
	Active int            `json:"active"`
}

// GangTimelineDays bounds the timeline: the last days of the gang's span.
const GangTimelineDays = 120

// NewGang draws the gang of the members given (its findings, any engine
// status). A link to an entity that is not among them — a member the
// caller may not see, or a line the grouping gave another gang — is left
// out: the page shows what the caller may see of this gang.
func NewGang(id string, members []*Finding) *Gang {
	g := &Gang{ID: id, Members: members, Total: len(members), Nodes: []GangNode{}, Edges: []GangEdge{}, Timeline: []GangDay{},
		Figures: GangFigures{ByCategory: map[string]int{}}}
	key := func(f *Finding) string { return f.Category + "|" + f.Entity }
	index := map[string]bool{}
	for _, f := range members {
		k := key(f)
		index[k] = true
		g.Nodes = append(g.Nodes, GangNode{ID: k, Category: f.Category, Entity: f.Entity, Score: f.Score, Finding: f.ID, Status: f.Review, Engine: f.Status})
		g.Figures.Members++
		g.Figures.ByCategory[f.Category]++
		if f.Confirmed {
			g.Figures.Confirmed++
		}
		if f.Review == ReviewCut {
			g.Figures.Cut++
		}
		if fs := f.FirstSeen; g.Figures.FirstSeen == nil || fs.Before(*g.Figures.FirstSeen) {
			g.Figures.FirstSeen = &fs
		}
		if ls := f.LastSeen; g.Figures.LastSeen == nil || ls.After(*g.Figures.LastSeen) {
			g.Figures.LastSeen = &ls
		}
	}
	seen := map[GangEdge]bool{}
	for _, f := range members {
		for _, l := range f.Links {
			cat, ent, ok := strings.Cut(l, "|")
			if !ok {
				continue
			}
			if (cat == "outlet" || cat == "phone") && !index[l] {
				index[l] = true
				g.Nodes = append(g.Nodes, GangNode{ID: l, Category: cat, Entity: ent})
				if cat == "outlet" {
					g.Figures.Outlets++
				}
			}
			if !index[l] {
				continue
			}
			e := GangEdge{Source: key(f), Target: l}
			if !seen[e] {
				seen[e] = true
				g.Edges = append(g.Edges, e)
			}
		}
	}
	g.Timeline = gangTimeline(members, g.Figures)
	return g
}

func gangTimeline(members []*Finding, fig GangFigures) []GangDay {
	if fig.FirstSeen == nil {
		return []GangDay{}
	}
	day := func(t time.Time) time.Time {
		t = t.In(CST())
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, CST())
	}
	first, last := day(*fig.FirstSeen), day(*fig.LastSeen)
	if d := last.AddDate(0, 0, -(GangTimelineDays - 1)); first.Before(d) {
		first = d
	}
	var out []GangDay
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		gd := GangDay{Day: d.Format("2006-01-02"), New: map[string]int{}}
		for _, f := range members {
			fd, ld := day(f.FirstSeen), day(f.LastSeen)
			if fd.Equal(d) {
				gd.New[f.Category]++
			}
			if !fd.After(d) && !ld.Before(d) {
				gd.Active++
			}
		}
		out = append(out, gd)
	}
	return slices.Clip(out)
}
