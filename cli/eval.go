package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts/eval"
)

// Eval runs `zhudun eval --truth T --findings F [--min-f1 X] [--min-gang-f1 Y]`.
func Eval(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := fourCutsFlags("eval", stderr, "--truth T --findings F [--min-f1 0.95] [--min-gang-f1 0.9]")
	truthPath := fs.String("truth", "", "ground truth (JSON Lines)")
	findPath := fs.String("findings", "", "findings (JSON Lines); - for standard input")
	minF1 := fs.Float64("min-f1", 0, "exit non-zero when any category's F1 is below this")
	minGangF1 := fs.Float64("min-gang-f1", 0, "exit non-zero when the gangs' pairwise F1 is below this (or gangs cannot be scored)")
	if err := parseFourCuts(fs, args); err != nil {
		return err
	}
	if *truthPath == "" || *findPath == "" {
		fs.Usage()
		return zhudun.FieldError("truth", "--truth and --findings are required")
	}
	tf, err := os.Open(*truthPath)
	if err != nil {
		return zhudun.Errorf(zhudun.EINVALID, "%v", err)
	}
	defer tf.Close()
	truth, truthGangs, err := eval.Read(tf, *truthPath)
	if err != nil {
		return err
	}
	var fr io.Reader = stdin
	if *findPath != "-" {
		f, err := os.Open(*findPath)
		if err != nil {
			return zhudun.Errorf(zhudun.EINVALID, "%v", err)
		}
		defer f.Close()
		fr = f
	}
	found, foundGangs, err := eval.Read(fr, *findPath)
	if err != nil {
		return err
	}
	scores := eval.Compare(truth, found)
	eval.Print(stdout, scores)
	gs, gangsOK := eval.CompareGangs(truthGangs, foundGangs)
	eval.PrintGangs(stdout, gs, gangsOK)
	var low []string
	for _, s := range scores {
		if s.F1 < *minF1 {
			low = append(low, fmt.Sprintf("%s %.4f", s.Category, s.F1))
		}
	}
	if *minGangF1 > 0 {
		switch {
		case !gangsOK:
			low = append(low, "gangs not scored")
		case gs.F1 < *minGangF1:
			low = append(low, fmt.Sprintf("gangs %.4f", gs.F1))
		}
	}
	if len(low) > 0 {
		return zhudun.Errorf(zhudun.EINVALID, "F1 below the bar (--min-f1 %.2f, --min-gang-f1 %.2f): %s", *minF1, *minGangF1, strings.Join(low, ", "))
	}
	return nil
}
