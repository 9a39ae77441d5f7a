// Package dense finds dense blocks in a bipartite graph — groups of sources
// (accounts, phone numbers, IPs) and destinations (devices, platforms) with far
// more edges between them than the rest of the graph would suggest, such as a
// bulk-registration studio's accounts × devices.
//
// Detection follows Fraudar (Hooi et al., KDD 2016): the density of a node set
// S is g(S) = f(S)/|S|, where f sums the weights of the edges inside S and an
// edge into destination j weighs 1/ln(deg j + 5), so that edges to popular
// destinations count for less. That column weighting is what makes the metric
// resist camouflage: a fraudster adding edges to ordinary or popular
// destinations cannot make the block look less dense. The densest set is
// approximated by greedy peeling — repeatedly remove the node whose removal
// costs f the least, keep the best set seen — which Fraudar proves to be within
// a factor 2 of the optimum. Several blocks are found by deleting a block's
// edges and peeling again.
//
// Each block is also scored against the graph's background (see Block), so
// that a caller can tell a real block from the densest piece of pure noise.
// The package does no I/O.
package dense

import (
	"fmt"
	"slices"
)

// Edge is a directed edge from source row Src to destination column Dst.
type Edge struct {
	Src, Dst int32
}

// Graph is an immutable bipartite graph with rows (sources) 0…Rows()-1 and
// columns (destinations) 0…Cols()-1. Parallel edges are merged.
type Graph struct {
	nr, nc int
	rowPtr []int32 // row i's columns are rowAdj[rowPtr[i]:rowPtr[i+1]], ascending
	rowAdj []int32
	colPtr []int32 // column j's rows are colAdj[colPtr[j]:colPtr[j+1]], ascending
	colAdj []int32
	colEdg []int32 // colEdg[k] is the position in rowAdj of the edge colAdj[k]→j
}

// NewGraph builds a graph of rows×cols nodes from edges, merging duplicates.
// It fails if an edge names a node out of range.
func NewGraph(rows, cols int, edges []Edge) (*Graph, error) {
	if rows < 0 || cols < 0 || rows > 1<<30 || cols > 1<<30 {
		return nil, fmt.Errorf("dense: graph size %d×%d out of range", rows, cols)
	}
	if len(edges) >= 1<<31-1 {
		return nil, fmt.Errorf("dense: %d edges is too many", len(edges))
	}
	g := &Graph{nr: rows, nc: cols}
	// Counting sort by row, then sort and de-duplicate each (short) row.
	cnt := make([]int32, rows+1)
	for _, e := range edges {
		if e.Src < 0 || int(e.Src) >= rows || e.Dst < 0 || int(e.Dst) >= cols {
			return nil, fmt.Errorf("dense: edge %d→%d outside %d×%d", e.Src, e.Dst, rows, cols)
		}
		cnt[e.Src+1]++
	}
	for i := 1; i <= rows; i++ {
		cnt[i] += cnt[i-1]
	}
	adj := make([]int32, len(edges))
	next := slices.Clone(cnt[:rows])
	for _, e := range edges {
		adj[next[e.Src]] = e.Dst
		next[e.Src]++
	}
	g.rowPtr = make([]int32, rows+1)
	w := int32(0)
	for i := range rows {
		row := adj[cnt[i]:cnt[i+1]]
		slices.Sort(row)
		for k, c := range row {
			if k > 0 && c == row[k-1] {
				continue
			}
			adj[w] = c
			w++
		}
		g.rowPtr[i+1] = w
	}
	g.rowAdj = adj[:w:w]
	// Column view, built from the row view so each column's rows ascend.
	g.colPtr = make([]int32, cols+1)
	for _, c := range g.rowAdj {
		g.colPtr[c+1]++
	}
	for j := 1; j <= cols; j++ {
		g.colPtr[j] += g.colPtr[j-1]
	}
	g.colAdj = make([]int32, len(g.rowAdj))
	g.colEdg = make([]int32, len(g.rowAdj))
	pos := slices.Clone(g.colPtr[:cols])
	for i := range rows {
		for k := g.rowPtr[i]; k < g.rowPtr[i+1]; k++ {
			c := g.rowAdj[k]
			g.colAdj[pos[c]] = int32(i)
			g.colEdg[pos[c]] = k
			pos[c]++
		}
	}
	return g, nil
}

// Rows returns the number of source nodes.
func (g *Graph) Rows() int { return g.nr }

// Cols returns the number of destination nodes.
func (g *Graph) Cols() int { return g.nc }

// Edges returns the number of distinct edges.
func (g *Graph) Edges() int { return len(g.rowAdj) }

// RowDegree returns the number of distinct destinations of row i.
func (g *Graph) RowDegree(i int) int { return int(g.rowPtr[i+1] - g.rowPtr[i]) }

// ColDegree returns the number of distinct sources of column j.
func (g *Graph) ColDegree(j int) int { return int(g.colPtr[j+1] - g.colPtr[j]) }
