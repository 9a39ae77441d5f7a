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
	g    *Graph
	w    []int64 // column weights, by column
	dead []bool  // edges (by position in g.rowAdj) deleted with earlier blocks
	leaf []int32 // node → leaf position in the min-tree (canonical order)
	node []int32 // leaf position → node
	off  []int32 // leaf l's neighbours are adj[off[l]:off[l+1]]
	adj  []half
	wl   []int64 // by leaf: the column's weight, 0 for rows
	pri  []int64 // by leaf: weight lost from f if the node goes; inf once gone
	tree []int32 // min-tree over leaves: tree[k] is the winning leaf under k
	size int     // number of leaves, rounded up to a power of two
}

// half is one end of an edge as seen from the other: the neighbour's leaf
// and the edge's position in g.rowAdj.
type half struct {
	nb, edge int32
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
	p.adj = make([]half, 2*len(g.rowAdj))
	p.wl = make([]int64, n)
	o := int32(0)
	for l := range n {
		p.off[l] = o
		v := int(p.node[l])
		if v < g.nr {
			for k := g.rowPtr[v]; k < g.rowPtr[v+1]; k++ {
				p.adj[o] = half{p.leaf[g.nr+int(g.rowAdj[k])], k}
				o++
			}
		} else {
			j := v - g.nr
			p.wl[l] = w[j]
			for k := g.colPtr[j]; k < g.colPtr[j+1]; k++ {
				p.adj[o] = half{p.leaf[g.colAdj[k]], g.colEdg[k]}
				o++
			}
		}
	}
	p.off[n] = o
	p.size = 1
	for p.size < n {
		p.size <<= 1
	}
	p.pri = make([]int64, p.size)
	p.tree = make([]int32, 2*p.size)
	return p
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

// less orders leaves by priority, then position.
func (p *peeler) less(a, b int32) bool {
	pa, pb := p.pri[a], p.pri[b]
	return pa < pb || pa == pb && a < b
}

// build fills the min-tree from p.pri.
func (p *peeler) build() {
	for i := range p.size {
		p.tree[p.size+i] = int32(i)
	}
	for k := p.size - 1; k >= 1; k-- {
		a, b := p.tree[2*k], p.tree[2*k+1]
		if p.less(b, a) {
			a = b
		}
		p.tree[k] = a
	}
}

// decreased restores the tree after leaf's priority went down: the leaf can
// only win more subtrees, and the walk stops at the first ancestor won by a
// better leaf.
func (p *peeler) decreased(leaf int32) {
	for k := (int(leaf) + p.size) >> 1; k >= 1; k >>= 1 {
		win := p.tree[k]
		if win == leaf {
			continue
		}
		if !p.less(leaf, win) {
			return
		}
		p.tree[k] = leaf
	}
}

// raised restores the tree after leaf's priority went up.
func (p *peeler) raised(leaf int32) {
	for k := (int(leaf) + p.size) >> 1; k >= 1; k >>= 1 {
		a, b := p.tree[2*k], p.tree[2*k+1]
		if p.less(b, a) {
			a = b
		}
		if p.tree[k] == a && a != leaf {
			return
		}
		p.tree[k] = a
	}
}

// peel runs greedy peeling on the graph without dead edges and returns the
// densest node set seen (rows and columns, as node ids: columns offset by
// g.nr). Nodes without live edges never belong to the result.
func (p *peeler) peel() []int32 {
	const inf = math.MaxInt64
	n := 0
	var total int64
	for l := range p.pri {
		p.pri[l] = inf // padding leaves and isolated nodes never win
		if l >= len(p.node) {
			continue
		}
		var s int64
		live := false
		for _, h := range p.adj[p.off[l]:p.off[l+1]] {
			if !p.dead[h.edge] {
				s += p.wl[l] + p.wl[h.nb] // one of the two is the column's weight
				live = true
			}
		}
		if live {
			p.pri[l] = s
			n++
			if int(p.node[l]) < p.g.nr {
				total += s
			}
		}
	}
	if n == 0 {
		return nil
	}
	p.build()
	order := make([]int32, 0, n)
	cur, size := total, n
	best, bestAt := float64(total)/float64(n), 0
	for size > 1 {
		l := p.tree[1]
		cur -= p.pri[l]
		size--
		p.pri[l] = inf
		p.raised(l)
		order = append(order, l)
		wl := p.wl[l]
		for _, h := range p.adj[p.off[l]:p.off[l+1]] {
			nb := h.nb
			if p.dead[h.edge] || p.pri[nb] == inf {
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
	order = append(order, p.tree[1])
	set := make([]int32, 0, len(order)-bestAt)
	for _, l := range order[bestAt:] {
		set = append(set, p.node[l])
	}
	return set
}
