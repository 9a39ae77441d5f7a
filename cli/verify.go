package cli

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/zhudun/zhudun/web"
)

// UIDigest is web.Digest of the UI the release was built with, set by
// `make release` (-ldflags "-X github.com/zhudun/zhudun/cli.UIDigest=…");
// empty in development builds.
var UIDigest = ""

// Outcomes of an installation check.
const (
	checkOK   = "ok"
	checkWarn = "warn" // worth an operator's look; serve starts anyway
	checkFail = "fail" // the installation is not trustworthy as it stands
)

type installCheck struct {
	name, status, detail string
}

// verifyInstall checks what a level-3 assessor calls 可信验证 of the
// installation: the binary against its published SHA-256 sums, the embedded
// UI against the digest recorded at release, and the keyring file's
// ownership and permissions. sums is the SHA256SUMS file to check against
// ("" for the one beside the executable).
func verifyInstall(cfg *Config, sums string) []installCheck {
	return []installCheck{checkBinary(sums), checkUI(web.Digest, UIDigest), checkKeyring(cfg)}
}

func checkBinary(sums string) installCheck {
	c := installCheck{name: "binary"}
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return installCheck{c.name, checkWarn, "cannot find the running executable: " + err.Error()}
	}
	sum, err := fileSHA256(exe)
	if err != nil {
		return installCheck{c.name, checkFail, err.Error()}
	}
	release := false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			release = release || (s.Key == "-trimpath" && s.Value == "true")
		}
	}
	if sums == "" {
		sums = filepath.Join(filepath.Dir(exe), "SHA256SUMS")
	}
	want, found, err := lookupSum(sums, filepath.Base(exe))
	switch {
	case err != nil && os.IsNotExist(err):
		detail := fmt.Sprintf("sha256 %s; no %s to compare with: check it against the published sums", sum, sums)
		if !release {
			detail += " (a development build: not built by make release)"
		}
		return installCheck{c.name, checkWarn, detail}
	case err != nil:
		return installCheck{c.name, checkFail, err.Error()}
	case !found:
		return installCheck{c.name, checkFail, fmt.Sprintf("%s has no line for %s", sums, filepath.Base(exe))}
	case want != sum:
		return installCheck{c.name, checkFail, fmt.Sprintf("sha256 %s differs from %s in %s: the binary was altered or is not that release", sum, want, sums)}
	}
	return installCheck{c.name, checkOK, fmt.Sprintf("sha256 %s matches %s", sum, sums)}
}

// checkUI recomputes the embedded UI's digest; digest is web.Digest,
// passed in so that a test can check an altered tree.
func checkUI(digest func(fs.FS) (string, error), want string) installCheck {
	got, err := digest(web.FS())
	if err != nil {
		return installCheck{"ui", checkFail, err.Error()}
	}
	if want == "" {
		return installCheck{"ui", checkWarn, "embedded UI digest " + got + "; this build records none to compare with (not built by make release)"}
	}
	if got != want {
		return installCheck{"ui", checkFail, fmt.Sprintf("embedded UI digest %s differs from %s recorded at release", got, want)}
	}
	return installCheck{"ui", checkOK, "embedded UI matches the release digest " + want}
}

func checkKeyring(cfg *Config) installCheck {
	c := installCheck{name: "keyring"}
	path := cfg.keyringPath()
	if path == "" {
		return installCheck{c.name, checkOK, "keyring from the environment (ZHUDUN_KEYRING)"}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return installCheck{c.name, checkWarn, err.Error()}
	}
	var problems []string
	status := checkOK
	if fi.Mode().Perm()&0o077 != 0 {
		status = checkFail
		problems = append(problems, fmt.Sprintf("mode %04o lets other users read it; chmod 600 %s", fi.Mode().Perm(), path))
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() && st.Uid != 0 {
		status = checkFail
		problems = append(problems, fmt.Sprintf("owned by uid %d, neither this user (%d) nor root", st.Uid, os.Getuid()))
	}
	if di, err := os.Stat(filepath.Dir(path)); err == nil && di.Mode().Perm()&0o022 != 0 {
		status = checkFail
		problems = append(problems, fmt.Sprintf("its directory is writable by others (mode %04o): the keyring could be replaced", di.Mode().Perm()))
	}
	if abs, err := filepath.Abs(path); err == nil && strings.HasPrefix(abs, cfg.Data+string(filepath.Separator)) {
		if status == checkOK {
			status = checkWarn
		}
		problems = append(problems, "it is inside the data directory: production keeps keys apart from the data (ZHUDUN_KEYRING_FILE)")
	}
	if len(problems) == 0 {
		return installCheck{c.name, checkOK, fmt.Sprintf("%s mode %04o", path, fi.Mode().Perm())}
	}
	return installCheck{c.name, status, path + ": " + strings.Join(problems, "; ")}
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// lookupSum finds name in a sha256sum-style file ("<hex>  <name>").
func lookupSum(path, name string) (sum string, found bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 2 && strings.TrimPrefix(fields[1], "*") == name {
			return strings.ToLower(fields[0]), true, nil
		}
	}
	return "", false, sc.Err()
}

// warnInstall logs every check that is not ok; serve calls it at start-up.
func warnInstall(cfg *Config, log *slog.Logger) {
	for _, c := range verifyInstall(cfg, "") {
		if c.status != checkOK {
			log.Warn("installation check: "+c.detail, "event", "security.verify_install", "check", c.name, "status", c.status)
		}
	}
}

func runVerifyInstall(_ context.Context, e *env, args []string) error {
	var cfg Config
	var sums string
	set := flags(e, "verify-install", &cfg)
	set.StringVar(&sums, "sums", "", "SHA256SUMS file of the release (default: the one beside the executable)")
	if err := parse(set, &cfg, args); err != nil {
		return err
	}
	failed := false
	for _, c := range verifyInstall(&cfg, sums) {
		fmt.Fprintf(e.stdout, "%-8s %-4s %s\n", c.name, c.status, c.detail)
		failed = failed || c.status == checkFail
	}
	if failed {
		return exitError(1)
	}
	return nil
}
