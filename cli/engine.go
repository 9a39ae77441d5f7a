package cli

import (
	"context"
	"io"

	"github.com/zhudun/zhudun/internal/algocli"
	"github.com/zhudun/zhudun/internal/fourcutscli"
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
		{"detect", "Four Cuts: findings from carrier and platform feeds", wrap(fourcutscli.Detect)},
		{"simulate", "Four Cuts: write a simulated city's feeds and truth", wrap(fourcutscli.Simulate)},
		{"eval", "Four Cuts: precision, recall and F1 of findings against truth", wrap(fourcutscli.Eval)},
	}
}
