#!/usr/bin/env bash
# The browser UI's built files (web/dist) are committed so that `go run
# ./cmd/zhudun serve` needs no Node. This rebuilds them from web/src with the
# locked dependencies, runs the UI's unit tests (translation completeness),
# and fails when the rebuilt files differ from the committed ones: the build
# is deterministic, so any difference means the sources changed without a
# rebuild (fix: cd web && npm ci && npm run build, then commit web/dist).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "check-ui-build: npm not found (Node 20 is needed to rebuild web/dist)" >&2
  exit 1
fi

(
  cd web
  npm ci --no-audit --no-fund --loglevel=error
  npm test
  npm run build
)

changes="$(git status --porcelain --untracked-files=all -- web/dist)"
if [ -n "$changes" ]; then
  echo "check-ui-build: web/dist differs from what web/src builds:" >&2
  echo "$changes" >&2
  echo "run: (cd web && npm ci && npm run build) and commit web/dist" >&2
  exit 1
fi
echo "check-ui-build: web/dist matches the sources"
