package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
)

var _ zhudun.SourceService = (*Store)(nil)

// sourceKeyHash is how a source's API key is kept: SM3 under its own
// domain prefix, as session tokens are. A key is 256 random bits, so a
// plain hash (not a slow password hash) is enough and keeps every ingest
// request's check cheap.
func sourceKeyHash(key string) string {
	return gmcrypto.SM3Hex([]byte("zhudun-source-key"), []byte(key))
}

// newSourceKey returns a fresh key: "zs_" and 43 characters of base64url.
func newSourceKey() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return "zs_" + base64.RawURLEncoding.EncodeToString(b[:])
}

const sourceSelect = `SELECT s.id, s.name, s.kind, s.binding, d.code, d.path, s.types, s.disabled, s.created_at, s.updated_at
	FROM sources s JOIN depts d ON d.id = s.dept_id`

func scanSource(r scanner) (*zhudun.Source, error) {
	var src zhudun.Source
	var types string
	if err := r.Scan(&src.ID, &src.Name, &src.Kind, &src.Binding, &src.DeptCode, &src.DeptPath, &types, &src.Disabled, &src.CreatedAt, &src.UpdatedAt); err != nil {
		return nil, err
	}
	src.Types = []string{}
	if types != "" {
		src.Types = strings.Split(types, ",")
	}
	src.CreatedAt, src.UpdatedAt = src.CreatedAt.UTC(), src.UpdatedAt.UTC()
	return &src, nil
}

// requireSourceAdmin: sources feed the whole bureau's engine, so they are
// managed with source:write over the whole organisation.
func requireSourceAdmin(ctx context.Context) error {
	if !cityWide(zhudun.CallerFrom(ctx), zhudun.PermSourceWrite) {
		return zhudun.Errorf(zhudun.EFORBIDDEN, "permission source:write over the whole organisation required")
	}
	return nil
}

func (tx *Tx) sourceChanged(ctx context.Context, action string, src *zhudun.Source, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	detail["name"], detail["kind"], detail["binding"], detail["dept"], detail["types"] = src.Name, src.Kind, src.Binding, src.DeptCode, src.Types
	if err := tx.audit(ctx, &zhudun.AuditEntry{Action: action, ObjectType: "source", ObjectID: src.Name, Detail: Detail(detail)}); err != nil {
		return err
	}
	return tx.emit(ctx, zhudun.Event{Type: "source.changed", Perm: zhudun.PermSourceWrite, DeptPath: rootPath, DeptID: 1, Data: Detail(src)})
}

func (tx *Tx) sourceByName(ctx context.Context, name string) (*zhudun.Source, error) {
	src, err := scanSource(tx.queryRow(ctx, sourceSelect+` WHERE s.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "source %s not found", name)
	}
	if err != nil {
		return nil, tx.s.internal("source load", err)
	}
	return src, nil
}

// CreateSource adds a source and returns its API key, which is not kept:
// it is shown once.
func (s *Store) CreateSource(ctx context.Context, n zhudun.NewSource) (*zhudun.Source, string, error) {
	if err := requireSourceAdmin(ctx); err != nil {
		return nil, "", err
	}
	if err := n.Validate(); err != nil {
		return nil, "", err
	}
	key := newSourceKey()
	var out *zhudun.Source
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		var deptID int64
		var disabled bool
		err := tx.queryRow(ctx, `SELECT id, disabled FROM depts WHERE code = ?`, n.DeptCode).Scan(&deptID, &disabled)
		if errors.Is(err, sql.ErrNoRows) {
			return zhudun.FieldError("dept", "department %s not found", n.DeptCode)
		}
		if err != nil {
			return tx.s.internal("source dept", err)
		}
		if disabled {
			return zhudun.FieldError("dept", "department %s is disabled", n.DeptCode)
		}
		var id int64
		err = tx.queryRow(ctx, `INSERT INTO sources (name, kind, binding, dept_id, types, key_hash, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			n.Name, n.Kind, n.Binding, deptID, strings.Join(n.Types, ","), sourceKeyHash(key), false, tx.now, tx.now).Scan(&id)
		if err != nil {
			if tx.s.dialect.IsUniqueViolation(err) {
				return &zhudun.Error{Code: zhudun.ECONFLICT, Field: "name", Message: "source name " + n.Name + " is taken"}
			}
			return tx.s.internal("source insert", err)
		}
		if out, err = tx.sourceByName(ctx, n.Name); err != nil {
			return err
		}
		return tx.sourceChanged(ctx, "source.create", out, nil)
	})
	if err != nil {
		return nil, "", err
	}
	return out, key, nil
}

