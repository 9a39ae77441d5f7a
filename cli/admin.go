package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/blobfs"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/password"
	"github.com/zhudun/zhudun/sqlite"
	"github.com/zhudun/zhudun/sqlstore"
)

// sub runs a subcommand of a command group.
func sub(ctx context.Context, e *env, group string, args []string, subs map[string]func(context.Context, *env, []string) error) error {
	if len(args) == 0 || subs[args[0]] == nil {
		var names []string
		for n := range subs {
			names = append(names, n)
		}
		slices.Sort(names)
		return fmt.Errorf("usage: zhudun %s <%s> [flags]", group, strings.Join(names, "|"))
	}
	return subs[args[0]](ctx, e, args[1:])
}

// keyed lists the commands that handle keys or move the audit trail: they
// refuse to run for a user who cannot read the keyring (see
// requireKeyringReader), before anything is opened.
var keyed = map[string]bool{"audit archive": true, "keys rotate": true, "keys retire": true, "backup": true}

// withStore parses flags, opens the store and runs fn as the installer.
func withStore(ctx context.Context, e *env, name string, args []string, def func(fs *flag.FlagSet), fn func(ctx context.Context, s *sqlstore.Store, cfg *Config) error) error {
	var cfg Config
	fs := flags(e, name, &cfg)
	if def != nil {
		def(fs)
	}
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	if keyed[name] {
		if err := requireKeyringReader(&cfg); err != nil {
			return err
		}
	}
	log := newLogger(e, &cfg)
	s, _, err := openStore(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(installer(ctx), s, &cfg)
}

func runDept(ctx context.Context, e *env, args []string) error {
	return sub(ctx, e, "dept", args, map[string]func(context.Context, *env, []string) error{
		"add": func(ctx context.Context, e *env, args []string) error {
			var code, name, parent, kind string
			return withStore(ctx, e, "dept add", args, func(fs *flag.FlagSet) {
				fs.StringVar(&code, "code", "", "department code (A–Z, 0–9, _ and -)")
				fs.StringVar(&name, "name", "", "department name")
				fs.StringVar(&parent, "parent", zhudun.RootDeptCode, "parent department code")
				fs.StringVar(&kind, "kind", "", "bureau, subbureau, division, station (default) or squad")
			}, func(ctx context.Context, s *sqlstore.Store, _ *Config) error {
				d := &zhudun.Dept{Code: code, Name: name, ParentCode: parent, Kind: kind}
				if err := s.CreateDept(ctx, d); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "department %s (%s) added under %s\n", d.Code, d.Name, d.ParentCode)
				return nil
			})
		},
		"list": func(ctx context.Context, e *env, args []string) error {
			return withStore(ctx, e, "dept list", args, nil, func(ctx context.Context, s *sqlstore.Store, _ *Config) error {
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "CODE\tNAME\tKIND\tPARENT\tDISABLED")
				for off := 0; ; off += 500 {
					ds, _, err := s.FindDepts(ctx, zhudun.DeptFilter{Offset: off, Limit: 500})
					if err != nil {
						return err
					}
					for _, d := range ds {
						depth := strings.Count(d.Path, "/") - 2
						fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\t%v\n", strings.Repeat("  ", depth), d.Code, d.Name, d.Kind, d.ParentCode, d.Disabled)
					}
					if len(ds) < 500 {
						break
					}
				}
				return tw.Flush()
			})
		},
	})
}

// readPassword reads one line from r.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("no password on standard input")
	}
	return line, nil
}

