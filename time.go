package zhudun

import "time"

// cst is China Standard Time. China has kept UTC+08:00 without daylight
// saving since 1991, so a fixed zone is exact for every date zhudun handles
// and needs no tzdata on the server.
var cst = time.FixedZone("CST", 8*3600)

// CST returns China Standard Time (Asia/Shanghai), the zone of every date a
// person reads or types and of every day a report counts.
func CST() *time.Location { return cst }
