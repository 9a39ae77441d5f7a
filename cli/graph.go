// `zhudun graph …` (this file, ids.go) and `zhudun stream …` (stream.go) are
// the command-line front ends of the dense-block and edge-burst algorithms.
// They own the file formats and error messages; the algorithms live in the
// pure packages dense and burst.

package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/zhudun/zhudun/dense"
)

// Graph runs `zhudun graph SUBCOMMAND …`; args excludes the word "graph".
//
//	dense    --in edges.tsv --out FILE [--blocks K] [--summary FILE]
//	inject   --out edges.tsv --truth FILE [shape flags]
//	fmeasure --blocks FILE --truth FILE [--block N]
func Graph(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, graphUsage)
		return errors.New("graph: missing subcommand")
	}
	switch args[0] {
	case "dense":
		return graphDense(ctx, args[1:], stdin, stdout, stderr)
	case "inject":
		return graphInject(args[1:], stdout, stderr)
	case "fmeasure":
		return graphFMeasure(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, graphUsage)
		return nil
	}
	fmt.Fprint(stderr, graphUsage)
	return fmt.Errorf("graph: unknown subcommand %q", args[0])
}

const graphUsage = `usage:
  zhudun graph dense --in edges.tsv --out FILE [--blocks K] [--summary FILE]
      one "src<TAB>dst" edge per line (any string ids; '#' lines skipped).
      Writes "block<TAB>side<TAB>id" (side src or dst), densest block first,
      and one summary line per block to standard error or --summary.
  zhudun graph inject --out edges.tsv --truth FILE [--rows M --cols N
      --density P | --edges E] [--block-rows M0 --block-cols N0
      --block-density P0] [--camouflage none|random|2x-random|biased|hijacked]
      [--seed S]
      writes a Fraudar evaluation graph and its block's members.
  zhudun graph fmeasure --blocks FILE --truth FILE [--block N]
      F-measure of block N's members against the truth (all, src, dst).
`

func graphDense(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("graph dense", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "input TSV of src<TAB>dst edges (- for standard input)")
	out := fs.String("out", "", "output file of block<TAB>side<TAB>id lines (- for standard output)")
	k := fs.Int("blocks", 1, "number of blocks to find")
	summary := fs.String("summary", "", "file for the per-block summary (default standard error)")
	nulls := fs.Int("null-trials", dense.DefaultNullTrials, "random graphs peeled to estimate the noise level (0 for none)")
	seed := fs.Uint64("seed", dense.DefaultSeed, "seed of the random graphs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("graph dense: --in and --out are required")
	}
	if *k < 1 {
		return fmt.Errorf("graph dense: --blocks %d must be at least 1", *k)
	}
	r, closeIn, err := openIn(*in, stdin)
	if err != nil {
		return err
	}
	el, err := readEdges(ctx, r, *in)
	closeIn()
	if err != nil {
		return err
	}
	g, err := dense.NewGraph(len(el.src), len(el.dst), el.edges)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	opt := dense.Options{Blocks: *k, NullTrials: *nulls, Seed: *seed}
	if *nulls == 0 {
		opt.NullTrials = -1
	}
	res, err := dense.Detect(ctx, g, opt)
	if err != nil {
		return err
	}
	w, closeOut, err := openOut(*out, stdout)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	for bi, b := range res.Blocks {
		writeSide(bw, bi+1, "src", b.Rows, el.src)
		writeSide(bw, bi+1, "dst", b.Cols, el.dst)
	}
	if err := bw.Flush(); err != nil {
		closeOut()
		return err
	}
	if err := closeOut(); err != nil {
		return err
	}
	sw, closeSum := stderr, func() error { return nil }
	if *summary != "" {
		sw, closeSum, err = openOut(*summary, stdout)
		if err != nil {
			return err
		}
	}
	writeSummary(sw, g, res)
	return closeSum()
}

// writeSide writes one side of a block, ids in byte order.
func writeSide(w *bufio.Writer, block int, side string, members []int32, names []string) {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = names[m]
	}
	slices.Sort(ids)
	for _, id := range ids {
		w.WriteString(strconv.Itoa(block))
		w.WriteByte('\t')
		w.WriteString(side)
		w.WriteByte('\t')
		w.WriteString(id)
		w.WriteByte('\n')
	}
}

