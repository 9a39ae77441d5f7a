package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/zhudun/zhudun/burst"
)

// Stream runs `zhudun stream SUBCOMMAND …`; args excludes the word "stream".
//
//	score --in edges.csv --out FILE [--seed N] [--variant F|R|plain]
//	auc   --scores FILE --labels FILE
func Stream(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, streamUsage)
		return errors.New("stream: missing subcommand")
	}
	switch args[0] {
	case "score":
		return streamScore(ctx, args[1:], stdin, stdout, stderr)
	case "auc":
		return streamAUC(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, streamUsage)
		return nil
	}
	fmt.Fprint(stderr, streamUsage)
	return fmt.Errorf("stream: unknown subcommand %q", args[0])
}

const streamUsage = `usage:
  zhudun stream score --in edges.csv --out FILE [--seed N] [--variant F|R|plain]
      one "src,dst,time" edge per line (integer or string ids, integer times,
      non-decreasing); writes one anomaly score per input line, in order.
      "-" reads standard input / writes standard output.
  zhudun stream auc --scores FILE --labels FILE
      ROC-AUC of scores (one per line) against labels (1/0, true/false).
`

func streamScore(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stream score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "input CSV of src,dst,time edges (- for standard input)")
	out := fs.String("out", "", "output file, one score per line (- for standard output)")
	def := burst.DefaultConfig()
	seed := fs.Uint64("seed", def.Seed, "hash seed")
	variant := fs.String("variant", def.Variant.String(), "MIDAS variant: F (filtered), R (relational) or plain")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("stream score: --in and --out are required")
	}
	cfg := def
	cfg.Seed = *seed
	v, err := burst.ParseVariant(*variant)
	if err != nil {
		return err
	}
	cfg.Variant = v
	sc, err := burst.New(cfg)
	if err != nil {
		return err
	}
	r, closeIn, err := openIn(*in, stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	w, closeOut, err := openOut(*out, stdout)
	if err != nil {
		return err
	}
	if err := scoreStream(ctx, sc, r, w, *in); err != nil {
		closeOut()
		return err
	}
	return closeOut()
}

// scoreStream reads src,dst,time lines from r and writes one score per line
// to w. It allocates nothing per line: lines are sliced out of the reader's
// buffer and scores formatted into one reused buffer.
func scoreStream(ctx context.Context, sc *burst.Scorer, r io.Reader, w io.Writer, name string) error {
	br := bufio.NewReaderSize(r, 1<<20)
	bw := bufio.NewWriterSize(w, 1<<20)
	var buf [64]byte
	line := 0
	var prev int64
	for {
		b, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, br.Size())
		}
		if len(b) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("%s: %w", name, err)
		}
		line++
		if line&0xfffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b = trimEOL(b)
		c1 := bytes.IndexByte(b, ',')
		if c1 < 0 {
			return fmt.Errorf("%s:%d: want src,dst,time, got %q", name, line, clip(b))
		}
		c2 := bytes.IndexByte(b[c1+1:], ',')
		if c2 < 0 {
			return fmt.Errorf("%s:%d: want src,dst,time, got %q", name, line, clip(b))
		}
		c2 += c1 + 1
		src, dst, tb := b[:c1], b[c1+1:c2], b[c2+1:]
		if len(src) == 0 || len(dst) == 0 {
			return fmt.Errorf("%s:%d: empty node id", name, line)
		}
		t, ok := parseInt(tb)
		if !ok {
			return fmt.Errorf("%s:%d: time %q is not an integer (a header line is not accepted)", name, line, clip(tb))
		}
		if line > 1 && t < prev {
			return fmt.Errorf("%s:%d: time %d is earlier than the previous line's %d (times must not decrease)", name, line, t, prev)
		}
		prev = t
		s, serr := sc.Score(burst.HashID(src), burst.HashID(dst), t)
		if serr != nil {
			return fmt.Errorf("%s:%d: %w", name, line, serr)
		}
		o := strconv.AppendFloat(buf[:0], s, 'g', -1, 64)
		o = append(o, '\n')
		if _, err := bw.Write(o); err != nil {
			return err
		}
		if err == io.EOF {
			break
		}
	}
	return bw.Flush()
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

// parseInt parses an optionally signed decimal int64; the common short case
// allocates nothing.
func parseInt(b []byte) (int64, bool) {
	if len(b) > 18 {
		v, err := strconv.ParseInt(string(b), 10, 64)
		return v, err == nil
	}
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}

func streamAUC(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stream auc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scoresF := fs.String("scores", "", "scores, one number per line")
	labelsF := fs.String("labels", "", "labels, one per line: 1/0 or true/false")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scoresF == "" || *labelsF == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("stream auc: --scores and --labels are required")
	}
	scores, err := readColumn(*scoresF, func(b []byte) (float64, error) {
		return strconv.ParseFloat(string(b), 64)
	})
	if err != nil {
		return err
	}
	labels, err := readColumn(*labelsF, parseLabel)
	if err != nil {
		return err
	}
	if len(scores) != len(labels) {
		return fmt.Errorf("stream auc: %s has %d lines but %s has %d", *scoresF, len(scores), *labelsF, len(labels))
	}
	pos := make([]bool, len(labels))
	for i, l := range labels {
		pos[i] = l != 0
	}
	auc, err := ROCAUC(scores, pos)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%.6f\n", auc)
	return err
}

func parseLabel(b []byte) (float64, error) {
	switch string(b) {
	case "1", "true", "True", "TRUE", "1.0":
		return 1, nil
	case "0", "false", "False", "FALSE", "0.0":
		return 0, nil
	}
	return 0, fmt.Errorf("label %q is not 1/0 or true/false", b)
}

// readColumn reads one value per line with parse, naming file and line on
// error.
func readColumn(name string, parse func([]byte) (float64, error)) ([]float64, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	var out []float64
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		v, err := parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// ROCAUC returns the area under the ROC curve of scores against positive
// labels: the probability that a random positive outscores a random negative,
// ties counting one half.
func ROCAUC(scores []float64, positive []bool) (float64, error) {
	if len(scores) != len(positive) {
		return 0, errors.New("auc: scores and labels differ in length")
	}
	idx := make([]int32, len(scores))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		x, y := scores[a], scores[b]
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	// Mann–Whitney U with mid-ranks for ties.
	var npos, nneg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1 … j
		for k := i; k < j; k++ {
			if positive[idx[k]] {
				rankSum += mid
				npos++
			}
		}
		i = j
	}
	nneg = float64(len(idx)) - npos
	if npos == 0 || nneg == 0 {
		return 0, errors.New("auc: need both positive and negative labels")
	}
	return (rankSum - npos*(npos+1)/2) / (npos * nneg), nil
}

// openIn opens name for reading; "-" is stdin.
func openIn(name string, stdin io.Reader) (io.Reader, func(), error) {
	if name == "-" {
		if stdin == nil {
			return nil, nil, errors.New("no standard input")
		}
		return stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// openOut creates name for writing; "-" is stdout. The returned close
// reports write errors.
func openOut(name string, stdout io.Writer) (io.Writer, func() error, error) {
	if name == "-" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}
