package geo

import "math"

// EarthRadius is the mean radius of the Earth in metres (IUGG R1), the
// sphere Haversine measures on.
const EarthRadius = 6371008.8

// Haversine returns the great-circle distance in metres between two points
// given in degrees. On the sphere it is within about 0.5 % of the ellipsoidal
// distance, which is plenty for dispatch ranges and demo geometry.
func Haversine(lon1, lat1, lon2, lat2 float64) float64 {
	φ1, φ2 := lat1*math.Pi/180, lat2*math.Pi/180
	dφ := φ2 - φ1
	dλ := (lon2 - lon1) * math.Pi / 180
	s := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	// Clamp: rounding can push s a hair past 1 for antipodal points.
	s = math.Min(1, math.Max(0, s))
	return 2 * EarthRadius * math.Asin(math.Sqrt(s))
}
