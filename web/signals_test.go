package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// engineNames is what the Four Cuts engine (../fourcuts) can put in a
// finding's evidence, read from its sources, each with where it was found.
type engineNames struct {
	signals    map[string]string // Evidence.Signal: emitted, documented or tested for
	emitted    map[string]string // … of those, the ones built into evidence
	limits     map[string]string // Evidence.Limits names (Config fields) and the Config fields of thresholds
	measures   map[string]string // Evidence.Measures names
	documented map[string]bool   // the keys of fourcuts' signals table
	config     map[string]bool   // the fields of fourcuts.Config
}

// fourcutsNames parses the engine's non-test sources. Signals are the
// string values of Evidence literals' Signal fields, the signal arguments
// of the functions that build Evidence from a parameter (emit), the keys of
// the signals table and the names the engine tests evidence for
// (ev.Signal == "…", hasSignal, d.off[…]). A name passed in a variable is
// resolved through the function's assignments to it ("imsi_per_imei" or
// "imsi_per_imei_personal"; name[k] = s; "line_intel_"+IPKindNames[k]).
// Limits are the names among emit's alternating name/value arguments, the
// Name of Limit literals in Limits, and the Config fields a threshold
// argument reads; measures the names of the Limit literals assigned to
// Measures.
func fourcutsNames(t *testing.T) *engineNames {
	t.Helper()
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join("..", "fourcuts", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) < 5 {
		t.Fatalf("only %d source files in ../fourcuts", len(files))
	}
	n := &engineNames{signals: map[string]string{}, emitted: map[string]string{}, limits: map[string]string{}, measures: map[string]string{},
		documented: map[string]bool{}, config: map[string]bool{}}
	pos := func(x ast.Node) string { return fset.Position(x.Pos()).String() }

	// Package level: the Config fields, the signals table, string arrays
	// and string constants (IPKindNames, Version).
	pkgStrings := map[string][]string{}
	for _, f := range files {
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range g.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if st, ok := s.Type.(*ast.StructType); ok && s.Name.Name == "Config" {
						for _, fl := range st.Fields.List {
							for _, nm := range fl.Names {
								n.config[nm.Name] = true
							}
						}
					}
				case *ast.ValueSpec:
					for i, nm := range s.Names {
						if i >= len(s.Values) {
							continue
						}
						switch v := s.Values[i].(type) {
						case *ast.BasicLit:
							if str, ok := strLit(v); ok {
								pkgStrings[nm.Name] = []string{str}
							}
						case *ast.CompositeLit:
							if nm.Name == "signals" {
								for _, el := range v.Elts {
									if kv, ok := el.(*ast.KeyValueExpr); ok {
										if str, ok := strLit(kv.Key); ok {
											n.documented[str] = true
											n.signals[str] = pos(kv)
										}
									}
								}
							}
							if at, ok := v.Type.(*ast.ArrayType); ok && isIdent(at.Elt, "string") {
								for _, el := range v.Elts {
									if str, ok := strLit(el); ok {
										pkgStrings[nm.Name] = append(pkgStrings[nm.Name], str)
									}
								}
							}
						}
					}
				}
			}
		}
	}

	// The functions that build Evidence from a parameter, and which
	// parameter is the signal and which the threshold and the limits.
	type builder struct{ signal, threshold, limits int }
	builders := map[string]builder{}
	for _, f := range files {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			var params []string
			variadic := -1
			for _, fl := range fd.Type.Params.List {
				for _, nm := range fl.Names {
					if _, ok := fl.Type.(*ast.Ellipsis); ok {
						variadic = len(params)
					}
					params = append(params, nm.Name)
				}
			}
			ast.Inspect(fd.Body, func(x ast.Node) bool {
				cl, ok := x.(*ast.CompositeLit)
				if !ok || !isIdent(cl.Type, "Evidence") {
					return true
				}
				b := builder{-1, -1, variadic}
				for _, el := range cl.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if id, ok := kv.Value.(*ast.Ident); ok {
						switch {
						case isIdent(kv.Key, "Signal"):
							b.signal = slices.Index(params, id.Name)
						case isIdent(kv.Key, "Threshold"):
							b.threshold = slices.Index(params, id.Name)
						}
					}
				}
				if b.signal >= 0 {
					builders[fd.Name.Name] = b
				}
				return true
			})
		}
	}
	if _, ok := builders["emit"]; !ok {
		t.Fatalf("no function building Evidence from its signal parameter found (emit): the scan no longer reads fourcuts right")
	}

	// Each function: its assignments, then the names in it.
	for _, f := range files {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			assigns := map[string][]ast.Expr{}
			ast.Inspect(fd.Body, func(x ast.Node) bool {
				switch s := x.(type) {
				case *ast.AssignStmt:
					if len(s.Lhs) != len(s.Rhs) {
						return true
					}
					for i, l := range s.Lhs {
						if ix, ok := l.(*ast.IndexExpr); ok {
							l = ix.X
						}
						if id, ok := l.(*ast.Ident); ok {
							assigns[id.Name] = append(assigns[id.Name], s.Rhs[i])
						}
					}
				case *ast.ValueSpec:
					for i, nm := range s.Names {
						if i < len(s.Values) {
							assigns[nm.Name] = append(assigns[nm.Name], s.Values[i])
						}
					}
				}
				return true
			})
			r := &resolver{assigns: assigns, pkg: pkgStrings}
			addSignals := func(e ast.Expr, emitted bool) {
				_, concat := ast.Unparen(e).(*ast.BinaryExpr)
				for _, s := range r.strings(e) {
					// a name built by concatenation is one of the documented
					// ones it can spell (line_intel_ + an address kind)
					if s != "" && (!concat || n.documented[s]) {
						n.signals[s] = pos(e)
						if emitted {
							n.emitted[s] = pos(e)
						}
					}
				}
			}
			addLimits := func(e ast.Expr, into map[string]string) {
				for _, s := range r.strings(e) {
					if s != "" {
						into[s] = pos(e)
					}
				}
			}
			ast.Inspect(fd.Body, func(x ast.Node) bool {
				switch x := x.(type) {
				case *ast.CallExpr:
					name := ""
					switch fn := x.Fun.(type) {
					case *ast.SelectorExpr:
						name = fn.Sel.Name
					case *ast.Ident:
						name = fn.Name
					}
					if name == "hasSignal" && len(x.Args) == 2 {
						addSignals(x.Args[1], false)
					}
					b, ok := builders[name]
					if !ok || len(x.Args) <= b.signal {
						return true
					}
					if _, local := x.Fun.(*ast.Ident); local && assigns[name] != nil {
						return true // a local func of that name (gang.go's emit of findings)
					}
					addSignals(x.Args[b.signal], true)
					if b.threshold >= 0 && b.threshold < len(x.Args) {
						for _, fld := range r.configFields(x.Args[b.threshold], n.config) {
							n.limits[fld] = pos(x.Args[b.threshold])
						}
					}
					if b.limits >= 0 {
						for i := b.limits; i < len(x.Args); i += 2 {
							addLimits(x.Args[i], n.limits)
						}
					}
				case *ast.BinaryExpr:
					// ev.Signal == "…"
					if x.Op == token.EQL || x.Op == token.NEQ {
						for _, pair := range [][2]ast.Expr{{x.X, x.Y}, {x.Y, x.X}} {
							if sel, ok := pair[0].(*ast.SelectorExpr); ok && sel.Sel.Name == "Signal" {
								addSignals(pair[1], false)
							}
						}
					}
				case *ast.IndexExpr:
					// d.off["…"]
					if sel, ok := x.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "off" {
						addSignals(x.Index, false)
					}
				case *ast.CompositeLit:
					if isIdent(x.Type, "Evidence") {
						for _, el := range x.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "Signal") {
								addSignals(kv.Value, true)
							}
						}
					}
				case *ast.KeyValueExpr:
					// Evidence{…, Limits: []Limit{…}, Measures: …}
					if isIdent(x.Key, "Limits") {
						r.limitNames(x.Value, func(e ast.Expr) { addLimits(e, n.limits) })
					}
					if isIdent(x.Key, "Measures") {
						r.limitNames(x.Value, func(e ast.Expr) { addLimits(e, n.measures) })
					}
				}
				return true
			})
			// ev.Limits = …, ev.Measures = append(ev.Measures, Limit{…})
			ast.Inspect(fd.Body, func(x ast.Node) bool {
				as, ok := x.(*ast.AssignStmt)
				if !ok || len(as.Lhs) != len(as.Rhs) {
					return true
				}
				for i, l := range as.Lhs {
					sel, ok := l.(*ast.SelectorExpr)
					if !ok {
						continue
					}
					switch sel.Sel.Name {
					case "Limits":
						r.limitNames(as.Rhs[i], func(e ast.Expr) { addLimits(e, n.limits) })
					case "Measures":
						r.limitNames(as.Rhs[i], func(e ast.Expr) { addLimits(e, n.measures) })
					}
				}
				return true
			})
		}
	}
	return n
}