func findUser(ctx context.Context, s *sqlstore.Store, username string) (*zhudun.User, error) {
	us, _, err := s.FindUsers(ctx, zhudun.UserFilter{Username: username, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(us) == 0 {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "user %s not found", username)
	}
	return us[0], nil
}

func runUser(ctx context.Context, e *env, args []string) error {
	return sub(ctx, e, "user", args, map[string]func(context.Context, *env, []string) error{
		"add": func(ctx context.Context, e *env, args []string) error {
			var username, name, dept, roles string
			var stdin bool
			return withStore(ctx, e, "user add", args, func(fs *flag.FlagSet) {
				fs.StringVar(&username, "username", "", "login name")
				fs.StringVar(&name, "name", "", "display name")
				fs.StringVar(&dept, "dept", zhudun.RootDeptCode, "department code")
				fs.StringVar(&roles, "role", "", "role ids, comma-separated (sysadmin, secadmin, auditadmin, officer, dispatcher, commander, analyst)")
				fs.BoolVar(&stdin, "password-stdin", false, "read the password from the first line of standard input (it is the user's own: no change required)")
			}, func(ctx context.Context, s *sqlstore.Store, _ *Config) error {
				nu := zhudun.NewUser{Username: username, Name: name, DeptCode: dept}
				for _, r := range strings.Split(roles, ",") {
					if r = strings.TrimSpace(r); r != "" {
						nu.Roles = append(nu.Roles, r)
					}
				}
				generated := false
				if stdin {
					pw, err := readPassword(e.stdin)
					if err != nil {
						return err
					}
					nu.Password, nu.Own = pw, true
				} else {
					nu.Password, generated = password.GenerateFor(username), true
				}
				u, err := s.CreateUser(ctx, nu)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "user %s added in %s with roles [%s]\n", u.Username, u.DeptCode, strings.Join(u.Roles, ","))
				if generated {
					fmt.Fprintf(e.stdout, "initial password (shown once; must be changed at first login): %s\n", nu.Password)
				}
				return nil
			})
		},
		"passwd": func(ctx context.Context, e *env, args []string) error {
			var username string
			var stdin bool
			return withStore(ctx, e, "user passwd", args, func(fs *flag.FlagSet) {
				fs.StringVar(&username, "username", "", "login name")
				fs.BoolVar(&stdin, "password-stdin", false, "read the new password from standard input (else one is generated, to be changed at first login)")
			}, func(ctx context.Context, s *sqlstore.Store, _ *Config) error {
				u, err := findUser(ctx, s, username)
				if err != nil {
					return err
				}
				if stdin {
					pw, err := readPassword(e.stdin)
					if err != nil {
						return err
					}
					if err := s.ResetPassword(ctx, u.ID, pw); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "password of %s set; lockout cleared\n", u.Username)
					return nil
				}
				pw := password.GenerateFor(u.Username)
				if err := s.ResetPassword(ctx, u.ID, pw); err != nil {
					return err
				}
				// A generated password is the administrator's, not the user's.
				if err := s.RequirePasswordChange(ctx, u.ID); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "temporary password of %s (shown once; must be changed at next login): %s\n", u.Username, pw)
				return nil
			})
		},
		"disable": func(ctx context.Context, e *env, args []string) error {
			var username string
			var enable bool
			return withStore(ctx, e, "user disable", args, func(fs *flag.FlagSet) {
				fs.StringVar(&username, "username", "", "login name")
				fs.BoolVar(&enable, "enable", false, "enable the account again instead")
			}, func(ctx context.Context, s *sqlstore.Store, _ *Config) error {
				u, err := findUser(ctx, s, username)
				if err != nil {
					return err
				}
				dis := !enable
				if _, err := s.UpdateUser(ctx, u.ID, zhudun.UserUpdate{Disabled: &dis}); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "user %s disabled=%v; its sessions are ended\n", u.Username, dis)
				return nil
			})
		},
		"list": func(ctx context.Context, e *env, args []string) error {
			var dept string
			return withStore(ctx, e, "user list", args, func(fs *flag.FlagSet) {
				fs.StringVar(&dept, "dept", "", "only this department and below")
			}, func(ctx context.Context, s *sqlstore.Store, _ *Config) error {
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "USERNAME\tNAME\tDEPT\tROLES\tDISABLED\tLOCKED")
				for off := 0; ; off += 500 {
					us, _, err := s.FindUsers(ctx, zhudun.UserFilter{Under: dept, Offset: off, Limit: 500})
					if err != nil {
						return err
					}
					for _, u := range us {
						locked := u.LockedUntil != nil && u.LockedUntil.After(time.Now())
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%v\n", u.Username, u.Name, u.DeptCode, strings.Join(u.Roles, ","), u.Disabled, locked)
					}
					if len(us) < 500 {
						break
					}
				}
				return tw.Flush()
			})
		},
	})
}

