package geo

import (
	"cmp"
	"context"
	"slices"
	"sort"
)

// A sweep line (Shamos–Hoey) finds whether any two segments of a set cross,
// in O(n log n): segments are put in order of height along a vertical line
// moving left to right, and only neighbours in that order are compared. If
// two segments cross, they are neighbours just before the leftmost crossing.
// Segments that merely touch (shared vertices, shared edges of adjoining
// rings) do not count, as in properCross.

type segment struct {
	a, b [2]float64 // a is the left (then lower) end
	id   int        // caller's number (the edge's index in its ring)
}

func (s *segment) vertical() bool { return s.a[0] == s.b[0] }

// yAt is the segment's height at x; a vertical segment is its point nearest
// to refY.
func (s *segment) yAt(x, refY float64) float64 {
	if s.vertical() {
		return min(max(refY, s.a[1]), s.b[1])
	}
	if x <= s.a[0] {
		return s.a[1]
	}
	if x >= s.b[0] {
		return s.b[1]
	}
	return s.a[1] + (x-s.a[0])*(s.b[1]-s.a[1])/(s.b[0]-s.a[0])
}

// slope orders segments meeting at a point; a vertical one is steepest.
func (s *segment) slope() float64 {
	if s.vertical() {
		return 1e308
	}
	return (s.b[1] - s.a[1]) / (s.b[0] - s.a[0])
}

// sweepStatus is the segments crossing the sweep line in order of height,
// kept in blocks of at most 2·blockSize so that insertion and removal move
// few entries (a sorted list in √n blocks, simpler than a balanced tree and
// as fast at these sizes).
type sweepStatus struct {
	segs   []segment
	blocks [][]int32
}

const blockSize = 64

// less reports whether segment i lies below segment j at the sweep position
// (x, y). Ties (segments meeting at the point) are broken by slope: to the
// right of an insertion point the flatter one is lower (entering), to the
// left of a removal point the steeper one is lower (leaving).
func (st *sweepStatus) less(i, j int32, x, y float64, entering bool) bool {
	si, sj := &st.segs[i], &st.segs[j]
	yi, yj := si.yAt(x, y), sj.yAt(x, y)
	if yi != yj {
		return yi < yj
	}
	mi, mj := si.slope(), sj.slope()
	if mi != mj {
		if entering {
			return mi < mj
		}
		return mi > mj
	}
	return i < j
}

type pos struct{ b, i int }

// lowerBound is the first position whose segment is not below id.
func (st *sweepStatus) lowerBound(id int32, x, y float64, entering bool) pos {
	b := sort.Search(len(st.blocks), func(k int) bool {
		blk := st.blocks[k]
		return !st.less(blk[len(blk)-1], id, x, y, entering)
	})
	if b == len(st.blocks) {
		if b == 0 {
			return pos{0, 0}
		}
		return pos{b - 1, len(st.blocks[b-1])}
	}
	blk := st.blocks[b]
	i := sort.Search(len(blk), func(k int) bool { return !st.less(blk[k], id, x, y, entering) })
	return pos{b, i}
}

func (st *sweepStatus) insert(id int32, x, y float64) pos {
	if len(st.blocks) == 0 {
		st.blocks = append(st.blocks, []int32{id})
		return pos{0, 0}
	}
	p := st.lowerBound(id, x, y, true)
	blk := append(st.blocks[p.b], 0)
	copy(blk[p.i+1:], blk[p.i:])
	blk[p.i] = id
	st.blocks[p.b] = blk
	if len(blk) > 2*blockSize {
		half := append([]int32(nil), blk[blockSize:]...)
		st.blocks[p.b] = blk[:blockSize]
		st.blocks = append(st.blocks, nil)
		copy(st.blocks[p.b+2:], st.blocks[p.b+1:])
		st.blocks[p.b+1] = half
		if p.i >= blockSize {
			p = pos{p.b + 1, p.i - blockSize}
		}
	}
	return p
}

