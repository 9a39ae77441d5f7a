// Package geo is the plane and sphere arithmetic zhudun needs for maps of
// China: GCJ-02 ⇄ WGS-84 conversion, great-circle distance, point in
// (multi)polygon, and a strict reader of GeoJSON polygons. It is pure: no I/O,
// no package state, and it imports only the standard library and the domain.
//
// Coordinates are always (longitude, latitude) in degrees, in that order, as
// in GeoJSON. Everything stored or compared inside zhudun is WGS-84; GCJ-02
// (the offset datum of Chinese web maps: AMap, Tencent, DataV) is converted at
// the edge, when boundaries are loaded or a map client sends a point.
package geo
