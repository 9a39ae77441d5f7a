package dense

import (
	"math"
	"sync"
)

// fixed is the scale of the fixed-point edge weights. Priorities are sums of
// weights; keeping them as integers makes every sum exact, so the peeling
// order — and the block found — cannot depend on the order in which edges
// happened to be added up.
const fixed = 1 << 30

// colWeights returns Fraudar's camouflage-resistant weight 1/ln(d+5) for every
// column, in fixed point, from the degrees in g.
func colWeights(g *Graph) []int64 {
	w := make([]int64, g.nc)
	for j := range w {
		w[j] = int64(math.Round(fixed / math.Log(float64(g.ColDegree(j))+5)))
	}
	return w
}

// peeler holds the scratch state of greedy peeling, reused across blocks.
// The peeling loop works on a copy of the graph numbered by min-tree leaf,
// so that priorities, liveness and neighbour lists are read from the same
// few arrays rather than through an index per access.
type peeler struct {
	g     *Graph
	w     []int64 // column weights, by column
	dead  []bool  // edges (by position in g.rowAdj) deleted with earlier blocks
	stale bool    // edges died since nb was last compacted
	leaf  []int32 // node → leaf position in the min-tree (canonical order)
	node  []int32 // leaf position → node
	nb    []int32 // leaf l's live neighbour leaves are nb[lv[l].off:lv[l+1].off]
	edge  []int32 // edge[k] is the position in g.rowAdj of the edge to nb[k]
	lv    []leafv // by leaf (padded to ng·group, and one past the last leaf): see leafv
	win   []entry // min-tree over groups: win[k], 1 ≤ k < ng, is the least leaf under k
	ng    int     // number of leaf groups (≥ 2); group g is tree node ng+g
}

// group is the number of leaves that share one bottom node of the min-tree.
// Four leafv fill one 64-byte cache line (lv is a large allocation, so it
// starts on a page), and a group's least leaf is found by scanning that line
// rather than read from a tree level of its own. Decreasing a neighbour's
// priority — the peeling loop's commonest step, once per edge, at a random
// place — then touches the line that holds its priority anyway and reaches
// the tree only if it beats the three others; with one leaf per bottom node
// every decrease also read a tree entry in a different, equally random line.
// On the 2 M-edge benchmark graph peeling took ≈ 30 % less time than with
// two-leaf bottom nodes.
const group = 4

// leafv is a leaf's priority — the weight lost from f if the node goes, inf
// once gone — its weight (the column's, 0 for rows; below 2³⁰/ln 5 < 2³¹)
// and where its neighbours start in nb, kept together in 16 bytes so that
// updating a neighbour reads one place and taking the least leaf finds its
// neighbours without another random read.
type leafv struct {
	pri int64
	w   int32
	off int32
}

// entry is a min-tree node: the winning leaf and its priority, kept together
// so that a walk up the tree reads one place per level instead of looking
// every winner's priority up in pri.
type entry struct {
	pri  int64
	leaf int32
}

// before orders entries by priority, then leaf position.
func (a entry) before(b entry) bool {
	return a.pri < b.pri || a.pri == b.pri && a.leaf < b.leaf
}