// resolver reads the string values an expression can have in one function.
type resolver struct {
	assigns map[string][]ast.Expr
	pkg     map[string][]string
	seen    map[string]bool
}

func (r *resolver) strings(e ast.Expr) []string {
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		if s, ok := strLit(e); ok {
			return []string{s}
		}
	case *ast.Ident:
		if rhs, ok := r.assigns[e.Name]; ok {
			if r.seen == nil {
				r.seen = map[string]bool{}
			}
			if r.seen[e.Name] {
				return nil
			}
			r.seen[e.Name] = true
			defer delete(r.seen, e.Name)
			var out []string
			for _, x := range rhs {
				out = append(out, r.strings(x)...)
			}
			return out
		}
		return r.pkg[e.Name]
	case *ast.IndexExpr:
		return r.strings(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return nil
		}
		var out []string
		for _, a := range r.strings(e.X) {
			for _, b := range r.strings(e.Y) {
				out = append(out, a+b)
			}
		}
		return out
	}
	return nil
}

// configFields lists the Config fields (cfg.X, d.cfg.X) an expression
// reads, through the function's assignments to the variables in it.
func (r *resolver) configFields(e ast.Expr, config map[string]bool) []string {
	var out []string
	ast.Inspect(e, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.SelectorExpr:
			if config[x.Sel.Name] && (isIdent(x.X, "cfg") || isSel(x.X, "cfg")) {
				out = append(out, x.Sel.Name)
			}
		case *ast.Ident:
			if rhs, ok := r.assigns[x.Name]; ok {
				if r.seen == nil {
					r.seen = map[string]bool{}
				}
				if !r.seen[x.Name] {
					r.seen[x.Name] = true
					for _, v := range rhs {
						out = append(out, r.configFields(v, config)...)
					}
					delete(r.seen, x.Name)
				}
			}
		}
		return true
	})
	return out
}

