package dense

import (
	"math"
	"slices"
)

// spectralSeeds proposes candidate blocks for graphs where peeling misses a
// block: one whose average degree is below that of the background's densest
// core (a small or sparse block in a large background), so that peeling
// maximises onto the bulk of the graph. Such a block still has far more
// edges than its rows' and columns' degrees predict, and that excess is what
// the leading singular vectors of the degree-normalised residual
// D_r^{-1/2}(A − d_r d_cᵀ/|E|)D_c^{-1/2} pick up (the Chung-Lu, degree-
// preserving null is subtracted exactly as a rank-one term; degrees are
// regularised by the mean degree so that hubs do not capture the vector).
// The rows and columns with the largest entries, at several sizes, seed the
// likelihood refinement; each result is returned as a node set.
//
// Everything is computed from live edges and started from the degree vector,
// so the result does not depend on how ids are spelled.
func (p *peeler) spectralSeeds() [][]int32 {
	g := p.g
	rdeg := make([]float64, g.nr)
	cdeg := make([]float64, g.nc)
	var ne float64
	for i := range g.nr {
		for k := g.rowPtr[i]; k < g.rowPtr[i+1]; k++ {
			if !p.dead[k] {
				rdeg[i]++
				cdeg[g.rowAdj[k]]++
				ne++
			}
		}
	}
	if ne == 0 {
		return nil
	}
	liveR, liveC := 0, 0
	for _, d := range rdeg {
		if d > 0 {
			liveR++
		}
	}
	for _, d := range cdeg {
		if d > 0 {
			liveC++
		}
	}
	tr, tc := ne/float64(liveR), ne/float64(liveC)
	sr := make([]float64, g.nr) // 1/sqrt(d+τ)
	sc := make([]float64, g.nc)
	for i, d := range rdeg {
		if d > 0 {
			sr[i] = 1 / math.Sqrt(d+tr)
		}
	}
	for j, d := range cdeg {
		if d > 0 {
			sc[j] = 1 / math.Sqrt(d+tc)
		}
	}
	// x over rows, y over columns; y = Bᵀx, x = B y.
	x := make([]float64, g.nr)
	y := make([]float64, g.nc)
	var mean float64
	for _, d := range rdeg {
		mean += d
	}
	mean /= float64(liveR)
	for i, d := range rdeg {
		if d > 0 {
			x[i] = d - mean
		}
	}
	normalize := func(v []float64) {
		var s float64
		for _, a := range v {
			s += a * a
		}
		if s == 0 {
			return
		}
		s = 1 / math.Sqrt(s)
		for i := range v {
			v[i] *= s
		}
	}
	normalize(x)
	for range 60 {
		// y = Dc^-1/2 (Aᵀ − d_c d_rᵀ/E) Dr^-1/2 x
		var dot float64
		for i := range g.nr {
			dot += rdeg[i] * sr[i] * x[i]
		}
		clear(y)
		for i := range g.nr {
			xi := sr[i] * x[i]
			if xi == 0 {
				continue
			}
			for k := g.rowPtr[i]; k < g.rowPtr[i+1]; k++ {
				if !p.dead[k] {
					y[g.rowAdj[k]] += xi
				}
			}
		}
		for j := range y {
			y[j] = sc[j] * (y[j] - cdeg[j]*dot/ne)
		}
		normalize(y)
		dot = 0
		for j := range g.nc {
			dot += cdeg[j] * sc[j] * y[j]
		}
		for i := range g.nr {
			var s float64
			for k := g.rowPtr[i]; k < g.rowPtr[i+1]; k++ {
				if !p.dead[k] {
					c := g.rowAdj[k]
					s += sc[c] * y[c]
				}
			}
			x[i] = sr[i] * (s - rdeg[i]*dot/ne)
		}
		normalize(x)
	}
	var out [][]int32
	for _, sign := range []float64{1, -1} {
		ri := topIdx(x, sign, liveR)
		ci := topIdx(y, sign, liveC)
		for _, k := range []int{16, 32, 64, 128, 256, 512} {
			if k > len(ri) || k > len(ci) {
				break
			}
			set := make([]int32, 0, 2*k)
			set = append(set, ri[:k]...)
			for _, c := range ci[:k] {
				set = append(set, c+int32(g.nr))
			}
			out = append(out, set)
		}
	}
	return out
}

// topIdx returns the indices of v with the largest sign·v, positive ones
// only, at most lim, ties by index.
func topIdx(v []float64, sign float64, lim int) []int32 {
	var idx []int32
	for i, a := range v {
		if sign*a > 0 {
			idx = append(idx, int32(i))
		}
	}
	slices.SortFunc(idx, func(a, b int32) int {
		va, vb := sign*v[a], sign*v[b]
		switch {
		case va > vb:
			return -1
		case va < vb:
			return 1
		}
		return int(a - b)
	})
	if len(idx) > lim {
		idx = idx[:lim]
	}
	return idx
}
