// Package web holds the built browser UI (Vue 3 + Element Plus), embedded
// into the binary so that a fresh clone serves the full UI without Node.
//
// The sources are in src/; `npm ci && npm run build` regenerates dist/, which
// is committed. scripts/check-ui-build.sh fails when the committed build
// differs from what the sources produce.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the built UI: index.html at the root and hashed files under
// assets/ (safe to cache for a long time; index.html is not).
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at compile time; cannot happen
	}
	return sub
}