// limitNames calls name with the Name of every Limit literal in e
// ([]Limit{{"a", 1}, …}, Limit{Name: "b"}, append(x, Limit{"c", 1})).
func (r *resolver) limitNames(e ast.Expr, name func(ast.Expr)) {
	ast.Inspect(e, func(x ast.Node) bool {
		cl, ok := x.(*ast.CompositeLit)
		if !ok {
			return true
		}
		lit := func(c *ast.CompositeLit) {
			for i, el := range c.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					if isIdent(kv.Key, "Name") {
						name(kv.Value)
					}
				} else if i == 0 {
					name(el)
				}
			}
		}
		switch {
		case isIdent(cl.Type, "Limit"):
			lit(cl)
			return false
		case cl.Type != nil:
			if at, ok := cl.Type.(*ast.ArrayType); ok && isIdent(at.Elt, "Limit") {
				for _, el := range cl.Elts {
					if c, ok := el.(*ast.CompositeLit); ok {
						lit(c)
					}
				}
				return false
			}
		}
		return true
	})
}

func strLit(e ast.Expr) (string, bool) {
	if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
		s, err := strconv.Unquote(b.Value)
		return s, err == nil
	}
	return "", false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isSel(e ast.Expr, name string) bool {
	s, ok := e.(*ast.SelectorExpr)
	return ok && s.Sel.Name == name
}

var (
	// name: { title: '…', meaning: '…', unit: '…' }, one a line
	jsSignal = regexp.MustCompile(`(?m)^\s+([a-z0-9_]+): \{ title: '((?:[^'\\]|\\.)+)', meaning: '((?:[^'\\]|\\.)+)', unit: '((?:[^'\\]|\\.)*)' \},?\s*$`)
	// Name: '…', one a line
	jsLimit = regexp.MustCompile(`(?m)^\s+([A-Za-z0-9_]+): '((?:[^'\\]|\\.)+)',?\s*$`)
)

