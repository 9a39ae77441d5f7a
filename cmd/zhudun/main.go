// Command zhudun is the public-security operations platform: one binary that
// serves the API and UI and runs the administration and engine commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/zhudun/zhudun/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// ZHUDUN_CPUPROFILE=FILE writes a CPU profile of the command until it
	// ends (bench/live -cpuprofile profiles serve under load this way).
	if path := os.Getenv("ZHUDUN_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f) // stopped (and flushed) below; the exit closes f
		}
	}
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	pprof.StopCPUProfile()
	stop()
	os.Exit(code)
}