// FindSources lists every source by name.
func (s *Store) FindSources(ctx context.Context) ([]*zhudun.Source, error) {
	if err := requireSourceAdmin(ctx); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, sourceSelect+` ORDER BY s.name`)
	if err != nil {
		return nil, s.internal("source list", err)
	}
	defer rows.Close()
	out := []*zhudun.Source{}
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, s.internal("source scan", err)
		}
		out = append(out, src)
	}
	return out, s.internalIf("source rows", rows.Err())
}

// DisableSource refuses the source's key from now on (a server that
// cannot reach the database keeps serving keys it verified before; see
// docs/ingest.md).
func (s *Store) DisableSource(ctx context.Context, name string) (*zhudun.Source, error) {
	if err := requireSourceAdmin(ctx); err != nil {
		return nil, err
	}
	var out *zhudun.Source
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		src, err := tx.sourceByName(ctx, name)
		if err != nil {
			return err
		}
		if src.Disabled {
			out = src
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE sources SET disabled = ?, updated_at = ? WHERE id = ?`, true, tx.now, src.ID); err != nil {
			return tx.s.internal("source disable", err)
		}
		src.Disabled, src.UpdatedAt = true, tx.now
		out = src
		return tx.sourceChanged(ctx, "source.disable", src, nil)
	})
	return out, err
}

// RotateSourceKey replaces the source's key (the old one stops working at
// once) and returns the new one, shown once.
func (s *Store) RotateSourceKey(ctx context.Context, name string) (*zhudun.Source, string, error) {
	if err := requireSourceAdmin(ctx); err != nil {
		return nil, "", err
	}
	key := newSourceKey()
	var out *zhudun.Source
	err := s.write(ctx, func(ctx context.Context, tx *Tx) error {
		src, err := tx.sourceByName(ctx, name)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE sources SET key_hash = ?, updated_at = ? WHERE id = ?`, sourceKeyHash(key), tx.now, src.ID); err != nil {
			return tx.s.internal("source rotate", err)
		}
		src.UpdatedAt = tx.now
		out = src
		return tx.sourceChanged(ctx, "source.rotate", src, nil)
	})
	if err != nil {
		return nil, "", err
	}
	return out, key, nil
}

// SourceByKey finds the enabled source of key. A wrong or disabled key is
// EUNAUTHORIZED; a database that does not answer is EUNAVAILABLE, so that
// the caller can tell "refused" from "cannot check".
func (s *Store) SourceByKey(ctx context.Context, key string) (*zhudun.Source, error) {
	if key == "" {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "API key required")
	}
	src, err := scanSource(s.queryRow(ctx, sourceSelect+` WHERE s.key_hash = ?`, sourceKeyHash(key)))
	if errors.Is(err, sql.ErrNoRows) || err == nil && src.Disabled {
		return nil, zhudun.Errorf(zhudun.EUNAUTHORIZED, "unknown or disabled API key")
	}
	if err != nil {
		s.log.Warn("source key check", "err", err)
		return nil, &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "database unavailable"}
	}
	return src, nil
}

// IngestChunkDone returns the answer recorded for a chunk, or ENOTFOUND.
func (s *Store) IngestChunkDone(ctx context.Context, sourceID int64, chunkID string) (*zhudun.IngestChunk, error) {
	c := zhudun.IngestChunk{SourceID: sourceID, ChunkID: chunkID}
	var rejects string
	err := s.queryRow(ctx, `SELECT accepted, rejected, rejects FROM ingest_chunks WHERE source_id = ? AND chunk_id = ?`, sourceID, chunkID).
		Scan(&c.Accepted, &c.Rejected, &rejects)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, zhudun.Errorf(zhudun.ENOTFOUND, "chunk not seen")
	}
	if err != nil {
		s.log.Warn("ingest chunk check", "err", err)
		return nil, &zhudun.Error{Code: zhudun.EUNAVAILABLE, Message: "database unavailable"}
	}
	c.Rejects = []byte(rejects)
	return &c, nil
}

