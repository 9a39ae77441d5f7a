package geo

import (
	"math"
	"testing"
)

// Published pairs of the standard (reverse-engineered) algorithm. The first
// three are eviltransform's test vectors (shanghai, shenzhen, beijing); the
// fourth is Tiananmen, whose GCJ-02 value is commonly quoted to six places;
// the fifth is Beijing railway station from the R package geoChina, quoted
// to five places.
var gcjPairs = []struct {
	name           string
	wgsLon, wgsLat float64
	gcjLon, gcjLat float64
	tol            float64 // degrees, the precision of the published value
}{
	{"shanghai", 121.5272106, 31.1774276, 121.531541859215, 31.17530398364597, 1e-8},
	{"shenzhen", 113.912316, 22.543847, 113.9171764808363, 22.540796131694766, 1e-8},
	{"beijing", 116.377817, 39.911954, 116.38404722455657, 39.91334545536069, 1e-8},
	{"tiananmen", 116.397128, 39.916527, 116.403372, 39.917931, 1e-6},
	{"beijing railway station", 116.42079, 39.90105, 116.42703, 39.90245, 1e-5},
}

func TestWGS84ToGCJ02(t *testing.T) {
	for _, p := range gcjPairs {
		lon, lat := WGS84ToGCJ02(p.wgsLon, p.wgsLat)
		if math.Abs(lon-p.gcjLon) > p.tol || math.Abs(lat-p.gcjLat) > p.tol {
			t.Errorf("%s: WGS84ToGCJ02(%v, %v) = (%.9f, %.9f), want (%v, %v)",
				p.name, p.wgsLon, p.wgsLat, lon, lat, p.gcjLon, p.gcjLat)
		}
	}
}

func TestGCJ02ToWGS84(t *testing.T) {
	for _, p := range gcjPairs {
		lon, lat := GCJ02ToWGS84(p.gcjLon, p.gcjLat)
		// Published GCJ values are rounded, so allow their rounding (1e-5° ≈ 1.1 m) on top.
		limit := 0.5 + p.tol*111195*1.5
		if d := Haversine(lon, lat, p.wgsLon, p.wgsLat); d > limit {
			t.Errorf("%s: GCJ02ToWGS84(%v, %v) = (%.9f, %.9f), %.3f m from (%v, %v)",
				p.name, p.gcjLon, p.gcjLat, lon, lat, d, p.wgsLon, p.wgsLat)
		}
	}
}

func TestOutOfChinaUnchanged(t *testing.T) {
	for _, p := range [][2]float64{
		{2.2945, 48.8584},    // Paris
		{-74.0445, 40.6892},  // New York
		{151.2153, -33.8568}, // Sydney
		{139.8, 35.7},        // Tokyo, east of the rectangle
		{math.NaN(), 36.6},
		{117.0, math.Inf(1)},
	} {
		lon, lat := WGS84ToGCJ02(p[0], p[1])
		if !same(lon, p[0]) || !same(lat, p[1]) {
			t.Errorf("WGS84ToGCJ02(%v, %v) = (%v, %v), want input", p[0], p[1], lon, lat)
		}
		lon, lat = GCJ02ToWGS84(p[0], p[1])
		if !same(lon, p[0]) || !same(lat, p[1]) {
			t.Errorf("GCJ02ToWGS84(%v, %v) = (%v, %v), want input", p[0], p[1], lon, lat)
		}
	}
}

func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// TestRoundTrip walks a grid over the whole GCJ-02 rectangle: the inverse
// must land within 0.5 m (in fact it lands within a centimetre), and the
// offset must be real (tens to hundreds of metres), or the test proves nothing.
func TestRoundTrip(t *testing.T) {
	worst := 0.0
	for lon := 73.0; lon < 137; lon += 0.73 {
		for lat := 1.0; lat < 55; lat += 0.61 {
			gLon, gLat := WGS84ToGCJ02(lon, lat)
			if off := Haversine(lon, lat, gLon, gLat); off < 1 || off > 1500 {
				t.Fatalf("offset at (%v, %v) is %.1f m, want 1–1500 m", lon, lat, off)
			}
			wLon, wLat := GCJ02ToWGS84(gLon, gLat)
			d := Haversine(lon, lat, wLon, wLat)
			worst = math.Max(worst, d)
			if d > 0.01 {
				t.Fatalf("round trip of (%v, %v) is off by %.4f m", lon, lat, d)
			}
		}
	}
	t.Logf("worst round trip %.2g m", worst)
}

// In Jinan the offset is a few hundred metres, mostly east-west.
func TestJinanOffset(t *testing.T) {
	gLon, gLat := WGS84ToGCJ02(117.0135, 36.6613)
	d := Haversine(117.0135, 36.6613, gLon, gLat)
	if d < 300 || d > 700 || gLon <= 117.0135 {
		t.Errorf("offset at Quancheng Square = %.1f m to (%.6f, %.6f), want 300–700 m eastwards", d, gLon, gLat)
	}
}

func BenchmarkGCJ02ToWGS84(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		GCJ02ToWGS84(117.019641, 36.661632)
	}
}
