package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
)

// SLARecords reads what the SLA figures of the period [from, to) are
// computed from (sla.Compute): the remediation clock, the time it stopped
// and the asset of every finding that has a clock and was still open at
// from (its clock had not stopped before it). Findings whose clock starts
// at or after to are read too and left out by Compute, since the start
// is only in the clock's JSON.
//
// It is one pass over the findings, in ID order, that skips those closed
// before from; most findings of a year are open or closed recently, so
// no index would narrow it much. Each record keeps only what Compute
// reads (severity, start, deadline), to keep a million of them small.
func (s *Store) SLARecords(ctx context.Context, from, to time.Time) ([]sla.Record, error) {
	// Read in chunks and joined once: a million records grown by append
	// were copied over and over, a gigabyte in all.
	const chunk = 1 << 16
	var chunks [][]sla.Record
	cur := make([]sla.Record, 0, chunk)
	sevs := map[string]model.Rating{} // one string per severity, not one per finding
	err := queryRows(ctx, kept{s}, `SELECT sla_clock, closed_at, asset_id FROM findings
		WHERE sla_clock <> '' AND (closed_at IS NULL OR closed_at >= $1)`, []any{from.UTC()},
		func(rows *sql.Rows) error {
			var raw sql.RawBytes // not copied: read before the next row
			var closed sql.NullTime
			var r sla.Record
			if err := rows.Scan(&raw, &closed, &r.AssetID); err != nil {
				return err
			}
			sevText, start, due, err := clockFields(raw)
			if err != nil {
				return fmt.Errorf("a finding of asset %d: sla_clock: %w", r.AssetID, err)
			}
			sev, ok := sevs[string(sevText)]
			if !ok {
				sev = model.Rating(sevText)
				sevs[string(sevText)] = sev
			}
			r.Clock = sla.Clock{Severity: sev, Start: start, DueAt: due}
			r.ResolvedAt = timeOf(closed)
			if len(cur) == chunk {
				chunks, cur = append(chunks, cur), make([]sla.Record, 0, chunk)
			}
			cur = append(cur, r)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("reading the findings' remediation clocks: %w", err)
	}
	if len(chunks) == 0 {
		return cur, nil
	}
	return slices.Concat(append(chunks, cur)...), nil
}

// clockFields reads the severity, start and deadline of a clock as
// stored (sla.Clock's JSON). The fields are found by their keys, which no
// value can hold unescaped, and parsed alone: decoding a million clocks
// with encoding/json took seconds. A clock the quick read does not
// understand is decoded in full.
func clockFields(raw []byte) ([]byte, time.Time, time.Time, error) {
	sev, okSev := jsonString(raw, `"severity":"`)
	start, okStart := jsonString(raw, `"start":"`)
	due, _ := jsonString(raw, `"due_at":"`)
	st, errStart := time.Parse(time.RFC3339Nano, string(start))
	var d time.Time
	var errDue error
	if len(due) > 0 {
		d, errDue = time.Parse(time.RFC3339Nano, string(due))
	}
	if okSev && okStart && errStart == nil && errDue == nil {
		return sev, st, d, nil
	}
	var c sla.Clock
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	return []byte(c.Severity), c.Start, c.DueAt, nil
}

// jsonString is the string value after key (`"name":"`) in raw, when it
// has no escapes.
func jsonString(raw []byte, key string) ([]byte, bool) {
	i := bytes.Index(raw, []byte(key))
	if i < 0 {
		return nil, false
	}
	v := raw[i+len(key):]
	j := bytes.IndexByte(v, '"')
	if j < 0 || bytes.IndexByte(v[:j], '\\') >= 0 {
		return nil, false
	}
	return v[:j], true
}

// AssetNames returns the names of the assets ids lists (deleted ones are
// left out).
func (s *Store) AssetNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		err := queryRows(ctx, kept{s}, `SELECT id, name FROM assets WHERE id IN (`+placeholders(1, n)+`)`, args,
			func(rows *sql.Rows) error {
				var id int64
				var name string
				err := rows.Scan(&id, &name)
				out[id] = name
				return err
			})
		if err != nil {
			return nil, fmt.Errorf("reading asset names: %w", err)
		}
		ids = ids[n:]
	}
	return out, nil
}
