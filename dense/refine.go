package dense

import "math"

// refine re-decides every row's and column's membership of a peeled block by
// likelihood tests on a two-block model, and returns the new node set
// (columns offset by g.nr) or set itself if the tests do not apply.
//
// Why: peeling maximises Fraudar's average-degree objective, and that
// objective happily keeps a camouflage column hit by five fraud edges (it is
// "denser than average") and drops a fraud row that drew only three block
// edges. Given the block's rows A, a column's number of edges from A is the
// evidence about it: Binomial(|A|, p_in) inside the block, and outside a count
// whose mean depends on the column's popularity (see decideCols). Given the
// block's columns B, a row's edges into B and its edges elsewhere are the
// evidence about it (see decideRows). Both rates are estimated from the
// current split; a node joins if its log-likelihood ratio plus the log prior
// odds (current block share) is positive. Alternating until nothing changes
// is hard EM on a two-block model; it only keeps a node that has edges into
// the other side.
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
	// Live degrees do not change while refining; nodes without live edges
	// are not part of the graph any more (deleted with an earlier block, or
	// never present) and count for neither side.
	rdeg := make([]int32, g.nr)
	cdeg := make([]int32, g.nc)
	liveR, liveC := 0, 0
	for i := range g.nr {
		for k := g.rowPtr[i]; k < g.rowPtr[i+1]; k++ {
			if !p.dead[k] {
				rdeg[i]++
				cdeg[g.rowAdj[k]]++
			}
		}
		if rdeg[i] > 0 {
			liveR++
		}
	}
	for _, d := range cdeg {
		if d > 0 {
			liveC++
		}
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
		newC, nb, okC := decideCols(xc, cdeg, inC, nB, nA, liveC)
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
		newR, na, okR := decideRows(xr, rdeg, inR, nA, nb, liveR, liveC)
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

// bernoulliLLR returns log(p/q) and log((1−p)/(1−q)): the evidence of one
// success and of one failure for rate p against rate q.
func bernoulliLLR(p, q float64) (float64, float64) {
	return math.Log(p / q), math.Log((1 - p) / (1 - q))
}

// decideRows assigns each row to the block's rows A or not, given x[i], its
// number of edges into the block's n columns B, deg[i], its live degree,
// and the current membership in (with k members); live counts the rows and
// cols the columns that still have edges. It reports false when the block
// is no denser than its surroundings, where the test means nothing.
//
// The evidence is a row's edges into B (rate p_in for A, p_out for the other
// rows) and its edges to the other columns (rate q_A for A, q_0 for the
// others): a two-block model of the whole row. The second part is what
// camouflage leaves behind. Under Fraudar's threat model each fraudulent row
// adds camouflage edges outside the block, so a row with two block edges
// and twenty edges elsewhere is far likelier a fraud row with few block
// hits than an ordinary row that hit the block twice by chance; when the
// block's rows have no more outside edges than the others (no camouflage,
// hijacked accounts) q_A ≈ q_0 and the part weighs nothing.
func decideRows(x, deg []int32, in []bool, k, n, live, cols int) ([]bool, int, bool) {
	if k == 0 || k >= live {
		return in, k, false
	}
	var eIn, eOut, oIn, oOut float64
	for i, c := range x {
		o := float64(deg[i] - c)
		if in[i] {
			eIn += float64(c)
			oIn += o
		} else {
			eOut += float64(c)
			oOut += o
		}
	}
	pIn := eIn / (float64(k) * float64(n))
	// Half an edge of smoothing keeps the outside rates positive.
	pOut := (eOut + 0.5) / (float64(live-k) * float64(n))
	if !(pIn > pOut) {
		return in, k, false
	}
	if pIn >= 1 {
		pIn = 1 - 1/(2*float64(k)*float64(n)) // a full block: stay finite
	}
	a, b := bernoulliLLR(pIn, pOut)
	var oa, ob float64
	m := float64(cols - n) // columns outside B
	if m > 0 {
		qA := (oIn + 0.5) / (float64(k) * m)
		q0 := (oOut + 0.5) / (float64(live-k) * m)
		if qA < 1 && q0 < 1 {
			oa, ob = bernoulliLLR(qA, q0)
		}
	}
	prior := math.Log(float64(k) / float64(live-k))
	out := make([]bool, len(x))
	cnt := 0
	for i, c := range x {
		if c == 0 {
			continue // a block row has an edge into the block
		}
		o := float64(deg[i] - c)
		z := float64(c)*a + float64(int32(n)-c)*b + o*oa + (m-o)*ob + prior
		if z > 0 {
			out[i] = true
			cnt++
		}
	}
	return out, cnt, true
}

// decideCols assigns each column to the block's columns B or not, given
// x[j], its number of edges from the block's n rows A, deg[j], its live
// degree, and the current membership in (with k members) among live
// columns.
//
// Inside B a column's count is Binomial(n, p_in). Outside, its expected
// count μ(y) = a + b·y depends on its popularity y (its edges from rows
// outside A): Fraudar's camouflage either spreads uniformly (μ flat) or aims
// at popular columns (μ proportional to y), or anything between, and a
// straight line fitted to the outside columns covers all of these with two
// numbers that cannot swing on a handful of popular columns. The line is
// fitted on columns with y ≥ 1 only: a column with no edge from outside A is
// in the graph only because A touched it (the quiet columns that A ignored
// are not even in the input), so that class is self-selected; its rate is
// the line's intercept.
func decideCols(x, deg []int32, in []bool, k, n, live int) ([]bool, int, bool) {
	if k == 0 || k >= live {
		return in, k, false
	}
	var eIn, eOut float64
	var sn, sy, syy, sx, syx float64
	for j, c := range x {
		if deg[j] == 0 {
			continue
		}
		if in[j] {
			eIn += float64(c)
			continue
		}
		eOut += float64(c)
		if y := float64(deg[j] - c); y >= 1 {
			sn++
			sy += y
			syy += y * y
			sx += float64(c)
			syx += y * float64(c)
		}
	}
	pIn := eIn / (float64(k) * float64(n))
	if !(pIn > (eOut+0.5)/(float64(live-k)*float64(n))) {
		return in, k, false
	}
	if pIn >= 1 {
		pIn = 1 - 1/(2*float64(k)*float64(n))
	}
	// Least squares, constrained to a non-negative line: camouflage adds
	// edges, it never removes them.
	//
	// When every fitted column has the same popularity y₀ (a sparse
	// background, where the outside columns are hit once each) the data
	// give the line's height at y₀ and nothing of its slope. Assuming flat
	// would let popular camouflage columns pass as block columns; assuming
	// proportional would do the same for unpopular ones. Neither is known,
	// so each column is judged against whichever of the two expects more of
	// it (fc is the proportional slope, used only then): the block must win
	// under both readings of the camouflage.
	var fa, fb, fc float64
	den := sn*syy - sy*sy
	switch {
	case sn == 0:
	case den > 1e-9*sn*syy:
		fb = (sn*syx - sy*sx) / den
		fa = (sx - fb*sy) / sn
		if fb < 0 {
			fa, fb = sx/sn, 0
		}
		if fa < 0 {
			fa, fb = 0, sx/max(sy, 1)
		}
	default:
		fa, fc = sx/sn, sx/max(sy, 1)
	}
	floor := 0.5 / float64(live-k) // half an edge over the outside columns
	prior := math.Log(float64(k) / float64(live-k))
	lb := math.Log(1 - pIn)
	out := make([]bool, len(x))
	m := 0
	for j, c := range x {
		if c == 0 {
			continue
		}
		y := float64(deg[j] - c)
		q := max(fa+fb*y, fc*y, floor) / float64(n)
		if q >= pIn {
			continue // no count can favour the block
		}
		z := float64(c)*math.Log(pIn/q) + float64(int32(n)-c)*(lb-math.Log(1-q)) + prior
		if z > 0 {
			out[j] = true
			m++
		}
	}
	return out, m, true
}
