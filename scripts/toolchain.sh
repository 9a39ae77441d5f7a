# Sourced by scripts/test.sh, vulncheck.sh and release.sh: test, scan and
# release with one Go — go.mod's toolchain line, the version the
# vulnerability scan's verdict on the standard library is about. A machine
# whose go is older (GOTOOLCHAIN=local with go1.26.8 here) fetches it once
# through the Go module proxy (golang.org/toolchain, checked against
# sum.golang.org) into GOMODCACHE.
want=$(sed -n 's/^toolchain //p' go.mod)
if [ -z "$want" ]; then
  echo "go.mod has no toolchain line" >&2
  exit 1
fi
export GOTOOLCHAIN="$want"
have=$(go env GOVERSION)
if [ "$have" != "$want" ]; then
  echo "toolchain: go env GOVERSION is $have, want $want (go.mod's toolchain line)" >&2
  exit 1
fi
echo "toolchain: $have"
