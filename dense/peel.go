package dense

import (
	"math"
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
	off   []int32 // leaf l's live neighbours are nb[off[l]:off[l+1]]
	nb    []int32 // neighbour leaves
	edge  []int32 // edge[k] is the position in g.rowAdj of the edge to nb[k]
	wl    []int64 // by leaf: the column's weight, 0 for rows
	pri   []int64 // by leaf: weight lost from f if the node goes; inf once gone
	win   []entry // min-tree: win[k], 1 ≤ k < size, is the least leaf under k
	size  int     // number of leaves, rounded up to a power of two (≥ 2)
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
		for i := range g.nr {
			var s int64
			for _, c := range g.rowAdj[g.rowPtr[i]:g.rowPtr[i+1]] {
				s += int64(g.colPtr[c+1] - g.colPtr[c])
			}
			keys[i] = key{pack(g.RowDegree(i), s), int32(i)}
		}
		for j := range g.nc {
			var s int64
			for _, r := range g.colAdj[g.colPtr[j]:g.colPtr[j+1]] {
				s += int64(g.rowPtr[r+1] - g.rowPtr[r])
			}
			keys[g.nr+j] = key{pack(g.ColDegree(j), s), int32(g.nr + j)}
		}
		// Rows and columns are already separated by id; sort each half.
		// The sort is stable, so equal keys stay in index order.
		tmp := make([]key, n)
		for _, half := range [][2]int{{0, g.nr}, {g.nr, n}} {
			a, b := keys[half[0]:half[1]], tmp[half[0]:half[1]]
			radixSort(a, b, func(k key) uint64 { return k.k })
		}
		for pos, k := range keys {
			p.node[pos] = k.id
			p.leaf[k.id] = int32(pos)
		}
	} else {
		for v := range n {
			p.node[v] = int32(v)
			p.leaf[v] = int32(v)
		}
	}
	// Leaf-numbered adjacency.
	p.off = make([]int32, n+1)
	p.nb = make([]int32, 2*len(g.rowAdj))
	p.edge = make([]int32, 2*len(g.rowAdj))
	p.wl = make([]int64, n)
	o := int32(0)
	for l := range n {
		p.off[l] = o
		v := int(p.node[l])
		if v < g.nr {
			for k := g.rowPtr[v]; k < g.rowPtr[v+1]; k++ {
				p.nb[o] = p.leaf[g.nr+int(g.rowAdj[k])]
				p.edge[o] = k
				o++
			}
		} else {
			j := v - g.nr
			p.wl[l] = w[j]
			for k := g.colPtr[j]; k < g.colPtr[j+1]; k++ {
				p.nb[o] = p.leaf[g.colAdj[k]]
				p.edge[o] = g.colEdg[k]
				o++
			}
		}
	}
	p.off[n] = o
	p.size = 2
	for p.size < n {
		p.size <<= 1
	}
	p.pri = make([]int64, p.size)
	p.win = make([]entry, p.size)
	return p
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
		lo, hi := p.off[l], p.off[l+1]
		p.off[l] = o
		for k := lo; k < hi; k++ {
			if e := p.edge[k]; !p.dead[e] {
				p.nb[o], p.edge[o] = p.nb[k], e
				o++
			}
		}
	}
	p.off[len(p.node)] = o
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

// child returns min-tree node c: an internal node's entry, or a leaf's.
func (p *peeler) child(c int) entry {
	if c >= p.size {
		l := c - p.size
		return entry{p.pri[l], int32(l)}
	}
	return p.win[c]
}

// build fills the min-tree from p.pri.
func (p *peeler) build() {
	for k := p.size - 1; k >= 1; k-- {
		a, b := p.child(2*k), p.child(2*k+1)
		if b.before(a) {
			a = b
		}
		p.win[k] = a
	}
}

// decreased restores the tree after leaf's priority went down: the leaf can
// only win more subtrees, and the walk stops at the first ancestor won by a
// better leaf.
func (p *peeler) decreased(leaf int32) {
	e := entry{p.pri[leaf], leaf}
	for k := (int(leaf) + p.size) >> 1; k >= 1; k >>= 1 {
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
	c := int(leaf) + p.size
	k := c >> 1
	if p.win[k].leaf != leaf {
		return
	}
	cur := entry{p.pri[leaf], leaf}
	if s := (entry{p.pri[int(leaf)^1], leaf ^ 1}); s.before(cur) {
		cur = s
	}
	p.win[k] = cur
	for c = k; c > 1; c = k {
		k = c >> 1
		if p.win[k].leaf != leaf {
			return
		}
		if s := p.win[c^1]; s.before(cur) {
			cur = s
		}
		p.win[k] = cur
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
	for l := range p.pri {
		p.pri[l] = inf // padding leaves and isolated nodes never win
		if l >= len(p.node) {
			continue
		}
		lo, hi := p.off[l], p.off[l+1]
		if lo == hi {
			continue
		}
		var s int64
		if wl := p.wl[l]; wl != 0 {
			s = int64(hi-lo) * wl // a column: each edge weighs its weight
		} else {
			for _, nb := range p.nb[lo:hi] {
				s += p.wl[nb]
			}
			total += s
		}
		p.pri[l] = s
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
		cur -= p.pri[l]
		size--
		p.pri[l] = inf
		p.raised(l)
		order = append(order, l)
		wl := p.wl[l]
		for _, nb := range p.nb[p.off[l]:p.off[l+1]] {
			if p.pri[nb] == inf {
				continue
			}
			p.pri[nb] -= wl + p.wl[nb]
			p.decreased(nb)
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
