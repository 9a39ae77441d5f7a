package geo

import "math"

// Parameters of the Krasovsky 1940 ellipsoid that the GCJ-02 obfuscation is
// defined on (the published reverse-engineered algorithm).
const (
	krasovskyA  = 6378245.0
	krasovskyEE = 0.00669342162296594323
)

// OutOfChina reports whether (lon, lat) lies outside the rough rectangle in
// which GCJ-02 is applied. Outside it, GCJ-02 and WGS-84 are the same. The
// rectangle is the one every common implementation uses, so points near the
// borders of neighbouring countries agree with Chinese map services.
func OutOfChina(lon, lat float64) bool {
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

// WGS84ToGCJ02 converts a WGS-84 point to GCJ-02. Outside China, and for
// non-finite input, it returns the input.
func WGS84ToGCJ02(lon, lat float64) (float64, float64) {
	if !finite(lon) || !finite(lat) || OutOfChina(lon, lat) {
		return lon, lat
	}
	dLon, dLat := gcjDelta(lon, lat)
	return lon + dLon, lat + dLat
}

// GCJ02ToWGS84 converts a GCJ-02 point to WGS-84. The forward transform has
// no closed-form inverse, so it iterates w ← w − (f(w) − g) from w = g; the
// offset field is smooth and small, so this converges to well under a
// millimetre in a handful of steps. Outside China it returns the input.
func GCJ02ToWGS84(lon, lat float64) (float64, float64) {
	if !finite(lon) || !finite(lat) || OutOfChina(lon, lat) {
		return lon, lat
	}
	wLon, wLat := lon, lat
	for range 30 {
		gLon, gLat := WGS84ToGCJ02(wLon, wLat)
		eLon, eLat := gLon-lon, gLat-lat
		wLon -= eLon
		wLat -= eLat
		// 1e-10° is about 1 cm; stop well below the sub-metre promise.
		if math.Abs(eLon) < 1e-10 && math.Abs(eLat) < 1e-10 {
			break
		}
	}
	return wLon, wLat
}

// gcjDelta is the GCJ-02 offset (degrees) at a WGS-84 point.
func gcjDelta(lon, lat float64) (dLon, dLat float64) {
	x, y := lon-105.0, lat-35.0
	dLat = gcjLat(x, y)
	dLon = gcjLon(x, y)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - krasovskyEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((krasovskyA * (1 - krasovskyEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (krasovskyA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLon, dLat
}

func gcjLat(x, y float64) float64 {
	r := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	r += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return r
}

func gcjLon(x, y float64) float64 {
	r := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	r += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return r
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
