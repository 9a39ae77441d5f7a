package storetest

import (
	"errors"
	"io"
	"log/slog"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/sqlstore"
)

func asErr(err error, target **zhudun.Error) bool { return errors.As(err, target) }

func optionsLike(e *env) sqlstore.Options {
	return sqlstore.Options{Keys: e.keys, Now: e.clock.Now}
}

func field(err error) string {
	var ze *zhudun.Error
	if errors.As(err, &ze) {
		return ze.Field
	}
	return ""
}

func slogJSON(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
