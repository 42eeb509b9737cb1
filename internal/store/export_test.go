package store

import (
	"context"
	"fmt"
	"time"
)

// SetTextTuning sets text search's bounds, so tests can force each of its
// ways: the candidate lookup (dense high), the walk in windows (dense 0),
// a walk cut short by walkRows and then the lookup, and, for terms past
// maxTerms, the walk of whole findings. It returns a func that restores
// them.
func SetTextTuning(maxTerms, dense, window, walkRows int) (restore func()) {
	t, a, p, s, w, r := maxTextTerms, denseAdvisories, densePackages, denseAssets, textWindow, textWalkRows
	maxTextTerms, denseAdvisories, densePackages, denseAssets, textWindow, textWalkRows = maxTerms, dense, dense, dense, window, walkRows
	return func() {
		maxTextTerms, denseAdvisories, densePackages, denseAssets, textWindow, textWalkRows = t, a, p, s, w, r
	}
}

// ListSQL is the statement and parameters Findings runs for f when f has
// no text, for tests of its query plans.
func (s *Store) ListSQL(f FindingFilter) (string, []any, error) {
	lq, err := newListQuery(f, s.dialect)
	if err != nil {
		return "", nil, err
	}
	return lq.ordered(findingColumns, findingsFrom, lq.limit+1), lq.args, nil
}

// TextLookupSQL is the statement and parameters of the text search's
// lookup (see textPage) for f, whatever way the search would take.
func (s *Store) TextLookupSQL(ctx context.Context, f FindingFilter) (string, []any, error) {
	lq, err := newListQuery(f, s.dialect)
	if err != nil {
		return "", nil, err
	}
	t, _, err := s.textTerms(ctx, f.Text)
	if err != nil || t.none() {
		return "", nil, fmt.Errorf("q=%q: no match (%v)", f.Text, err)
	}
	match, _ := s.textConds(lq, t)
	return lq.lookup(match), lq.args, nil
}

// FoldTallies folds every shard of the dashboard's counts into shard 0
// (PostgreSQL; see foldTallies): with no writer running.
func (s *Store) FoldTallies(ctx context.Context) error { return s.foldTallies(ctx, true) }

// ClockFields is clockFields, for its test.
func ClockFields(raw string) (string, time.Time, time.Time, error) {
	sev, start, due, err := clockFields([]byte(raw))
	return string(sev), start, due, err
}
