// Command fourcuts runs only the Four Cuts commands, under the name, exit
// codes and CPU-profile switch bench/fourcuts expects (the code is package
// cli's, the same as `zhudun detect|simulate|eval`):
//
//	go build -o /tmp/fourcuts ./cmd/fourcuts
//	/tmp/fourcuts simulate --users 20000 --days 7 --seed 1 --out /tmp/feed --truth /tmp/truth.jsonl
//	/tmp/fourcuts detect --in /tmp/feed --out /tmp/findings.jsonl --errors /tmp/rejects.jsonl
//	/tmp/fourcuts eval --truth /tmp/truth.jsonl --findings /tmp/findings.jsonl --min-f1 0.95
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"

	"github.com/zhudun/zhudun/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: fourcuts detect|simulate|eval [flags]")
		os.Exit(2)
	}
	// FOURCUTS_CPUPROFILE=FILE writes a CPU profile (for bench/fourcuts).
	if path := os.Getenv("FOURCUTS_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	var err error
	switch os.Args[1] {
	case "detect":
		err = cli.Detect(ctx, os.Args[2:], os.Stdin, os.Stdout, os.Stderr)
	case "simulate":
		err = cli.Simulate(ctx, os.Args[2:], os.Stdin, os.Stdout, os.Stderr)
	case "eval":
		err = cli.Eval(ctx, os.Args[2:], os.Stdin, os.Stdout, os.Stderr)
	default:
		err = fmt.Errorf("unknown command %q (want detect, simulate or eval)", os.Args[1])
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "zhudun:", err)
		os.Exit(1)
	}
}
