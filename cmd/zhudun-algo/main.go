// Command zhudun-algo runs only the graph and stream commands, under the
// name and exit codes bench/algo expects (the code is package cli's, the
// same as `zhudun graph …` and `zhudun stream …`):
//
//	go build -o /tmp/zhudun-algo ./cmd/zhudun-algo
//	/tmp/zhudun-algo graph dense --in edges.tsv --out blocks.tsv
//	/tmp/zhudun-algo stream score --in edges.csv --out scores.txt
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
		fmt.Fprintln(os.Stderr, "usage: zhudun-algo graph|stream SUBCOMMAND [flags]")
		os.Exit(2)
	}
	// ZHUDUN_CPUPROFILE=FILE writes a CPU profile (for bench/algo).
	if path := os.Getenv("ZHUDUN_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	var err error
	switch os.Args[1] {
	case "graph":
		err = cli.Graph(ctx, os.Args[2:], os.Stdin, os.Stdout, os.Stderr)
	case "stream":
		err = cli.Stream(ctx, os.Args[2:], os.Stdin, os.Stdout, os.Stderr)
	default:
		err = fmt.Errorf("unknown command %q (want graph or stream)", os.Args[1])
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "zhudun:", err)
		os.Exit(1)
	}
}
