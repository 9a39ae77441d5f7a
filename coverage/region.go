package coverage

import (
	"math"

	"github.com/peterstace/simplefeatures/rtree"
)

// regionIndex holds a region's boundary edges (lon/lat) in an R-tree so
// that Engine.In can tell, without an overlay, the grids the boundary
// does not come near: such a grid is wholly inside the region or wholly
// outside it, and one point says which. Only the grids the boundary may
// cross are intersected exactly. A district's boundary has thousands of
// vertices; intersecting it with each of a city's grids took 4 s a
// request (2,573 grids, 12 districts), nearly all of it on grids far
// from any district edge.
type regionIndex struct {
	edges [][4]float64 // x0, y0, x1, y1
	tree  *rtree.RTree
}

func newRegionIndex(region [][][][2]float64) *regionIndex {
	ri := &regionIndex{}
	var items []rtree.BulkItem
	for _, p := range region {
		for _, ring := range p {
			for k := 0; k+1 < len(ring); k++ {
				a, b := ring[k], ring[k+1]
				if a == b {
					continue
				}
				items = append(items, rtree.BulkItem{RecordID: len(ri.edges), Box: rtree.Box{
					MinX: math.Min(a[0], b[0]), MinY: math.Min(a[1], b[1]), MaxX: math.Max(a[0], b[0]), MaxY: math.Max(a[1], b[1])}})
				ri.edges = append(ri.edges, [4]float64{a[0], a[1], b[0], b[1]})
			}
			// An open ring closes on its first point.
			if n := len(ring); n > 2 && ring[0] != ring[n-1] {
				a, b := ring[n-1], ring[0]
				items = append(items, rtree.BulkItem{RecordID: len(ri.edges), Box: rtree.Box{
					MinX: math.Min(a[0], b[0]), MinY: math.Min(a[1], b[1]), MaxX: math.Max(a[0], b[0]), MaxY: math.Max(a[1], b[1])}})
				ri.edges = append(ri.edges, [4]float64{a[0], a[1], b[0], b[1]})
			}
		}
	}
	ri.tree = rtree.BulkLoad(items)
	return ri
}

// near tells whether some boundary edge's box meets box (grown by a
// margin): the boundary may cross it, and only an exact intersection
// says how much of it lies inside. False is certain: no edge comes near.
func (ri *regionIndex) near(box rtree.Box) bool {
	const margin = 1e-9 // degrees: an edge along the box's side counts as near
	box = rtree.Box{MinX: box.MinX - margin, MinY: box.MinY - margin, MaxX: box.MaxX + margin, MaxY: box.MaxY + margin}
	found := false
	_ = ri.tree.RangeSearch(box, func(int) error { found = true; return rtree.Stop })
	return found
}

// contains tells whether (x, y) lies inside the region, by the even–odd
// count of the edges a ray to the east crosses (holes and several
// polygons count right). Only for points off the boundary: near decides
// first.
func (ri *regionIndex) contains(x, y float64) bool {
	in := false
	_ = ri.tree.RangeSearch(rtree.Box{MinX: x, MinY: y, MaxX: math.Inf(1), MaxY: y}, func(i int) error {
		e := ri.edges[i]
		// Half-open in y, so a ray through a vertex counts its two edges once.
		if (e[1] > y) != (e[3] > y) {
			if xc := e[0] + (y-e[1])*(e[2]-e[0])/(e[3]-e[1]); xc > x {
				in = !in
			}
		}
		return nil
	})
	return in
}
