package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/zhudun/zhudun/sqlstore"
)

// runReport is the reports' maintenance: verify-rollup derives the cyber
// report's rollup again from the cases and compares it with the stored one
// (docs/cases.md "Scale"); --repair replaces a rollup that differs. It
// exits non-zero when the rollup differs and was not repaired.
func runReport(ctx context.Context, e *env, args []string) error {
	return sub(ctx, e, "report", args, map[string]func(context.Context, *env, []string) error{
		"verify-rollup": func(ctx context.Context, e *env, args []string) error {
			var repair bool
			return withStore(ctx, e, "report verify-rollup", args, func(fs *flag.FlagSet) {
				fs.BoolVar(&repair, "repair", false, "replace a rollup that differs by the one derived from the cases (audited report.rollup.repair)")
			}, func(ctx context.Context, s *sqlstore.Store, _ *Config) error {
				rc, err := s.CheckCyberRollup(ctx, repair)
				if err != nil {
					return err
				}
				if rc.Extra == 0 && rc.Missing == 0 {
					fmt.Fprintf(e.stdout, "cyber rollup OK: %d rows, as derived from the cases\n", rc.Stored)
					return nil
				}
				fmt.Fprintf(e.stdout, "cyber rollup DIFFERS: %d rows stored, %d derived; %d only stored, %d only derived\n", rc.Stored, rc.Derived, rc.Extra, rc.Missing)
				for _, r := range rc.ExtraRows {
					fmt.Fprintln(e.stdout, "  only stored: ", r)
				}
				for _, r := range rc.MissingRows {
					fmt.Fprintln(e.stdout, "  only derived:", r)
				}
				if rc.Repaired {
					fmt.Fprintln(e.stdout, "repaired: the stored rollup is now the derived one")
					return nil
				}
				return fmt.Errorf("the cyber rollup differs from the cases: run again with --repair")
			})
		},
	})
}
