#!/usr/bin/env bash
# Refresh the vulnerability database snapshot that CI's govulncheck reads
# (testdata/vulndb), from the Go vulnerability database's own repository,
# which the Go module proxy serves as the module golang.org/x/vulndb: its
# data/osv holds every report in OSV form. vuln.go.dev itself need not be
# reachable.
#
#   bash scripts/vulndb.sh [VERSION]     # default: the proxy's latest
#
# The snapshot keeps the entries for this module's dependencies (go list -m
# all), the standard library and the toolchain, indexed with the database's
# own tool (golang.org/x/vulndb/cmd/indexdb); testdata/vulndb/SNAPSHOT
# records the version and date, MODULES the dependencies it covers
# (scripts/vulncheck.sh fails when go.mod gains one that is not covered).
set -euo pipefail
cd "$(dirname "$0")/.."
ver="${1:-$(go list -m -f '{{.Version}}' golang.org/x/vulndb@latest)}"
info=$(GOFLAGS=-mod=mod go mod download -json "golang.org/x/vulndb@$ver")
dir=$(printf '%s' "$info" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
when=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$(printf '%s' "$info" | sed -n 's/^[[:space:]]*"Info": "\(.*\)",$/\1/p')")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go list -m -f '{{.Path}}' all | sort -u > "$tmp/modules"
go run ./scripts/vulndbfilter -osv "$dir/data/osv" -out "$tmp/osv" -modules "$tmp/modules"
go run "golang.org/x/vulndb/cmd/indexdb@$ver" -vulns "$tmp/osv" -out "$tmp/db"
# The repository's entries carry no dates; the snapshot's is the commit's.
printf '{"modified":"%s"}' "$when" > "$tmp/db/index/db.json"
# govulncheck reads the plain files of a file:// database; the .gz copies
# are for HTTP servers.
find "$tmp/db" -name "*.gz" -delete
rm -rf testdata/vulndb
mkdir -p testdata
cp -r "$tmp/db" testdata/vulndb
cp "$tmp/modules" testdata/vulndb/MODULES
printf 'golang.org/x/vulndb %s\ndate %s\nentries %s\n' "$ver" "$when" "$(ls testdata/vulndb/ID/*.json | wc -l)" > testdata/vulndb/SNAPSHOT
cat testdata/vulndb/SNAPSHOT