// find locates id near where the order says it is; rounding may put it a
// few places off, and a full scan is the last resort.
func (st *sweepStatus) find(id int32, x, y float64) (pos, bool) {
	p := st.lowerBound(id, x, y, false)
	for q, k := p, 0; k < 8; k++ {
		if q.b < len(st.blocks) && q.i < len(st.blocks[q.b]) && st.blocks[q.b][q.i] == id {
			return q, true
		}
		var ok bool
		if q, ok = st.next(q); !ok {
			break
		}
	}
	for q, k := p, 0; k < 8; k++ {
		var ok bool
		if q, ok = st.prev(q); !ok {
			break
		}
		if st.blocks[q.b][q.i] == id {
			return q, true
		}
	}
	for b, blk := range st.blocks {
		for i, v := range blk {
			if v == id {
				return pos{b, i}, true
			}
		}
	}
	return pos{}, false
}

func (st *sweepStatus) remove(p pos) {
	blk := st.blocks[p.b]
	copy(blk[p.i:], blk[p.i+1:])
	blk = blk[:len(blk)-1]
	if len(blk) == 0 {
		st.blocks = append(st.blocks[:p.b], st.blocks[p.b+1:]...)
		return
	}
	st.blocks[p.b] = blk
}

func (st *sweepStatus) at(p pos) int32 { return st.blocks[p.b][p.i] }

func (st *sweepStatus) next(p pos) (pos, bool) {
	if p.b >= len(st.blocks) {
		return p, false
	}
	if p.i+1 < len(st.blocks[p.b]) {
		return pos{p.b, p.i + 1}, true
	}
	if p.b+1 < len(st.blocks) {
		return pos{p.b + 1, 0}, true
	}
	return p, false
}

func (st *sweepStatus) prev(p pos) (pos, bool) {
	if p.i > 0 {
		return pos{p.b, p.i - 1}, true
	}
	if p.b > 0 {
		return pos{p.b - 1, len(st.blocks[p.b-1]) - 1}, true
	}
	return p, false
}

// firstCrossing returns two segments (by index in segs) that cross
// properly, skipping pairs for which adjacent reports true (edges that share
// a vertex by construction). It stops with ctx's error when ctx ends.
func firstCrossing(ctx context.Context, segs []segment, adjacent func(a, b int) bool) (int, int, bool, error) {
	type event struct {
		x, y  float64
		seg   int32
		enter bool
	}
	ev := make([]event, 0, 2*len(segs))
	for i := range segs {
		s := &segs[i]
		if s.a == s.b {
			continue // a repeated position: no edge, crosses nothing
		}
		if s.b[0] < s.a[0] || (s.b[0] == s.a[0] && s.b[1] < s.a[1]) {
			s.a, s.b = s.b, s.a
		}
		ev = append(ev, event{s.a[0], s.a[1], int32(i), true}, event{s.b[0], s.b[1], int32(i), false})
	}
	// By x, then y; at one point leaving segments go before entering ones,
	// so that segments meeting end to end are never compared.
	slices.SortFunc(ev, func(a, b event) int {
		switch {
		case a.x != b.x:
			return cmp.Compare(a.x, b.x)
		case a.y != b.y:
			return cmp.Compare(a.y, b.y)
		case a.enter == b.enter:
			return 0
		case !a.enter:
			return -1
		}
		return 1
	})
	st := &sweepStatus{segs: segs}
	check := func(i, j int32) bool {
		if adjacent(int(i), int(j)) {
			return false
		}
		return properCross(segs[i].a, segs[i].b, segs[j].a, segs[j].b)
	}
	for k, e := range ev {
		if k&4095 == 0 && ctx.Err() != nil {
			return 0, 0, false, ctx.Err()
		}
		if e.enter {
			p := st.insert(e.seg, e.x, e.y)
			if q, ok := st.prev(p); ok && check(st.at(q), e.seg) {
				return int(st.at(q)), int(e.seg), true, nil
			}
			if q, ok := st.next(p); ok && check(st.at(q), e.seg) {
				return int(st.at(q)), int(e.seg), true, nil
			}
			continue
		}
		p, ok := st.find(e.seg, e.x, e.y)
		if !ok {
			continue
		}
		below, hasBelow := st.prev(p)
		above, hasAbove := st.next(p)
		var lo, hi int32 = -1, -1
		if hasBelow {
			lo = st.at(below)
		}
		if hasAbove {
			hi = st.at(above)
		}
		st.remove(p)
		if lo >= 0 && hi >= 0 && check(lo, hi) {
			return int(lo), int(hi), true, nil
		}
	}
	return 0, 0, false, nil
}
