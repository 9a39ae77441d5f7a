#!/usr/bin/env bash
# make release: reproducible release binaries with published SHA-256 sums.
#
# The build depends only on the sources, the Go version (go.mod's toolchain)
# and the target: no cgo, -trimpath (no build paths), -buildvcs=false and an
# empty build id, the version from git, and the embedded UI's digest (which
# `zhudun verify-install` checks). The script builds everything twice in
# separate directories and fails unless both builds are byte-identical, then
# writes dist/SHA256SUMS. Anyone can rebuild from the same commit and compare.
set -euo pipefail
cd "$(dirname "$0")/.."
# Releases are built with go.mod's toolchain line (downloaded through the
# module proxy if needed), part of what makes them reproducible.
. scripts/toolchain.sh
version="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
ui=$(go run ./scripts/uidigest web/dist)
targets="${TARGETS:-linux/amd64 linux/arm64}"
build() {
  local out=$1
  mkdir -p "$out"
  for t in $targets; do
    CGO_ENABLED=0 GOOS="${t%/*}" GOARCH="${t#*/}" GOFLAGS= go build -trimpath -buildvcs=false \
      -ldflags "-s -w -buildid= -X github.com/zhudun/zhudun/cli.Version=$version -X github.com/zhudun/zhudun/cli.UIDigest=$ui" \
      -o "$out/zhudun-${t%/*}-${t#*/}" ./cmd/zhudun
  done
}
rm -rf dist
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build dist
# A second build with a cold cache elsewhere must give the same bytes.
GOCACHE="$tmp/cache" build "$tmp/again"
for f in dist/zhudun-*; do
  if ! cmp -s "$f" "$tmp/again/$(basename "$f")"; then
    echo "release: $(basename "$f") is not reproducible (two builds differ)" >&2
    exit 1
  fi
done
(cd dist && sha256sum zhudun-* > SHA256SUMS)
echo "release $version (ui $ui):"
cat dist/SHA256SUMS
