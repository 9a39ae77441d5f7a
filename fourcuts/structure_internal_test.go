package fourcuts

import (
	"slices"
	"testing"
)

// Hand-drawn graph: a square 0–1–2–3–0 and a triangle 3–4–5–3 sharing node
// 3 (an articulation point), a bridge 5–6 and a pendant path 6–7. Its
// biconnected components are the square, the triangle, and the two bridges.
func TestBicomponents(t *testing.T) {
	edges := [][2]int32{{0, 1}, {1, 2}, {2, 3}, {3, 0}, {3, 4}, {4, 5}, {5, 3}, {5, 6}, {6, 7}}
	n := 9 // node 8 is isolated
	deg := make([]int32, n+1)
	for _, e := range edges {
		deg[e[0]+1]++
		deg[e[1]+1]++
	}
	for i := 1; i <= n; i++ {
		deg[i] += deg[i-1]
	}
	adj := make([]int32, 2*len(edges))
	pos := slices.Clone(deg[:n])
	for _, e := range edges {
		adj[pos[e[0]]], adj[pos[e[1]]] = e[1], e[0]
		pos[e[0]]++
		pos[e[1]]++
	}
	var got []string
	edgesSeen := 0
	bicomponents(n, deg, adj, func(nodes []int32, m int) {
		s := slices.Clone(nodes)
		slices.Sort(s)
		got = append(got, string(fmtNodes(s))+":"+string(rune('0'+m)))
		edgesSeen += m
	})
	slices.Sort(got)
	want := []string{"0123:4", "345:3", "56:1", "67:1"}
	if !slices.Equal(got, want) {
		t.Errorf("components %v, want %v", got, want)
	}
	if edgesSeen != len(edges) {
		t.Errorf("%d edges in components, want %d (each edge in exactly one)", edgesSeen, len(edges))
	}
}

func fmtNodes(s []int32) []byte {
	var b []byte
	for _, v := range s {
		b = append(b, byte('0'+v))
	}
	return b
}
