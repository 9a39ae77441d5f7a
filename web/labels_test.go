package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/zhudun/zhudun"
)

// jsList reads the string items of `export const NAME = [...]` in src/constants.js.
func jsList(t *testing.T, name string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("src", "constants.js"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)export const ` + name + ` = \[(.*?)\]`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no %s in constants.js", name)
	}
	out := map[string]bool{}
	for _, s := range regexp.MustCompile(`'([^']*)'`).FindAllSubmatch(m[1], -1) {
		out[string(s[1])] = true
	}
	return out
}

// auditActions finds the audit actions the server writes: literal Action
// fields, the first string argument of the *Changed helpers, the security event
// constants and the exports ("what" + ".export").
func auditActions(t *testing.T) map[string]string {
	t.Helper()
	found := map[string]string{}
	fset := token.NewFileSet()
	lit := func(e ast.Expr) (string, bool) {
		if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
			s, err := strconv.Unquote(b.Value)
			return s, err == nil
		}
		return "", false
	}
	for _, dir := range []string{"..", "../sqlstore", "../httpapi", "../guard", "../cli", "../forward", "../relay", "../dispatch"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(af, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.KeyValueExpr:
					if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Action" {
						if s, ok := lit(n.Value); ok {
							found[s] = fset.Position(n.Pos()).String()
						}
					}
				case *ast.CallExpr:
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && len(n.Args) > 0 {
						if strings.HasSuffix(sel.Sel.Name, "Changed") {
							// The action is the first string argument (after ctx, where given).
							for _, a := range n.Args[:min(2, len(n.Args))] {
								if s, ok := lit(a); ok {
									found[s] = fset.Position(n.Pos()).String()
									break
								}
							}
						}
						if sel.Sel.Name == "export" && len(n.Args) > 2 {
							if s, ok := lit(n.Args[2]); ok {
								found[s+".export"] = fset.Position(n.Pos()).String()
							}
						}
					}
				case *ast.ValueSpec:
					for i, name := range n.Names {
						if strings.HasPrefix(name.Name, "Sec") && i < len(n.Values) {
							if s, ok := lit(n.Values[i]); ok && strings.HasPrefix(s, "security.") {
								found[s] = fset.Position(n.Pos()).String()
							}
						}
					}
				}
				return true
			})
		}
	}
	return found
}

// TestAuditActionsLabelled: every audit action the server writes is in the
// UI's AUDIT_ACTIONS (whose labels in both languages the i18n test checks),
// so the audit page never shows a bare code. Remove one from the list, or
// add an action to the server without it, and this fails.
func TestAuditActionsLabelled(t *testing.T) {
	listed := jsList(t, "AUDIT_ACTIONS")
	found := auditActions(t)
	for _, must := range []string{"auth.login", "pii.search", "pii.search_locked", "security.lockout", "incident.import", "audit.export", "user.must_change"} {
		if _, ok := found[must]; !ok {
			t.Errorf("the scan missed %s: it no longer reads the sources right", must)
		}
	}
	for a, at := range found {
		if strings.HasPrefix(a, "test.") {
			continue
		}
		if !listed[a] {
			t.Errorf("audit action %q (%s) is not in AUDIT_ACTIONS of src/constants.js", a, at)
		}
	}
}

// TestPermissionsLabelled: every permission's area and action has a label
// family in the UI (PERM_AREAS, PERM_ACTIONS), so "pii:search" reads as
// words in both languages.
func TestPermissionsLabelled(t *testing.T) {
	areas, actions := jsList(t, "PERM_AREAS"), jsList(t, "PERM_ACTIONS")
	for _, p := range zhudun.AllPermissions() {
		a, x, _ := strings.Cut(string(p), ":")
		if !areas[a] || !actions[x] {
			t.Errorf("permission %s: area %q listed %v, action %q listed %v", p, a, areas[a], x, actions[x])
		}
	}
}
