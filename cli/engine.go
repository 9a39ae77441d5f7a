package cli

import (
	"context"
	"io"

	"github.com/zhudun/zhudun/internal/algocli"
)

// extraCommands are the engine's commands: pure algorithms over files, no
// database or bus.
func extraCommands() []command {
	wrap := func(f func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error) func(context.Context, *env, []string) error {
		return func(ctx context.Context, e *env, args []string) error {
			return f(ctx, args, e.stdin, e.stdout, e.stderr)
		}
	}
	return []command{
		{"graph", "dense blocks in bipartite graphs: dense, inject", wrap(algocli.Graph)},
		{"stream", "edge-stream burst scores: score", wrap(algocli.Stream)},
	}
}