// newPeeler prepares peeling of g. With canonical set, nodes enter the
// min-tree in a canonical order — rows before columns, then by degree, then
// by the total degree of their neighbours, then by index — so that ties
// between equal priorities are broken by the graph's structure rather than by
// how the ids were spelled. Without it (for random graphs, where it does not
// matter) they enter by index.
func newPeeler(g *Graph, w []int64, canonical bool) *peeler {
	n := g.nr + g.nc
	p := &peeler{
		g:    g,
		w:    w,
		dead: make([]bool, len(g.rowAdj)),
		leaf: make([]int32, n),
		node: make([]int32, n),
	}
	if canonical {
		// One packed key per node: degree in the top 24 bits, neighbours'
		// total degree (saturated) in the low 40; ties fall back to index.
		type key struct {
			k  uint64
			id int32
		}
		pack := func(deg int, nbr int64) uint64 {
			return uint64(min(deg, 1<<24-1))<<40 | uint64(min(nbr, 1<<40-1))
		}
		keys := make([]key, n)
		tmp := make([]key, n)
		// Rows and columns are already separated by id: each half is keyed
		// and sorted on its own (the sort is stable, so equal keys stay in
		// index order) and fills its own leaves, the two halves at once.
		rows := func() {
			for i := range g.nr {
				var s int64
				for _, c := range g.rowAdj[g.rowPtr[i]:g.rowPtr[i+1]] {
					s += int64(g.colPtr[c+1] - g.colPtr[c])
				}
				keys[i] = key{pack(g.RowDegree(i), s), int32(i)}
			}
			radixSort(keys[:g.nr], tmp[:g.nr], func(k key) uint64 { return k.k })
			for pos, k := range keys[:g.nr] {
				p.node[pos] = k.id
				p.leaf[k.id] = int32(pos)
			}
		}
		cols := func() {
			for j := range g.nc {
				var s int64
				for _, r := range g.colAdj[g.colPtr[j]:g.colPtr[j+1]] {
					s += int64(g.rowPtr[r+1] - g.rowPtr[r])
				}
				keys[g.nr+j] = key{pack(g.ColDegree(j), s), int32(g.nr + j)}
			}
			radixSort(keys[g.nr:], tmp[g.nr:], func(k key) uint64 { return k.k })
			for pos, k := range keys[g.nr:] {
				p.node[g.nr+pos] = k.id
				p.leaf[k.id] = int32(g.nr + pos)
			}
		}
		both(len(g.rowAdj), rows, cols)
	} else {
		for v := range n {
			p.node[v] = int32(v)
			p.leaf[v] = int32(v)
		}
	}
	// Leaf-numbered adjacency.
	p.nb = make([]int32, 2*len(g.rowAdj))
	p.edge = make([]int32, 2*len(g.rowAdj))
	p.ng = max(2, (n+group-1)/group)
	p.lv = make([]leafv, max(p.ng*group, n+1))
	// Row leaves come first and take the first half of nb, so the rows'
	// and the columns' lists are filled at once.
	fill := func(lo, hi int, o int32) {
		for l := lo; l < hi; l++ {
			p.lv[l].off = o
			v := int(p.node[l])
			if v < g.nr {
				for k := g.rowPtr[v]; k < g.rowPtr[v+1]; k++ {
					p.nb[o] = p.leaf[g.nr+int(g.rowAdj[k])]
					p.edge[o] = k
					o++
				}
			} else {
				j := v - g.nr
				p.lv[l].w = int32(w[j])
				for k := g.colPtr[j]; k < g.colPtr[j+1]; k++ {
					p.nb[o] = p.leaf[g.colAdj[k]]
					p.edge[o] = g.colEdg[k]
					o++
				}
			}
		}
	}
	m := int32(len(g.rowAdj))
	both(len(g.rowAdj), func() { fill(0, g.nr, 0) }, func() { fill(g.nr, n, m) })
	p.lv[n].off = 2 * m
	p.win = make([]entry, p.ng)
	return p
}

// parallelEdges is the size from which both runs its two halves of work at
// once: below it a goroutine costs more than it saves.
const parallelEdges = 1 << 17

// both runs a and b, on two goroutines if the graph has at least
// parallelEdges edges. They must write disjoint memory.
func both(edges int, a, b func()) {
	if edges < parallelEdges {
		a()
		b()
		return
	}
	var wg sync.WaitGroup
	wg.Go(b)
	a()
	wg.Wait()
}

// compact drops the halves of dead edges from the leaf adjacency, so that
// the peeling loop never tests liveness.
func (p *peeler) compact() {
	if !p.stale {
		return
	}
	p.stale = false
	o := int32(0)
	for l := range len(p.node) {
		lo, hi := p.lv[l].off, p.lv[l+1].off
		p.lv[l].off = o
		for k := lo; k < hi; k++ {
			if e := p.edge[k]; !p.dead[e] {
				p.nb[o], p.edge[o] = p.nb[k], e
				o++
			}
		}
	}
	p.lv[len(p.node)].off = o
}

