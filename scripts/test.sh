#!/usr/bin/env bash
# The one test command: vet and staticcheck, then every package's tests — the storage suite on
# SQLite and on PostgreSQL, the bus suite on the embedded NATS and on the
# external server, the browser tests in Chromium — and fail if any test was
# skipped, so that a missing service cannot pass silently.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/toolchain.sh
export ZHUDUN_TEST_POSTGRES="${ZHUDUN_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
export ZHUDUN_TEST_NATS="${ZHUDUN_TEST_NATS:-nats://127.0.0.1:4222}"
go vet ./...
# staticcheck, pinned: a new release's new checks are adopted by a commit.
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
# The UI's unit tests (translation completeness, dates, idle timer).
if [ ! -d web/node_modules ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd web && npm test --silent)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
go test -count=1 -v -timeout 20m "$@" ./... >"$log" 2>&1 || status=$?
grep -E '^(ok|FAIL|---|panic:|\s+--- FAIL)' "$log" | grep -vE '^\s*--- PASS' || true
if [ "$status" -ne 0 ]; then
  echo "--- failures ---"
  grep -B2 -A20 -E '^\s*--- FAIL' "$log" | head -200
  exit "$status"
fi
if grep -qE '^\s*--- SKIP' "$log"; then
  echo "tests were skipped; every suite must run here:" >&2
  grep -E '^\s*--- SKIP' -A3 "$log" >&2
  exit 1
fi
echo "all tests passed ($(grep -cE '^\s*--- PASS' "$log") tests, none skipped)"
