package dense

import "math"

// refine re-decides every row's and column's membership of a peeled block by
// a two-class likelihood test, and returns the new node set (columns offset
// by g.nr) or set itself if the test does not apply.
//
// Why: peeling maximises Fraudar's average-degree objective, and that
// objective happily keeps a camouflage column hit by five fraud edges (it is
// "denser than average") and drops a fraud row that drew only three block
// edges. Given the block's rows A, a column's number of edges from A is all
// the evidence there is about it: it follows Binomial(|A|, p_in) inside the
// block and Binomial(|A|, p_out) outside, with both rates estimated from the
// current split. A column joins if the log-likelihood ratio plus the log
// prior odds (current block share) is positive; rows likewise against the
// columns B. Alternating until nothing changes is hard-EM on a two-block
// model; it only keeps a node that has edges into the other side.
func (p *peeler) refine(set []int32) []int32 {
	g := p.g
	inR := make([]bool, g.nr)
	inC := make([]bool, g.nc)
	nA, nB := 0, 0
	for _, v := range set {
		if int(v) < g.nr {
			inR[v] = true
			nA++
		} else {
			inC[int(v)-g.nr] = true
			nB++
		}
	}
	if nA == 0 || nB == 0 {
		return set
	}
	xc := make([]int32, g.nc)
	xr := make([]int32, g.nr)
	for range 30 {
		// Columns given the rows.
		clear(xc)
		for i := range g.nr {
			if !inR[i] {
				continue
			}
			for k := g.rowPtr[i]; k < g.rowPtr[i+1]; k++ {
				if !p.dead[k] {
					xc[g.rowAdj[k]]++
				}
			}
		}
		newC, nb, okC := decideCols(p, xc, inC, nB, nA)
		if !okC || nb == 0 {
			break
		}
		// Rows given the new columns.
		clear(xr)
		for j := range g.nc {
			if !newC[j] {
				continue
			}
			for k := g.colPtr[j]; k < g.colPtr[j+1]; k++ {
				if !p.dead[g.colEdg[k]] {
					xr[g.colAdj[k]]++
				}
			}
		}
		newR, na, okR := decide(xr, inR, nA, nb)
		if !okR || na == 0 {
			break
		}
		same := na == nA && nb == nB
		if same {
			for j := range inC {
				if inC[j] != newC[j] {
					same = false
					break
				}
			}
		}
		if same {
			for i := range inR {
				if inR[i] != newR[i] {
					same = false
					break
				}
			}
		}
		inR, inC, nA, nB = newR, newC, na, nb
		if same {
			break
		}
	}
	out := make([]int32, 0, nA+nB)
	for i, in := range inR {
		if in {
			out = append(out, int32(i))
		}
	}
	for j, in := range inC {
		if in {
			out = append(out, int32(g.nr+j))
		}
	}
	return out
}

// decide assigns each node of one side to the block or not, given x[v], its
// number of edges into the other side's n members, and the current
// membership in (with k members). It reports false when the block is no
// denser than its surroundings, where the test means nothing.
func decide(x []int32, in []bool, k, n int) ([]bool, int, bool) {
	total := len(x)
	if k == 0 || k >= total {
		return in, k, false
	}
	var eIn, eOut float64
	for v, c := range x {
		if in[v] {
			eIn += float64(c)
		} else {
			eOut += float64(c)
		}
	}
	pIn := eIn / (float64(k) * float64(n))
	// Half an edge of smoothing keeps p_out positive when nothing is outside.
	pOut := (eOut + 0.5) / (float64(total-k) * float64(n))
	if !(pIn > pOut) || pIn >= 1 {
		if pIn >= 1 && pOut < 1 {
			pIn = 1 - 1/(2*float64(k)*float64(n)) // a full block: stay finite
		} else {
			return in, k, false
		}
	}
	a := math.Log(pIn / pOut)
	b := math.Log((1 - pIn) / (1 - pOut))
	prior := math.Log(float64(k) / float64(total-k))
	// Join iff x·a + (n−x)·b + prior > 0, i.e. x > (−prior − n·b)/(a − b).
	thr := (-prior - float64(n)*b) / (a - b)
	out := make([]bool, total)
	m := 0
	for v, c := range x {
		if c > 0 && float64(c) > thr {
			out[v] = true
			m++
		}
	}
	return out, m, true
}

// decideCols is decide for columns, with the outside rate estimated per
// class of the column's popularity among the other rows (its live degree
// less x). Biased camouflage aims at popular columns, so a popular column's
// edges from the block's rows are expected to be more numerous than a quiet
// one's; judging each column against columns of its own popularity keeps
// those hits from passing for block membership.
func decideCols(p *peeler, x []int32, in []bool, k, n int) ([]bool, int, bool) {
	g := p.g
	total := len(x)
	if k == 0 || k >= total {
		return in, k, false
	}
	const classes = 24
	var sumX, cnt [classes]float64
	var eIn, eOut float64
	y := make([]int32, total)
	for j, c := range x {
		var d int32
		for e := g.colPtr[j]; e < g.colPtr[j+1]; e++ {
			if !p.dead[g.colEdg[e]] {
				d++
			}
		}
		y[j] = d - c
		if in[j] {
			eIn += float64(c)
			continue
		}
		eOut += float64(c)
		cl := popClass(y[j])
		sumX[cl] += float64(c)
		cnt[cl]++
	}
	pIn := eIn / (float64(k) * float64(n))
	pAll := (eOut + 0.5) / (float64(total-k) * float64(n))
	if !(pIn > pAll) {
		return in, k, false
	}
	if pIn >= 1 {
		pIn = 1 - 1/(2*float64(k)*float64(n))
	}
	// Per-class rates, shrunk towards the overall outside rate by a few
	// pseudo-columns so that sparse classes do not swing.
	const pseudo = 5
	var a, b [classes]float64
	for cl := range classes {
		src := cl
		if cl == 0 {
			// A column with no edge from outside A is in the graph only
			// because of its edges from A: its class is self-selected (the
			// quiet columns that A ignored are not even in the input), so its
			// rate is taken from the next class up.
			src = 1
		}
		q := (sumX[src] + pseudo*pAll*float64(n)) / ((cnt[src] + pseudo) * float64(n))
		if q >= pIn {
			a[cl] = math.NaN() // no evidence can favour the block
			continue
		}
		a[cl] = math.Log(pIn / q)
		b[cl] = math.Log((1 - pIn) / (1 - q))
	}
	prior := math.Log(float64(k) / float64(total-k))
	out := make([]bool, total)
	m := 0
	for j, c := range x {
		if c == 0 {
			continue
		}
		cl := popClass(y[j])
		if math.IsNaN(a[cl]) {
			continue
		}
		if float64(c)*a[cl]+float64(int32(n)-c)*b[cl]+prior > 0 {
			out[j] = true
			m++
		}
	}
	return out, m, true
}

// popClass buckets a popularity count: exact up to 7, then by powers of
// two.
func popClass(y int32) int {
	if y < 8 {
		return int(max(y, 0))
	}
	c := 8
	for y >= 16 && c < 23 {
		y >>= 1
		c++
	}
	return c
}