// radixSort sorts a stably by the 64-bit key of each element, using b (of
// the same length) as scratch. Bytes that are equal in every key are
// skipped, so small keys cost few passes.
func radixSort[T any](a, b []T, key func(T) uint64) {
	var or, and uint64 = 0, ^uint64(0)
	for _, x := range a {
		k := key(x)
		or |= k
		and &= k
	}
	src, dst := a, b
	for shift := uint(0); shift < 64; shift += 8 {
		if (or>>shift)&0xff == (and>>shift)&0xff {
			continue // this byte is the same everywhere
		}
		var cnt [257]int
		for _, x := range src {
			cnt[(key(x)>>shift)&0xff+1]++
		}
		for i := 1; i < 257; i++ {
			cnt[i] += cnt[i-1]
		}
		for _, x := range src {
			d := (key(x) >> shift) & 0xff
			dst[cnt[d]] = x
			cnt[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
}

// groupMin returns the least leaf of group g with its priority.
func (p *peeler) groupMin(g int) entry {
	lv := p.lv[g*group : g*group+group : g*group+group]
	best := entry{lv[0].pri, int32(g * group)}
	for i := 1; i < group; i++ {
		if lv[i].pri < best.pri {
			best = entry{lv[i].pri, int32(g*group + i)}
		}
	}
	return best
}

// child returns min-tree node c: an internal node's entry, or for c ≥ ng the
// least leaf of group c−ng.
func (p *peeler) child(c int) entry {
	if c >= p.ng {
		return p.groupMin(c - p.ng)
	}
	return p.win[c]
}

// build fills the min-tree from the leaf priorities. Nodes 1…ng−1 are
// internal, ng…2ng−1 the groups; ng need not be a power of two, as every
// node above 1 still has exactly one parent, so node 1 covers every group.
func (p *peeler) build() {
	for k := p.ng - 1; k >= 1; k-- {
		a, b := p.child(2*k), p.child(2*k+1)
		if b.before(a) {
			a = b
		}
		p.win[k] = a
	}
}

// decreased restores the tree after leaf's priority went down: the leaf can
// only win more subtrees. It is its group's winner unless another leaf of
// the group beats it, and the walk stops at the first ancestor won by a
// better leaf.
func (p *peeler) decreased(leaf int32) {
	e := entry{p.lv[leaf].pri, leaf}
	base := leaf &^ (group - 1)
	lv := p.lv[base : base+group : base+group]
	for i := range int32(group) {
		if b := base + i; b != leaf && (entry{lv[i].pri, b}).before(e) {
			return
		}
	}
	for k := (int(leaf)/group + p.ng) >> 1; k >= 1; k >>= 1 {
		w := &p.win[k]
		if w.leaf != leaf && !e.before(*w) {
			return
		}
		*w = e
	}
}

// raised restores the tree after leaf's priority went up: only the
// subtrees it won change, and those are the ancestors up to the first one
// won by another leaf. Each such ancestor is replayed as the match between
// the new winner coming up from the leaf's side and the sibling's winner.
func (p *peeler) raised(leaf int32) {
	c := int(leaf)/group + p.ng
	cur := p.groupMin(c - p.ng)
	for c > 1 {
		k := c >> 1
		if p.win[k].leaf != leaf {
			return
		}
		if s := p.child(c ^ 1); s.before(cur) {
			cur = s
		}
		p.win[k] = cur
		c = k
	}
}

// peel runs greedy peeling on the graph without dead edges and returns the
// densest node set seen (rows and columns, as node ids: columns offset by
// g.nr). Nodes without live edges never belong to the result.
func (p *peeler) peel() []int32 {
	const inf = math.MaxInt64
	p.compact()
	n := 0
	var total int64
	for l := range p.lv {
		p.lv[l].pri = inf // padding leaves and isolated nodes never win
		if l >= len(p.node) {
			continue
		}
		lo, hi := p.lv[l].off, p.lv[l+1].off
		if lo == hi {
			continue
		}
		var s int64
		if wl := p.lv[l].w; wl != 0 {
			s = int64(hi-lo) * int64(wl) // a column: each edge weighs its weight
		} else {
			for _, nb := range p.nb[lo:hi] {
				s += int64(p.lv[nb].w)
			}
			total += s
		}
		p.lv[l].pri = s
		n++
	}
	if n == 0 {
		return nil
	}
	p.build()
	order := make([]int32, 0, n)
	cur, size := total, n
	best, bestAt := float64(total)/float64(n), 0
	for size > 1 {
		l := p.win[1].leaf
		cur -= p.lv[l].pri
		size--
		p.lv[l].pri = inf
		p.raised(l)
		order = append(order, l)
		nbs := p.nb[p.lv[l].off:p.lv[l+1].off]
		if wl := int64(p.lv[l].w); wl != 0 {
			// a column: each row still there loses its weight
			for _, nb := range nbs {
				if v := &p.lv[nb]; v.pri != inf {
					v.pri -= wl
					p.decreased(nb)
				}
			}
		} else {
			// a row: each column still there loses its own weight
			for _, nb := range nbs {
				if v := &p.lv[nb]; v.pri != inf {
					v.pri -= int64(v.w)
					p.decreased(nb)
				}
			}
		}
		if d := float64(cur) / float64(size); d > best {
			best, bestAt = d, len(order)
		}
	}
	// The last node standing was never appended to order.
	order = append(order, p.win[1].leaf)
	set := make([]int32, 0, len(order)-bestAt)
	for _, l := range order[bestAt:] {
		set = append(set, p.node[l])
	}
	return set
}
