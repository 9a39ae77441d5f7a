// Command zhudun is the public-security operations platform: one binary that
// serves the API and UI and runs the administration and engine commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/zhudun/zhudun/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
