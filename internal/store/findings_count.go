package store

import (
	"context"
	"fmt"
	"strings"
)

// CountFindings counts the findings f selects, whatever its cursor, order
// and page size, up to limit: n is the count, at most limit, and more says
// there are more. Counting stops at limit+1 rows, so a filter that
// selects a million findings costs as much as one that selects limit. ok
// is false when f's text is too common to look its matches up (the list
// walks it instead): then nothing is counted.
func (s *Store) CountFindings(ctx context.Context, f FindingFilter, limit int) (n int, more, ok bool, err error) {
	f.Cursor, f.Limit = "", 0
	lq, err := newListQuery(f, s.dialect)
	if err != nil {
		return 0, false, false, err
	}
	var q string
	if f.Text == "" {
		q = `SELECT 1 FROM findings f`
		if len(lq.where) > 0 {
			q += ` WHERE ` + strings.Join(lq.where, " AND ")
		}
		q = fmt.Sprintf(`SELECT COUNT(*) FROM (%s LIMIT %d) AS c`, q, limit+1)
	} else {
		t, found, err := s.textTerms(ctx, f.Text)
		if err != nil || !found {
			return 0, false, false, err
		}
		if t.none() {
			return 0, false, true, nil
		}
		// Each kind of match read from the index that leads with it (as
		// the list's lookup does), limit+1 of each at most, then merged.
		match, _ := s.textConds(lq, t)
		cond := lq.lookupWhere()
		var branches []string
		for i, m := range match {
			branches = append(branches, fmt.Sprintf("SELECT id FROM (SELECT f.id FROM findings f WHERE %s LIMIT %d) AS b%d",
				strings.Join(append(cond, m), " AND "), limit+1, i))
		}
		q = `SELECT COUNT(*) FROM (` + strings.Join(branches, " UNION ") + `) AS c`
	}
	if err := s.db.QueryRowContext(ctx, q, lq.args...).Scan(&n); err != nil {
		return 0, false, false, err
	}
	return min(n, limit), n > limit, true, nil
}