// RecordIngestChunk records a chunk's answer and adds its counts to the
// hour's, in one transaction; the chunk's primary key makes a second
// record ECONFLICT (two servers finishing the same resent chunk).
func (s *Store) RecordIngestChunk(ctx context.Context, c *zhudun.IngestChunk) error {
	rejects := string(c.Rejects)
	if rejects == "" {
		rejects = "[]"
	}
	return s.write(ctx, func(ctx context.Context, tx *Tx) error {
		hour := tx.now.Truncate(time.Hour)
		if _, err := tx.exec(ctx, `INSERT INTO ingest_chunks (source_id, chunk_id, at, accepted, rejected, rejects) VALUES (?, ?, ?, ?, ?, ?)`,
			c.SourceID, c.ChunkID, tx.now, c.Accepted, c.Rejected, rejects); err != nil {
			if tx.s.dialect.IsUniqueViolation(err) {
				return zhudun.Errorf(zhudun.ECONFLICT, "chunk %s already recorded", c.ChunkID)
			}
			return tx.s.internal("ingest chunk", err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO ingest_hourly (source_id, hour, accepted, rejected) VALUES (?, ?, ?, ?)
			ON CONFLICT (source_id, hour) DO UPDATE SET accepted = ingest_hourly.accepted + excluded.accepted, rejected = ingest_hourly.rejected + excluded.rejected`,
			c.SourceID, hour, c.Accepted, c.Rejected); err != nil {
			return tx.s.internal("ingest hourly", err)
		}
		for reason, n := range c.Reasons {
			if _, err := tx.exec(ctx, `INSERT INTO ingest_rejects (source_id, hour, reason, n) VALUES (?, ?, ?, ?)
				ON CONFLICT (source_id, hour, reason) DO UPDATE SET n = ingest_rejects.n + excluded.n`,
				c.SourceID, hour, reason, n); err != nil {
				return tx.s.internal("ingest rejects", err)
			}
		}
		return nil
	})
}

// IngestHours lists every source's hours since since, newest first, with
// their rejects by reason.
func (s *Store) IngestHours(ctx context.Context, since time.Time) ([]*zhudun.IngestHour, error) {
	if err := requireSourceAdmin(ctx); err != nil {
		return nil, err
	}
	since = since.UTC()
	rows, err := s.query(ctx, `SELECT s.name, h.source_id, h.hour, h.accepted, h.rejected FROM ingest_hourly h JOIN sources s ON s.id = h.source_id
		WHERE h.hour >= ? ORDER BY h.hour DESC, s.name`, since)
	if err != nil {
		return nil, s.internal("ingest hours", err)
	}
	type key struct {
		id   int64
		hour int64
	}
	out := []*zhudun.IngestHour{}
	byKey := map[key]*zhudun.IngestHour{}
	for rows.Next() {
		var h zhudun.IngestHour
		var id int64
		if err := rows.Scan(&h.Source, &id, &h.Hour, &h.Accepted, &h.Rejected); err != nil {
			rows.Close()
			return nil, s.internal("ingest hours scan", err)
		}
		h.Hour = h.Hour.UTC()
		out = append(out, &h)
		byKey[key{id, h.Hour.Unix()}] = &h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.internal("ingest hours rows", err)
	}
	rows, err = s.query(ctx, `SELECT source_id, hour, reason, n FROM ingest_rejects WHERE hour >= ?`, since)
	if err != nil {
		return nil, s.internal("ingest reasons", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		var hour time.Time
		var reason string
		if err := rows.Scan(&id, &hour, &reason, &n); err != nil {
			return nil, s.internal("ingest reasons scan", err)
		}
		if h := byKey[key{id, hour.UTC().Unix()}]; h != nil {
			if h.Reasons == nil {
				h.Reasons = map[string]int64{}
			}
			h.Reasons[reason] = n
		}
	}
	return out, s.internalIf("ingest reasons rows", rows.Err())
}