func runAudit(ctx context.Context, e *env, args []string) error {
	return sub(ctx, e, "audit", args, map[string]func(context.Context, *env, []string) error{
		"verify": func(ctx context.Context, e *env, args []string) error {
			var archive string
			return withStore(ctx, e, "audit verify", args, func(fs *flag.FlagSet) {
				fs.StringVar(&archive, "archive", "", "verify an archive file written by 'zhudun audit archive' instead")
			}, func(ctx context.Context, s *sqlstore.Store, cfg *Config) error {
				if archive != "" {
					f, err := os.Open(archive)
					if err != nil {
						return err
					}
					defer f.Close()
					rep, err := s.VerifyAuditArchive(ctx, f)
					if err != nil {
						return err
					}
					return report(e, "archive "+archive, rep)
				}
				rep, err := s.VerifyAudit(ctx)
				if err != nil {
					return err
				}
				return report(e, "audit log", rep)
			})
		},
		"archive": func(ctx context.Context, e *env, args []string) error {
			var before, out string
			return withStore(ctx, e, "audit archive", args, func(fs *flag.FlagSet) {
				fs.StringVar(&before, "before", "", "archive rows older than this date (YYYY-MM-DD, Asia/Shanghai); at least 6 months ago")
				fs.StringVar(&out, "out", "", "archive file to write (JSON lines)")
			}, func(ctx context.Context, s *sqlstore.Store, _ *Config) error {
				t, err := time.ParseInLocation("2006-01-02", before, zhudun.CST())
				if err != nil {
					return fmt.Errorf("--before: want YYYY-MM-DD")
				}
				if out == "" {
					return fmt.Errorf("--out is required")
				}
				f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
				if err != nil {
					return err
				}
				n, err := s.ArchiveAudit(ctx, t, f)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					os.Remove(out)
					return err
				}
				fmt.Fprintf(e.stdout, "archived %d audit rows to %s; verify it with: zhudun audit verify --archive %s\n", n, out, out)
				return nil
			})
		},
	})
}

func report(e *env, what string, rep *zhudun.AuditReport) error {
	if rep.OK {
		fmt.Fprintf(e.stdout, "%s OK: %d rows (seq %d–%d), head %s\n", what, rep.Rows, rep.FirstSeq, rep.LastSeq, rep.HeadHash)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s FAILED at row %d: %s\n", what, rep.Problem.Seq, rep.Problem.Reason)
	return exitError(1)
}

func runBackup(ctx context.Context, e *env, args []string) error {
	var out, keysOut string
	return withStore(ctx, e, "backup", args, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "backup file to write: the database, encrypted with SM4-GCM under the keyring's backup key")
		fs.StringVar(&keysOut, "keys-out", "", "also write the keyring to this file (mode 0600), which must not be in the backup's directory")
	}, func(ctx context.Context, s *sqlstore.Store, cfg *Config) error {
		if out == "" {
			return fmt.Errorf("--out is required")
		}
		if keysOut != "" && sameDir(keysOut, out) {
			return fmt.Errorf("--keys-out must not be in the backup's directory: a backup and its key kept together protect nothing")
		}
		if _, err := os.Stat(out); err == nil {
			return fmt.Errorf("%s exists; refusing to overwrite", out)
		}
		kr, err := loadKeys(cfg, newLogger(e, cfg))
		if err != nil {
			return err
		}
		// The clear copy lives only in a private directory next to the
		// output, for as long as it takes to check and encrypt it.
		tmp, err := os.MkdirTemp(filepath.Dir(out), ".zhudun-backup-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		plain := filepath.Join(tmp, "zhudun.db")
		if err := s.Backup(ctx, plain); err != nil {
			return err
		}
		rows, err := verifyDatabase(ctx, plain, kr)
		if err != nil {
			return fmt.Errorf("backup copy: %w", err)
		}
		if err := encryptFile(kr, plain, out); err != nil {
			os.Remove(out)
			return err
		}
		// Prove the encrypted file: it decrypts to exactly the checked copy.
		if err := sameAfterDecrypt(kr, out, plain); err != nil {
			os.Remove(out)
			return err
		}
		fmt.Fprintf(e.stdout, "backup written to %s (encrypted SM4-GCM, backup key v%d; integrity ok, audit chain ok: %d rows)\n",
			out, kr.ActiveKeyID(gmcrypto.PurposeBackup), rows)
		n, err := backupAttachments(ctx, kr, plain, cfg, out+".attachments")
		if err != nil {
			return err
		}
		if n > 0 {
			fmt.Fprintf(e.stdout, "attachments: %d copied to %s.attachments (each still encrypted under its own key; decrypted and SM3-checked there)\n", n, out)
		}
		if keysOut != "" {
			if err := kr.Save(keysOut); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "keyring written to %s — keep it apart from the backup\n", keysOut)
		}
		return nil
	})
}

