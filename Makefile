# zhudun — the two commands are `make run` and `make test` (see README).
.PHONY: run test vet ui ui-check bench fuzz build release vulncheck

# Every target builds with go.mod's toolchain line, the Go that the tests,
# the vulnerability scan and releases use (scripts/toolchain.sh); an older
# local go fetches it through the module proxy.
export GOTOOLCHAIN := $(shell sed -n 's/^toolchain //p' go.mod)

run:
	go run ./cmd/zhudun serve --demo

build:
	go build -o zhudun ./cmd/zhudun

# Reproducible release binaries (built twice and compared) and
# dist/SHA256SUMS; check an installed binary with `zhudun verify-install`.
release:
	bash scripts/release.sh

# govulncheck against the snapshot in testdata/vulndb (refresh it with
# bash scripts/vulndb.sh) and npm audit of the UI's runtime dependencies.
vulncheck:
	bash scripts/vulncheck.sh

test:
	bash scripts/test.sh

vet:
	go vet ./...

# Rebuild the committed UI (needs Node 20 and npm).
ui:
	cd web && npm ci && npm run build

# Fail if the committed UI build differs from what the sources build.
ui-check:
	bash scripts/check-ui-build.sh

# Benchmarks of every hot path (go test -bench), then the engine's own
# measurements: Fraudar protocol graphs, DARPA, the Four Cuts city, and the
# 2 M-incident patrol report on PostgreSQL and the cases at scale (200,000
# cases, 1 M people, 5 M seized items: bench/cases/RESULTS.md). Outputs go
# to bench/out/. bench/positions: 2,000 position updates a second through
# HTTP and JT/T 808 to a live map (docs/livemap.md; -soak 10m for memory).
bench:
	go test -run '^$$' -bench . -benchmem ./...
	bash bench/algo/dense.sh bench/out/algo
	bash bench/algo/stream.sh bench/out/algo
	bash bench/fourcuts/run.sh bench/out/fourcuts
	go run ./bench/patrol
	go run ./bench/cases
	go run ./bench/positions

fuzz:
	go test -run '^$$' -fuzz FuzzNormalizeIDNumber -fuzztime 30s ./pii/
	go test -run '^$$' -fuzz FuzzNormalizePhone -fuzztime 30s ./pii/
	go test -run '^$$' -fuzz FuzzParse -fuzztime 30s ./gmcrypto/
	go test -run '^$$' -fuzz FuzzOpen -fuzztime 30s ./gmcrypto/
	go test -run '^$$' -fuzz FuzzParseFeatureCollection -fuzztime 30s ./geo/
	go test -run '^$$' -fuzz FuzzIMEIJoin -fuzztime 30s ./fourcuts/
	go test -run '^$$' -fuzz FuzzDecodeJSON -fuzztime 30s ./fourcuts/feed/
	go test -run '^$$' -fuzz FuzzReadFile -fuzztime 30s ./fourcuts/feed/
	go test -run '^$$' -fuzz FuzzParseIncidentCSV -fuzztime 30s ./cli/
	go test -run '^$$' -fuzz FuzzParseTarget -fuzztime 30s ./forward/
	go test -run '^$$' -fuzz FuzzAppendSyslog -fuzztime 30s ./forward/
	go test -run '^$$' -fuzz FuzzReadEdges -fuzztime 30s ./cli/
	go test -run '^$$' -fuzz FuzzScoreStream -fuzztime 30s ./cli/
	go test -run '^$$' -fuzz FuzzParseRequestForm -fuzztime 30s ./open311/
