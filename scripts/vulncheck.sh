#!/usr/bin/env bash
# Known vulnerabilities, as CI checks them (make vulncheck, .ci/run):
#
# 1. govulncheck (pinned below) against the snapshot in testdata/vulndb (see
#    scripts/vulndb.sh for its date and how to refresh it): it fails on
#    vulnerabilities in code this module actually calls — reachable findings
#    — and lists unreachable ones (imported packages, required modules) as
#    information only. The snapshot must cover every module in go.mod's
#    graph; a new dependency without a refresh fails here.
# 2. npm audit of the UI's runtime dependencies (the ones built into
#    web/dist and served to browsers; build tools are not shipped), failing
#    on any advisory, when the npm registry answers its audit endpoint; when
#    it does not (this machine's registry answers 405), the last line says
#    "NPM AUDIT NOT RUN" with the status, and the check fails only with
#    ZHUDUN_REQUIRE_NPM_AUDIT=1.
set -euo pipefail
cd "$(dirname "$0")/.."
GOVULNCHECK=golang.org/x/vuln/cmd/govulncheck@v1.9.0
# The toolchain that tests and builds releases is go.mod's toolchain line;
# scan with it, since the standard library's vulnerabilities depend on its
# version.
. scripts/toolchain.sh

missing=$(comm -23 <(go list -m -f '{{.Path}}' all | sort -u) <(sort -u testdata/vulndb/MODULES))
if [ -n "$missing" ]; then
  echo "vulncheck: testdata/vulndb does not cover these modules; run: bash scripts/vulndb.sh" >&2
  echo "$missing" >&2
  exit 1
fi
echo "vulncheck: database $(tr '\n' ' ' < testdata/vulndb/SNAPSHOT)"
go run "$GOVULNCHECK" -db "file://$PWD/testdata/vulndb" ./...

# The registry may answer installs but not the audit endpoint (a mirror or
# proxy): only an answer with advisories fails the check.
audit=$(cd web && npm audit --omit=dev --audit-level=low --json 2>/dev/null) && rc=0 || rc=$?
if [ "$rc" -eq 0 ]; then
  echo "vulncheck: npm audit: no advisories for the UI's runtime dependencies"
elif printf '%s' "$audit" | grep -q '"vulnerabilities"' && ! printf '%s' "$audit" | grep -q '"error"'; then
  (cd web && npm audit --omit=dev --audit-level=low) || true
  echo "vulncheck: npm audit found advisories in the UI's runtime dependencies" >&2
  exit 1
else
  # Not "no findings": the UI's dependencies were not checked at all. Say so
  # as the last line, where CI's reader looks, and fail when asked to
  # (ZHUDUN_REQUIRE_NPM_AUDIT=1, for a CI whose registry should answer).
  status=$(printf '%s' "$audit" | sed -n 's/.*"statusCode": *\([0-9]*\).*/\1/p' | head -1)
  printf '%s\n' "$audit" | grep -E '"(message|code|summary)"' | head -2 >&2 || true
  echo "vulncheck: NPM AUDIT NOT RUN — the registry answered ${status:-an error} to its audit endpoint; the UI's runtime dependencies are unchecked (Go: checked)" >&2
  if [ -n "${ZHUDUN_REQUIRE_NPM_AUDIT:-}" ]; then
    exit 1
  fi
fi