// signalFile reads the signal and limit keys of one of the i18n signal
// files (src/i18n/<loc>.signals.js) as text.
func signalFile(t *testing.T, loc string) (signals, limits map[string]bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("src", "i18n", loc+".signals.js"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	si := strings.Index(text, "\n  signal: {")
	li := strings.Index(text, "\n  limit: {")
	if si < 0 || li < si {
		t.Fatalf("%s.signals.js: no signal: { … } followed by limit: { … }", loc)
	}
	signals, limits = map[string]bool{}, map[string]bool{}
	for _, m := range jsSignal.FindAllStringSubmatch(text[si:li], -1) {
		if signals[m[1]] {
			t.Errorf("%s.signals.js: signal.%s twice", loc, m[1])
		}
		signals[m[1]] = true
	}
	for _, m := range jsLimit.FindAllStringSubmatch(text[li:], -1) {
		if limits[m[1]] {
			t.Errorf("%s.signals.js: limit.%s twice", loc, m[1])
		}
		limits[m[1]] = true
	}
	// every entry line of the signal block has the shape the regexp reads
	for _, line := range strings.Split(text[si:li], "\n")[2:] {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "//") && l != "}," && !jsSignal.MatchString(line) {
			t.Errorf("%s.signals.js: not a { title, meaning, unit } entry: %s", loc, l)
		}
	}
	return signals, limits
}

// TestSignalsDescribed: every signal the Four Cuts engine can put in a
// finding's evidence, and every threshold (Config field) and measure named
// in it, is described in both src/i18n/zh-CN.signals.js and
// src/i18n/en.signals.js, so the analyst reads words, not codes. Remove an
// entry, or add a signal or a limit to the engine without one, and this
// fails.
func TestSignalsDescribed(t *testing.T) {
	n := fourcutsNames(t)
	// The scan must see what is built indirectly, or it reads the sources wrong.
	for _, must := range []string{"imsi_per_imei", "imsi_per_imei_personal", "holder_cards", "holder_carriers",
		"line_intel_proxy", "line_intel_dialup", "line_intel_idc", "dense_structure", "stranger_phone_chain", "one_way_fanout"} {
		if _, ok := n.emitted[must]; !ok {
			t.Errorf("the scan missed signal %s", must)
		}
	}
	for _, must := range []string{"IMSIPerIMEI", "MaxRounds", "StructureStrangers", "StructureChainPhones", "LifelessShare", "OTPPlatforms", "HolderCarrierCards"} {
		if _, ok := n.limits[must]; !ok {
			t.Errorf("the scan missed limit %s", must)
		}
	}
	for _, must := range []string{"numbers", "phones", "edges", "density", "lift", "log10p", "joined_by_line"} {
		if _, ok := n.measures[must]; !ok {
			t.Errorf("the scan missed measure %s", must)
		}
	}
	if len(n.emitted) < 40 || len(n.documented) < 40 || len(n.limits) < 40 || len(n.measures) < 5 || len(n.config) < 60 {
		t.Fatalf("the scan found only %d signals emitted (%d documented), %d limits, %d measures, %d Config fields",
			len(n.emitted), len(n.documented), len(n.limits), len(n.measures), len(n.config))
	}
	for s, at := range n.signals {
		if !n.documented[s] {
			t.Errorf("signal %q (%s) is not in fourcuts' signals table", s, at)
		}
		if _, ok := n.emitted[s]; !ok {
			t.Errorf("signal %q (%s): the scan found no evidence built with it (it reads the sources wrong, or the signal is dead)", s, at)
		}
	}
	for l, at := range n.limits {
		if !n.config[l] {
			t.Errorf("limit %q (%s) is not a fourcuts.Config field", l, at)
		}
	}
	t.Logf("%d signals (%d emitted), %d limits, %d measures", len(n.signals), len(n.emitted), len(n.limits), len(n.measures))

	for _, loc := range []string{"zh-CN", "en"} {
		signals, limits := signalFile(t, loc)
		for _, s := range sortedKeys(n.signals) {
			if !signals[s] {
				t.Errorf("signal %q (%s) has no signal.%s in src/i18n/%s.signals.js", s, n.signals[s], s, loc)
			}
		}
		for _, m := range []map[string]string{n.limits, n.measures} {
			for _, l := range sortedKeys(m) {
				if !limits[l] {
					t.Errorf("limit or measure %q (%s) has no limit.%s in src/i18n/%s.signals.js", l, m[l], l, loc)
				}
			}
		}
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