func runRestore(ctx context.Context, e *env, args []string) error {
	var cfg Config
	var from string
	fs := flags(e, "restore", &cfg)
	fs.StringVar(&from, "from", "", "encrypted backup file written by 'zhudun backup'")
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	if from == "" {
		return fmt.Errorf("--from is required")
	}
	if cfg.DB != "" {
		return fmt.Errorf("restore writes the SQLite database of the data directory; PostgreSQL is restored with its own tools")
	}
	if err := requireKeyringReader(&cfg); err != nil {
		return fmt.Errorf("restore needs the keyring the backup was made with: %w", err)
	}
	lock, err := lockData(cfg.Data)
	if err != nil {
		return err
	}
	defer lock.release()
	dst := cfg.sqlitePath()
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s exists: restore only into a data directory without a database", dst)
	}
	kr, err := loadKeys(&cfg, newLogger(e, &cfg))
	if err != nil {
		return err
	}
	tmp := dst + ".restoring"
	os.Remove(tmp)
	defer os.Remove(tmp)
	if err := decryptFile(kr, from, tmp); err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	rows, err := verifyDatabase(installer(ctx), tmp, kr)
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	// The attachments beside the backup go into the data directory's
	// attachments, checked there, before the database is in place.
	names, err := attachmentBlobs(installer(ctx), kr, tmp)
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	nAtt := 0
	if len(names) > 0 {
		src := from + ".attachments"
		if _, err := os.Stat(src); err != nil {
			return fmt.Errorf("the backup's database holds %d attachments but %s is missing: restore it beside the backup first", len(names), src)
		}
		to, err := cfg.openBlobs(ctx)
		if err != nil {
			return err
		}
		fromBlobs, err := blobfs.New(src)
		if err != nil {
			return err
		}
		// A blob the store holds already (a bucket that outlived the
		// database) is kept when it passes the check below.
		if err := copyBlobs(installer(ctx), fromBlobs, to, names, true); err != nil {
			return fmt.Errorf("attachments: %w", err)
		}
		if nAtt, err = checkAttachments(installer(ctx), kr, tmp, to); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	// The data directory's audit witness starts at the restored head.
	s, _, err := openStore(ctx, &cfg, newLogger(e, &cfg))
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.WitnessCurrentHead(installer(ctx)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s into %s (integrity ok, audit chain ok: %d rows)\n", from, dst, rows)
	if nAtt > 0 {
		fmt.Fprintf(e.stdout, "attachments: %d restored into %s, each decrypted and SM3-checked\n", nAtt, cfg.blobsWhere())
	}
	return nil
}

// backupAttachments copies the blobs of the live attachments the database
// copy at db names from the configured store (the attachments directory or
// the S3 bucket) into the directory dst (created
// only when there are some), then checks every one there as a download
// would: its key from the copy opens it and its SM3 digest matches. The
// blobs are already encrypted, each under its own key sealed in the
// database, so the copy holds nothing in clear. Any missing or failing
// blob fails the backup, named by attachment and case id.
func backupAttachments(ctx context.Context, kr *gmcrypto.Keyring, db string, cfg *Config, dst string) (int, error) {
	names, err := attachmentBlobs(ctx, kr, db)
	if err != nil || len(names) == 0 {
		return 0, err
	}
	from, err := cfg.openBlobs(ctx)
	if err != nil {
		return 0, err
	}
	if _, err := os.Stat(dst); err == nil {
		return 0, fmt.Errorf("%s exists; refusing to overwrite", dst)
	}
	to, err := blobfs.New(dst)
	if err != nil {
		return 0, err
	}
	if err := copyBlobs(ctx, from, to, names, false); err != nil {
		return 0, fmt.Errorf("attachments: %w", err)
	}
	return checkAttachments(ctx, kr, db, to)
}

// attachmentBlobs lists the live attachments' blobs of the SQLite file db.
func attachmentBlobs(ctx context.Context, kr *gmcrypto.Keyring, db string) ([]string, error) {
	s, err := sqlite.Open(ctx, db, sqlstore.Options{Keys: kr})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.AttachmentBlobs(ctx)
}

// copyBlobs copies the named blobs; a blob missing from from is an error,
// and so is one to holds already unless keep (the caller checks it).
func copyBlobs(ctx context.Context, from, to zhudun.BlobStore, names []string, keep bool) error {
	for _, n := range names {
		r, err := from.Open(ctx, n)
		if err != nil {
			return fmt.Errorf("blob %s: %w", n, err)
		}
		err = to.Put(ctx, n, r)
		r.Close()
		if keep && zhudun.ErrorCode(err) == zhudun.ECONFLICT {
			continue
		}
		if err != nil {
			return fmt.Errorf("blob %s: %w", n, err)
		}
	}
	return nil
}

// checkAttachments verifies every live attachment of the SQLite file db
// against the blobs in blobs.
func checkAttachments(ctx context.Context, kr *gmcrypto.Keyring, db string, blobs zhudun.BlobStore) (int, error) {
	s, err := sqlite.Open(ctx, db, sqlstore.Options{Keys: kr, Blobs: blobs})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	n, problems, err := s.VerifyAttachments(ctx)
	if err != nil {
		return 0, err
	}
	if len(problems) > 0 {
		return n, fmt.Errorf("%d of %d attachments fail their check: %s", len(problems), n, strings.Join(problems[:min(len(problems), 5)], "; "))
	}
	return n, nil
}

// verifyDatabase opens the SQLite file at path and checks that SQLite finds
// it intact and that its audit chain verifies; it returns the audit rows.
func verifyDatabase(ctx context.Context, path string, kr *gmcrypto.Keyring) (int64, error) {
	b, err := sqlite.Open(ctx, path, sqlstore.Options{Keys: kr})
	if err != nil {
		return 0, fmt.Errorf("does not open: %w", err)
	}
	defer b.Close()
	var ok string
	if err := b.DB().QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		return 0, fmt.Errorf("integrity check: %v %s", err, ok)
	}
	rep, err := b.VerifyAudit(ctx)
	if err != nil {
		return 0, err
	}
	if !rep.OK {
		return 0, fmt.Errorf("audit chain does not verify: row %d %s", rep.Problem.Seq, rep.Problem.Reason)
	}
	return int64(rep.Rows), nil
}