// writeSummary writes one line per block. Relative ≈ 1 and log10 p ≈ 0 say
// that noise alone yields such a block.
func writeSummary(w io.Writer, g *dense.Graph, res dense.Result) {
	bg := float64(g.Edges()) / (float64(g.Rows()) * float64(g.Cols()))
	fmt.Fprintf(w, "# graph\t%d src\t%d dst\t%d edges\tdensity %.3g\tnoise score %.4g\n",
		g.Rows(), g.Cols(), g.Edges(), bg, res.NullScore)
	fmt.Fprintf(w, "# block\tsrc\tdst\tedges\tdensity\tlift\tscore\trelative\tlog10p\tverdict\n")
	for i, b := range res.Blocks {
		verdict := "block"
		if b.Log10P > -2 {
			verdict = "noise"
		}
		rel := "-"
		if b.Relative > 0 {
			rel = strconv.FormatFloat(b.Relative, 'f', 3, 64)
		}
		fmt.Fprintf(w, "%d\t%d\t%d\t%d\t%.4g\t%.3g\t%.4g\t%s\t%.1f\t%s\n",
			i+1, len(b.Rows), len(b.Cols), b.Edges, b.Density, b.Lift, b.Score, rel, b.Log10P, verdict)
	}
	if len(res.Blocks) == 0 {
		fmt.Fprintln(w, "# no edges: no block")
	}
}

// edgeList is a parsed edge file: ids numbered in byte order of their
// spelling, so that the numbering — and with it the result — does not depend
// on the order of the lines.
type edgeList struct {
	src, dst []string
	edges    []dense.Edge
}

// readEdges parses an edge file. The file is read whole and converted to one
// string, so that every id is a substring of it and costs no allocation; the
// two sides are numbered by two goroutines, each with its own map.
func readEdges(ctx context.Context, r io.Reader, name string) (*edgeList, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// data is never written again, so the string may share its memory.
	text := unsafe.String(unsafe.SliceData(data), len(data))
	type side struct {
		ids []string
		idx []int32
		err error
	}
	var sides [2]side
	done := make(chan struct{}, 2)
	for f := range 2 {
		go func() {
			defer func() { done <- struct{}{} }()
			sd := &sides[f]
			sd.ids, sd.idx, sd.err = parseSide(ctx, data, text, name, f)
			if sd.err == nil {
				var renum []int32
				renum, sd.ids = sortedRenumber(sd.ids)
				for i, v := range sd.idx {
					sd.idx[i] = renum[v]
				}
			}
		}()
	}
	<-done
	<-done
	if e0, e1 := sides[0].err, sides[1].err; e0 != nil || e1 != nil {
		// Both sides see the same lines; report the earlier failing one.
		var l0, l1 lineError
		if errors.As(e0, &l0) && errors.As(e1, &l1) && l1.line < l0.line {
			return nil, e1
		}
		if e0 != nil {
			return nil, e0
		}
		return nil, e1
	}
	if len(sides[0].ids) >= 1<<30 || len(sides[1].ids) >= 1<<30 {
		return nil, fmt.Errorf("%s: too many distinct ids", name)
	}
	edges := make([]dense.Edge, len(sides[0].idx))
	for i := range edges {
		edges[i] = dense.Edge{Src: sides[0].idx[i], Dst: sides[1].idx[i]}
	}
	return &edgeList{src: sides[0].ids, dst: sides[1].ids, edges: edges}, nil
}

// readAll reads r to the end, sizing the buffer from the file's size when r
// is a file.
func readAll(r io.Reader) ([]byte, error) {
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			// Read into exactly the file's size plus one byte to see EOF:
			// bytes.Buffer.ReadFrom would grow (copy and clear twice the
			// size) once less than 512 bytes were free, which on a 7 MB
			// graph cost a tenth of `graph dense`'s CPU time.
			buf := make([]byte, 0, st.Size()+1)
			for {
				n, err := f.Read(buf[len(buf):cap(buf)])
				buf = buf[:len(buf)+n]
				if err == io.EOF {
					return buf, nil
				}
				if err != nil {
					return buf, err
				}
				if len(buf) == cap(buf) { // the file grew while read
					buf = append(buf, 0)[:len(buf)]
				}
			}
		}
	}
	return io.ReadAll(r)
}

// lineError is a parse error at a line of a named file.
type lineError struct {
	name string
	line int
	msg  string
}

func (e lineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.name, e.line, e.msg) }

