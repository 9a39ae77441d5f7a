package geo

import (
	"math"
	"testing"
)

func TestHaversine(t *testing.T) {
	// Expected values are R·θ with R = 6 371 008.8 m, worked by hand.
	tests := []struct {
		name                   string
		lon1, lat1, lon2, lat2 float64
		want                   float64
	}{
		{"same point", 117.0, 36.6, 117.0, 36.6, 0},
		{"one degree of meridian", 117.0, 36.0, 117.0, 37.0, 111195.0802},
		{"one degree of equator", 0, 0, 1, 0, 111195.0802},
		{"quarter of equator", 0, 0, 90, 0, 10007557.2210},
		{"antipodes", 0, 0, 180, 0, 20015114.4420},
		{"pole to pole", 0, 90, 0, -90, 20015114.4420},
		{"across the antimeridian", 179.5, 0, -179.5, 0, 111195.0802},
		// Along the parallel it is half a degree of equator, 55 597.540 m; the
		// great circle, 2R·asin(cos 60°·sin 0.5°), is half a metre shorter.
		{"one degree at 60N", 10, 60, 11, 60, 55597.0109},
	}
	for _, tt := range tests {
		got := Haversine(tt.lon1, tt.lat1, tt.lon2, tt.lat2)
		if math.Abs(got-tt.want) > 1e-3 {
			t.Errorf("%s: Haversine = %.4f, want %.4f", tt.name, got, tt.want)
		}
		if back := Haversine(tt.lon2, tt.lat2, tt.lon1, tt.lat1); math.Abs(back-got) > 1e-6 {
			t.Errorf("%s: not symmetric: %.6f vs %.6f", tt.name, got, back)
		}
	}
}