func encryptFile(kr *gmcrypto.Keyring, from, to string) error {
	return transformFile(from, to, func(w io.Writer, r io.Reader) error { return kr.EncryptBackup(w, r) })
}

func decryptFile(kr *gmcrypto.Keyring, from, to string) error {
	return transformFile(from, to, func(w io.Writer, r io.Reader) error { return kr.DecryptBackup(w, bufio.NewReaderSize(r, 1<<20)) })
}

// transformFile writes f(from) to a new 0600 file to, synced to disk before
// it returns, so that a backup or a restored database is whole once renamed.
func transformFile(from, to string, f func(io.Writer, io.Reader) error) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	err = f(bw, in)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// sameAfterDecrypt checks that the encrypted file enc decrypts to the
// bytes of plain.
func sameAfterDecrypt(kr *gmcrypto.Keyring, enc, plain string) error {
	f, err := os.Open(enc)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if err := kr.DecryptBackup(h, bufio.NewReader(f)); err != nil {
		return fmt.Errorf("encrypted backup does not decrypt: %w", err)
	}
	p, err := os.Open(plain)
	if err != nil {
		return err
	}
	defer p.Close()
	h2 := sha256.New()
	if _, err := io.Copy(h2, p); err != nil {
		return err
	}
	if !bytes.Equal(h.Sum(nil), h2.Sum(nil)) {
		return fmt.Errorf("encrypted backup does not decrypt to the copy it was made from")
	}
	return nil
}

func sameDir(a, b string) bool {
	da, err1 := filepath.Abs(filepath.Dir(a))
	db, err2 := filepath.Abs(filepath.Dir(b))
	return err1 == nil && err2 == nil && da == db
}