// parseSide numbers field f (0 = src, 1 = dst) of every edge line of text in
// order of first appearance, and returns the ids and each edge's number.
// Blank lines and lines starting with '#' are skipped. data and text are the
// same bytes.
func parseSide(ctx context.Context, data []byte, text, name string, f int) ([]string, []int32, error) {
	lines := countLines(text)
	ids := newIDTable(data, text, min(lines, 1<<14), lines)
	idx := make([]int32, 0, lines)
	line := 0
	for pos := 0; pos < len(text); {
		start := pos
		var l string
		if nl := strings.IndexByte(text[pos:], '\n'); nl >= 0 {
			l, pos = text[pos:pos+nl], pos+nl+1
		} else {
			l, pos = text[pos:], len(text)
		}
		line++
		if line&0xfffff == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if n := len(l); n > 0 && l[n-1] == '\r' {
			l = l[:n-1]
		}
		if len(l) == 0 || l[0] == '#' {
			continue
		}
		tab := strings.IndexByte(l, '\t')
		if tab < 0 {
			return nil, nil, lineError{name, line, fmt.Sprintf("want src<TAB>dst, got %q", clip([]byte(l)))}
		}
		d := l[tab+1:]
		if strings.IndexByte(d, '\t') >= 0 {
			return nil, nil, lineError{name, line, "more than two fields"}
		}
		if tab == 0 || len(d) == 0 {
			return nil, nil, lineError{name, line, "empty id"}
		}
		if f == 0 {
			idx = append(idx, ids.number(start, tab))
		} else {
			idx = append(idx, ids.number(start+tab+1, len(d)))
		}
	}
	return ids.names(), idx, nil
}

// sortedRenumber renumbers ids in an order that depends only on their
// spelling — by a 64-bit FNV-1a hash, then by the string on the rare equal
// hash — so that the numbering, and with it the result, does not depend on
// the order of the input lines. Hashes sort much faster than strings.
func sortedRenumber(ids []string) ([]int32, []string) {
	keys := make([]hk, len(ids))
	for i, id := range ids {
		h := uint64(14695981039346656037)
		for k := 0; k < len(id); k++ {
			h ^= uint64(id[k])
			h *= 1099511628211
		}
		keys[i] = hk{h, int32(i)}
	}
	keys = radixByHash(keys)
	// Equal hashes (rare) are ordered by spelling.
	for lo := 0; lo < len(keys); {
		hi := lo + 1
		for hi < len(keys) && keys[hi].h == keys[lo].h {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(keys[lo:hi], func(a, b hk) int { return strings.Compare(ids[a.i], ids[b.i]) })
		}
		lo = hi
	}
	renum := make([]int32, len(ids))
	sorted := make([]string, len(ids))
	for n, k := range keys {
		renum[k.i] = int32(n)
		sorted[n] = ids[k.i]
	}
	return renum, sorted
}

// hk is an id's hash and its first-appearance number.
type hk struct {
	h uint64
	i int32
}

// radixByHash sorts keys by hash, least significant 11 bits first (six
// passes, each histogram small enough for the first-level cache), and
// returns the sorted slice (keys itself or its scratch twin).
func radixByHash(keys []hk) []hk {
	const digit, passes = 11, 6
	if len(keys) < 2 {
		return keys
	}
	var cnt [passes][1 << digit]int
	for _, k := range keys {
		for p := range passes {
			cnt[p][(k.h>>(digit*p))&(1<<digit-1)]++
		}
	}
	src, dst := keys, make([]hk, len(keys))
	for p := range passes {
		c := &cnt[p]
		if c[(keys[0].h>>(digit*p))&(1<<digit-1)] == len(keys) {
			continue // one value of this digit everywhere
		}
		sum := 0
		for d := range c {
			c[d], sum = sum, sum+c[d]
		}
		for _, k := range src {
			d := (k.h >> (digit * p)) & (1<<digit - 1)
			dst[c[d]] = k
			c[d]++
		}
		src, dst = dst, src
	}
	return src
}

