// Command vulndbfilter copies the OSV entries of golang.org/x/vulndb's
// data/osv that concern the given modules (and the Go standard library and
// toolchain) into a directory, for scripts/vulndb.sh to index into the
// snapshot under testdata/vulndb.
//
//	vulndbfilter -osv DIR -out DIR -modules FILE
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	osvDir := flag.String("osv", "", "data/osv of golang.org/x/vulndb")
	out := flag.String("out", "", "directory to copy the matching entries to")
	mods := flag.String("modules", "", "file of module paths, one per line")
	flag.Parse()
	if err := run(*osvDir, *out, *mods); err != nil {
		fmt.Fprintln(os.Stderr, "vulndbfilter:", err)
		os.Exit(1)
	}
}

func run(osvDir, out, modsFile string) error {
	want := map[string]bool{"stdlib": true, "toolchain": true}
	f, err := os.Open(modsFile)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := strings.TrimSpace(sc.Text()); m != "" {
			want[m] = true
		}
	}
	f.Close()
	if err := sc.Err(); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(osvDir, "*.json"))
	if err != nil {
		return err
	}
	kept := 0
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var e struct {
			Affected []struct {
				Package struct{ Name string } `json:"package"`
			} `json:"affected"`
		}
		if err := json.Unmarshal(b, &e); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, a := range e.Affected {
			if want[a.Package.Name] {
				if err := os.WriteFile(filepath.Join(out, filepath.Base(p)), b, 0o644); err != nil {
					return err
				}
				kept++
				break
			}
		}
	}
	fmt.Fprintf(os.Stderr, "vulndbfilter: %d of %d entries concern these modules\n", kept, len(files))
	return nil
}