func runKeys(ctx context.Context, e *env, args []string) error {
	return sub(ctx, e, "keys", args, map[string]func(context.Context, *env, []string) error{
		"retire": runKeysRetire,
		"rotate": func(ctx context.Context, e *env, args []string) error {
			var purpose string
			return withStore(ctx, e, "keys rotate", args, func(fs *flag.FlagSet) {
				fs.StringVar(&purpose, "purpose", "pii", "pii (SM4 data key), index (HMAC-SM3 blind index), audit (anchor key), bus (event tags and seals), backup (backup encryption) or all")
			}, func(ctx context.Context, s *sqlstore.Store, cfg *Config) error {
				if cfg.KeyringJSON != "" {
					return fmt.Errorf("the keyring is given inline (ZHUDUN_KEYRING): rotate it in your secret store, then run 'zhudun keys rotate --purpose none'")
				}
				path := cfg.keyringPath()
				kr, err := gmcrypto.Load(path)
				if err != nil {
					return err
				}
				var ps []string
				switch purpose {
				case "all":
					ps = []string{gmcrypto.PurposePII, gmcrypto.PurposeIndex, gmcrypto.PurposeAudit, gmcrypto.PurposeBus, gmcrypto.PurposeBackup}
				case "none":
				case gmcrypto.PurposePII, gmcrypto.PurposeIndex, gmcrypto.PurposeAudit, gmcrypto.PurposeBus, gmcrypto.PurposeBackup:
					ps = []string{purpose}
				default:
					return fmt.Errorf("--purpose must be pii, index, audit, bus, backup, all or none")
				}
				for _, p := range ps {
					id, err := kr.Rotate(p)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "%s key v%d added\n", p, id)
				}
				// Old keys stay in the ring, so data sealed under them still
				// opens if re-encryption is interrupted.
				if err := kr.Save(path); err != nil {
					return err
				}
				s2, _, err := openStore(ctx, cfg, newLogger(e, cfg))
				if err != nil {
					return err
				}
				defer s2.Close()
				n, err := s2.RekeyPII(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "re-encrypted and re-indexed personal data of %d users; restart the server to use the new keys\n", n)
				return nil
			})
		},
	})
}

// runKeysRetire removes a key from the keyring file once nothing needs it:
// for pii keys, no value in the database is sealed under it (zhudun purge
// and keys rotate re-seal what is); bus keys may go once every instance
// runs with the newer key; backup keys only with --force, since backups
// made under them can no longer be restored. Index and audit keys are not
// retired: blind indexes do not record their key, and audit anchors and
// archives must verify for as long as they are kept.
func runKeysRetire(ctx context.Context, e *env, args []string) error {
	var purpose string
	var id int
	var force bool
	return withStore(ctx, e, "keys retire", args, func(fs *flag.FlagSet) {
		fs.StringVar(&purpose, "purpose", "", "pii, bus or backup")
		fs.IntVar(&id, "id", 0, "key id to remove (the v<id> in sealed values)")
		fs.BoolVar(&force, "force", false, "for a backup key: accept that backups made under it can no longer be restored")
	}, func(ctx context.Context, s *sqlstore.Store, cfg *Config) error {
		if cfg.KeyringJSON != "" {
			return fmt.Errorf("the keyring is given inline (ZHUDUN_KEYRING): remove the key in your secret store, after checking with a keyring file that it is retirable")
		}
		switch purpose {
		case gmcrypto.PurposePII, gmcrypto.PurposeBus:
		case gmcrypto.PurposeBackup:
			if !force {
				return fmt.Errorf("backups encrypted under backup key v%d could no longer be restored: give --force once none is kept", id)
			}
		case gmcrypto.PurposeIndex, gmcrypto.PurposeAudit:
			return fmt.Errorf("%s keys are not retired: %s", purpose, map[string]string{
				gmcrypto.PurposeIndex: "blind indexes do not record their key, so nothing proves an old one unused",
				gmcrypto.PurposeAudit: "audit anchors and archives signed under them must verify for as long as they are kept"}[purpose])
		default:
			return fmt.Errorf("--purpose must be pii, bus or backup")
		}
		path := cfg.keyringPath()
		kr, err := gmcrypto.Load(path)
		if err != nil {
			return err
		}
		if purpose == gmcrypto.PurposePII {
			use, err := s.KeyUsage(ctx)
			if err != nil {
				return err
			}
			if n := use[id]; n > 0 {
				return zhudun.Errorf(zhudun.ECONFLICT, "%d values are still sealed under pii key v%d: run 'zhudun purge' or 'zhudun keys rotate --purpose none' to re-seal them first", n, id)
			}
		}
		if err := kr.Retire(purpose, id); err != nil {
			return err
		}
		if err := kr.Save(path); err != nil {
			return err
		}
		if err := s.Record(ctx, &zhudun.AuditEntry{Action: "keys.retire", ObjectType: "key", ObjectID: fmt.Sprintf("%s/v%d", purpose, id), Result: "success"}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s key v%d removed from %s; restart the servers, and copy the keyring wherever it is shared\n", purpose, id, path)
		return nil
	})
}