func graphInject(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("graph inject", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "output TSV of src<TAB>dst edges")
	truth := fs.String("truth", "", "output TSV of the block's members, side<TAB>id")
	var c dense.InjectConfig
	fs.IntVar(&c.Rows, "rows", 2000, "background sources")
	fs.IntVar(&c.Cols, "cols", 2000, "background destinations")
	fs.Float64Var(&c.BackgroundDensity, "density", 0.0006, "background density")
	fs.IntVar(&c.BackgroundEdges, "edges", 0, "background edges (overrides --density)")
	fs.IntVar(&c.BlockRows, "block-rows", 200, "block sources (0 for no block)")
	fs.IntVar(&c.BlockCols, "block-cols", 200, "block destinations (0 for no block)")
	fs.Float64Var(&c.BlockDensity, "block-density", 0.05, "block density")
	cam := fs.String("camouflage", "none", "none, random, 2x-random, biased or hijacked")
	fs.Uint64Var(&c.Seed, "seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *truth == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("graph inject: --out and --truth are required")
	}
	var err error
	if c.Camouflage, err = dense.ParseCamouflage(*cam); err != nil {
		return err
	}
	inj, err := dense.Inject(c)
	if err != nil {
		return err
	}
	// Lines in random order, so that nothing but the structure gives the
	// block away.
	rng := rand.New(rand.NewPCG(c.Seed, 0x0dde))
	rng.Shuffle(len(inj.Edges), func(i, j int) { inj.Edges[i], inj.Edges[j] = inj.Edges[j], inj.Edges[i] })
	w, closeOut, err := openOut(*out, stdout)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	var buf []byte
	for _, e := range inj.Edges {
		buf = append(buf[:0], 'u')
		buf = strconv.AppendInt(buf, int64(e.Src), 10)
		buf = append(buf, '\t', 'p')
		buf = strconv.AppendInt(buf, int64(e.Dst), 10)
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	if err := bw.Flush(); err != nil {
		closeOut()
		return err
	}
	if err := closeOut(); err != nil {
		return err
	}
	tw, closeTruth, err := openOut(*truth, stdout)
	if err != nil {
		return err
	}
	tb := bufio.NewWriter(tw)
	for _, r := range inj.BlockRows {
		fmt.Fprintf(tb, "src\tu%d\n", r)
	}
	for _, c := range inj.BlockCols {
		fmt.Fprintf(tb, "dst\tp%d\n", c)
	}
	if err := tb.Flush(); err != nil {
		closeTruth()
		return err
	}
	return closeTruth()
}

func graphFMeasure(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("graph fmeasure", flag.ContinueOnError)
	fs.SetOutput(stderr)
	blocksF := fs.String("blocks", "", "output of graph dense")
	truthF := fs.String("truth", "", "truth file of graph inject (side<TAB>id)")
	which := fs.Int("block", 1, "block number to score")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *blocksF == "" || *truthF == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("graph fmeasure: --blocks and --truth are required")
	}
	want := strconv.Itoa(*which)
	got := map[string]bool{}
	err := eachField(*blocksF, 3, func(f []string) error {
		if f[1] != "src" && f[1] != "dst" {
			return fmt.Errorf("side %q is not src or dst", f[1])
		}
		if f[0] == want {
			got[f[1]+"\t"+f[2]] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	truth := map[string]bool{}
	err = eachField(*truthF, 2, func(f []string) error {
		if f[0] != "src" && f[0] != "dst" {
			return fmt.Errorf("side %q is not src or dst", f[0])
		}
		truth[f[0]+"\t"+f[1]] = true
		return nil
	})
	if err != nil {
		return err
	}
	all := fmeasure(got, truth, "")
	fs2 := fmeasure(got, truth, "src\t")
	fd := fmeasure(got, truth, "dst\t")
	_, err = fmt.Fprintf(stdout, "F\t%.4f\tsrc\t%.4f\tdst\t%.4f\tfound\t%d\ttruth\t%d\n", all, fs2, fd, len(got), len(truth))
	return err
}

// fmeasure is the F1 score of got against truth over keys with prefix.
func fmeasure(got, truth map[string]bool, prefix string) float64 {
	var tp, ng, nt float64
	for k := range got {
		if strings.HasPrefix(k, prefix) {
			ng++
			if truth[k] {
				tp++
			}
		}
	}
	for k := range truth {
		if strings.HasPrefix(k, prefix) {
			nt++
		}
	}
	if tp == 0 {
		if ng == 0 && nt == 0 {
			return 1
		}
		return 0
	}
	return 2 * tp / (ng + nt)
}

// eachField calls fn with the n tab-separated fields of every non-empty
// line of the file, naming file and line on error.
func eachField(name string, n int, fn func([]string) error) error {
	r, closeIn, err := openIn(name, nil)
	if err != nil {
		return err
	}
	defer closeIn()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimRight(sc.Text(), "\r")
		if t == "" || t[0] == '#' {
			continue
		}
		f := strings.Split(t, "\t")
		if len(f) != n {
			return fmt.Errorf("%s:%d: want %d tab-separated fields, got %d", name, line, n, len(f))
		}
		if err := fn(f); err != nil {
			return fmt.Errorf("%s:%d: %v", name, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
