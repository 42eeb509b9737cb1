package store

// The orders of the findings list and their keyset cursors.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The findings list's orders, FindingFilter.Sort's values.
const (
	// SortSeverity lists the most severe first, then the newest: the
	// default.
	SortSeverity = "severity"
	// SortScore lists the highest CVSS base score first and findings
	// without a score (0) last; ties by severity, then the newest.
	SortScore = "score"
)

// FindingSorts lists the orders FindingFilter.Sort takes ("" is
// SortSeverity).
var FindingSorts = []string{SortSeverity, SortScore}

// listOrder is one order of the findings list: the columns of findings it
// sorts by, most significant first, each descending. The last is id, so
// the order is total and a row's values of its columns are its place in
// the list: the keyset cursor of the page that follows it.
type listOrder struct {
	name string
	cols []string
}

var (
	bySeverity = listOrder{SortSeverity, []string{"severity_rank", "id"}}
	byScore    = listOrder{SortScore, []string{"score", "severity_rank", "id"}}
)

// orderOf is the order a FindingFilter.Sort names.
func orderOf(sort string) (listOrder, error) {
	switch sort {
	case "", SortSeverity:
		return bySeverity, nil
	case SortScore:
		return byScore, nil
	}
	return listOrder{}, invalidf("sort %q: %s", sort, strings.Join(FindingSorts, " or "))
}

// listKey is a finding's values of the orders' columns.
type listKey struct {
	score float64
	rank  int
	id    int64
}

// value is k's value of a column of an order.
func (k listKey) value(col string) any {
	switch col {
	case "score":
		return k.score
	case "severity_rank":
		return k.rank
	}
	return k.id
}

// dests are pointers to k's values of o's columns, in their order, for
// Scan.
func (o listOrder) dests(k *listKey) []any {
	out := make([]any, len(o.cols))
	for i, c := range o.cols {
		switch c {
		case "score":
			out[i] = &k.score
		case "severity_rank":
			out[i] = &k.rank
		default:
			out[i] = &k.id
		}
	}
	return out
}

// columns is o's columns, each prefixed with prefix (the table's alias and
// a dot, or "") and followed by suffix, joined by commas.
func (o listOrder) columns(prefix, suffix string) string {
	out := make([]string, len(o.cols))
	for i, c := range o.cols {
		out[i] = prefix + c + suffix
	}
	return strings.Join(out, ", ")
}

// by is the ORDER BY list of o, the columns prefixed with prefix.
func (o listOrder) by(prefix string) string { return o.columns(prefix, " DESC") }

// cursor is the cursor of the page after the row at k: "rank.id" by
// severity (as before there were other orders), "score:s:rank:id" by
// score. Each order's cursors are refused by the others.
func (o listOrder) cursor(k listKey) string {
	if o.name == SortScore {
		return "score:" + strconv.FormatFloat(k.score, 'g', -1, 64) + ":" + strconv.Itoa(k.rank) + ":" + strconv.FormatInt(k.id, 10)
	}
	return fmt.Sprintf("%d.%d", k.rank, k.id)
}

// parseCursor reads a cursor o wrote; ErrBadCursor for any other string,
// another order's cursors included.
func (o listOrder) parseCursor(c string) (listKey, error) {
	var k listKey
	var parts []string
	if o.name == SortScore {
		rest, ok := strings.CutPrefix(c, "score:")
		parts = strings.Split(rest, ":")
		if !ok || len(parts) != 3 {
			return k, o.badCursor(c)
		}
		var err error
		// 'g' formatting of a float64 reads back exactly, so the
		// cursor's score equals the row's.
		if k.score, err = strconv.ParseFloat(parts[0], 64); err != nil || math.IsNaN(k.score) || k.score < 0 || k.score > 10 {
			return k, o.badCursor(c)
		}
		parts = parts[1:]
	} else if parts = strings.Split(c, "."); len(parts) != 2 {
		return k, o.badCursor(c)
	}
	rank, err1 := strconv.Atoi(parts[0])
	id, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || rank < 0 || rank > 5 || id <= 0 {
		return k, o.badCursor(c)
	}
	k.rank, k.id = rank, id
	return k, nil
}

func (o listOrder) badCursor(c string) error {
	return fmt.Errorf("cursor %q: not a next_cursor of the findings by %s (a cursor holds for the sort that gave it): %w", c, o.name, ErrBadCursor)
}

// rangeAfter is the conditions of the jth index range after the cursor k
// (0 ≤ j < len(o.cols)), their values added to lq's parameters. Range j
// holds the rows equal to k in o's first len(o.cols)-1-j columns and below
// it in the next: by score (score, rank, id), range 0 is the rest of k's
// score and rank, range 1 the lower ranks of k's score, range 2 the lower
// scores. Each is one range of an index in the order's columns; one
// condition "(score, rank, id) < (s, r, i)", or the same spelled with OR,
// bounds no index column but the first (nor do SQLite's row values), so a
// deep page scanned every row above it.
func (lq *listQuery) rangeAfter(k listKey, j int) []string {
	cols := lq.order.cols
	last := len(cols) - 1 - j
	var out []string
	for i, c := range cols[:last+1] {
		op := " = "
		if i == last {
			op = " < "
		}
		out = append(out, "f."+c+op+lq.arg(k.value(c)))
	}
	return out
}

// afterCursor is the condition "the row comes after the cursor" as one
// test of each row, for the text lookup, which reads the rows of its
// matches by their own indexes. The columns are written "col + 0", which
// no index seeks on: else SQLite read every row after the cursor by a
// list index (as a range, or an OR of ranges) and tested each for the
// match, instead of reading the few matches and testing each for the
// cursor.
func (lq *listQuery) afterCursor() string {
	cols := lq.order.cols
	m := len(cols) - 1
	cond := "f." + cols[m] + " + 0 < " + lq.arg(lq.after.value(cols[m]))
	for i := m - 1; i >= 0; i-- {
		v := lq.arg(lq.after.value(cols[i]))
		cond = fmt.Sprintf("(f.%s + 0 < %s OR (f.%[1]s + 0 = %[2]s AND %s))", cols[i], v, cond)
	}
	return cond
}
