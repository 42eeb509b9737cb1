package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Setting reads a setting's JSON value into v; ok is false when it was
// never set.
func (s *Store) Setting(ctx context.Context, name string, v any) (ok bool, err error) {
	var raw string
	err = s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading setting %s: %w", name, err)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return false, fmt.Errorf("setting %s: %w", name, err)
	}
	return true, nil
}

// SettingInt reads an integer setting.
func (s *Store) SettingInt(ctx context.Context, name string) (int, bool, error) {
	var n int
	ok, err := s.Setting(ctx, name, &n)
	return n, ok, err
}

// SetSetting stores a setting's value (as JSON) and returns the one it
// replaces (nil when none), for the caller's audit event.
func (t *Tx) SetSetting(ctx context.Context, name string, v any, actor string, at time.Time) (json.RawMessage, error) {
	var old string
	err := t.tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`+t.forUpdate(), name).Scan(&old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO settings (name, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		name, mustJSON(v), actor, at.UTC())
	if err != nil {
		return nil, fmt.Errorf("storing setting %s: %w", name, err)
	}
	if old == "" {
		return nil, nil
	}
	return json.RawMessage(old), nil
}
