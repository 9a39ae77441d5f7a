package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/sqlstore"
)

// runSource manages the sources that push events. Like the other
// installer commands it writes the database only, so it runs beside a
// server; a key it prints is shown once, alone on the last line.
func runSource(ctx context.Context, e *env, args []string) error {
	printKey := func(src *zhudun.Source, key, what string) {
		fmt.Fprintf(e.stdout, "source %s (%s %s, %s) %s; types %s\n", src.Name, src.Kind, src.Binding, src.DeptCode, what, strings.Join(src.Types, ","))
		fmt.Fprintln(e.stdout, "API key (shown once; it is stored only as a hash):")
		fmt.Fprintln(e.stdout, key)
	}
	var name string
	nameFlag := func(fs *flag.FlagSet) { fs.StringVar(&name, "name", "", "source name") }
	return sub(ctx, e, "source", args, map[string]func(context.Context, *env, []string) error{
		"add": func(ctx context.Context, e *env, args []string) error {
			var kind, dept, types, network, platform string
			return withStore(ctx, e, "source add", args, func(fs *flag.FlagSet) {
				nameFlag(fs)
				fs.StringVar(&kind, "kind", "", "carrier, platform or open311")
				fs.StringVar(&dept, "dept", zhudun.RootDeptCode, "department the source belongs to")
				fs.StringVar(&network, "network", "", "a carrier's network code, as its sim events' carrier (default: the name)")
				fs.StringVar(&platform, "platform", "", "a platform's name, as its reg events' platform (default: the name)")
				fs.StringVar(&types, "types", "", "event types it may send, comma-separated (default: carrier sim,sms,cdr,ip; platform reg,ip)")
			}, func(ctx context.Context, s *sqlstore.Store, _ *Config) error {
				if network != "" && platform != "" {
					return zhudun.FieldError("network", "a source is bound to a network or a platform, not both")
				}
				if (network != "" && kind != zhudun.SourceCarrier) || (platform != "" && kind != zhudun.SourcePlatform) {
					return zhudun.FieldError("network", "--network is a carrier's, --platform a platform's")
				}
				n := zhudun.NewSource{Name: name, Kind: kind, Binding: network + platform, DeptCode: dept}
				for _, t := range strings.Split(types, ",") {
					if t = strings.TrimSpace(t); t != "" {
						n.Types = append(n.Types, t)
					}
				}
				src, key, err := s.CreateSource(ctx, n)
				if err != nil {
					return err
				}
				printKey(src, key, "added")
				return nil
			})
		},
		"list": func(ctx context.Context, e *env, args []string) error {
			return withStore(ctx, e, "source list", args, nil, func(ctx context.Context, s *sqlstore.Store, _ *Config) error {
				list, err := s.FindSources(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tKIND\tDEPT\tTYPES\tDISABLED\tCREATED")
				for _, src := range list {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\n", src.Name, src.Kind, src.DeptCode, strings.Join(src.Types, ","), src.Disabled, src.CreatedAt.Format("2006-01-02 15:04"))
				}
				return tw.Flush()
			})
		},
		"disable": func(ctx context.Context, e *env, args []string) error {
			return withStore(ctx, e, "source disable", args, nameFlag, func(ctx context.Context, s *sqlstore.Store, _ *Config) error {
				src, err := s.DisableSource(ctx, name)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "source %s disabled: its key is refused\n", src.Name)
				return nil
			})
		},
		"rotate": func(ctx context.Context, e *env, args []string) error {
			return withStore(ctx, e, "source rotate", args, nameFlag, func(ctx context.Context, s *sqlstore.Store, _ *Config) error {
				src, key, err := s.RotateSourceKey(ctx, name)
				if err != nil {
					return err
				}
				printKey(src, key, "has a new key (the old one is refused)")
				return nil
			})
		},
	})
}
