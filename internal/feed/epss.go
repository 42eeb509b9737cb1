package feed

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

const (
	// DefaultEPSSLimit bounds an EPSS file, compressed and decompressed,
	// when ParseEPSS is given no limit (256 MiB; a 2026 file of about
	// 300,000 rows is 11 MB).
	DefaultEPSSLimit = 256 << 20
	// MaxEPSSRows bounds the rows of one EPSS file.
	MaxEPSSRows = 2_000_000
	// maxEPSSLine bounds one line of an EPSS file.
	maxEPSSLine = 4096
)

// maxEPSSRows is MaxEPSSRows; tests lower it.
var maxEPSSRows = MaxEPSSRows

// epssHeader is the column line every EPSS file since 2022 starts with
// (after the optional comment line).
const epssHeader = "cve,epss,percentile"

// EPSSScore is one row of an EPSS file.
type EPSSScore struct {
	CVE        string
	Score      float64 // probability of exploitation in the next 30 days, in [0,1]
	Percentile float64 // rank among all scored CVEs, in [0,1]
}

// EPSSData is one daily EPSS file.
type EPSSData struct {
	Model  string    // model_version from the comment line, e.g. "v2026.06.15"; "" without one
	Date   time.Time // score_date from the comment line; zero without one
	Scores []EPSSScore
}

// errOverLimit is what cappedReader returns past its limit.
var errOverLimit = errors.New("over the limit")

// cappedReader reads from r and fails with errOverLimit once more than
// limit bytes have been read.
type cappedReader struct {
	r        io.Reader
	n, limit int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.n > c.limit {
		return 0, errOverLimit
	}
	if room := c.limit - c.n + 1; int64(len(p)) > room {
		p = p[:room]
	}
	k, err := c.r.Read(p)
	c.n += int64(k)
	if c.n > c.limit {
		return k - int(c.n-c.limit), errOverLimit
	}
	return k, err
}

// ParseEPSS reads an EPSS scores file (epss_scores-YYYY-MM-DD.csv), plain
// or gzip-compressed (told by its first bytes, not its name). limit bounds
// both the bytes read and, for gzip, the bytes after decompression
// (DefaultEPSSLimit when limit <= 0). An optional first line
// "#model_version:…,score_date:…" sets Model and Date; the header
// "cve,epss,percentile" must come next. A row with a bad CVE ID, a value
// that is not a decimal in [0,1], or the wrong number of fields rejects the
// file, with an error naming the line; so do more than MaxEPSSRows rows. Of
// rows with the same CVE the first is kept. Empty lines are skipped.
func ParseEPSS(name string, r io.Reader, limit int64) (EPSSData, error) {
	if limit <= 0 {
		limit = DefaultEPSSLimit
	}
	raw := &cappedReader{r: r, limit: limit}
	br := bufio.NewReader(raw)
	text := io.Reader(br)
	var decompressed *cappedReader
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return EPSSData{}, readError(name, 0, err, raw, nil)
		}
		decompressed = &cappedReader{r: gz, limit: limit}
		text = decompressed
	}
	sc := bufio.NewScanner(text)
	sc.Buffer(make([]byte, 0, maxEPSSLine), maxEPSSLine)
	p := epssParser{name: name, seen: map[string]bool{}}
	for sc.Scan() {
		if err := p.line(sc.Bytes()); err != nil {
			return EPSSData{}, err
		}
	}
	if err := sc.Err(); err != nil {
		return EPSSData{}, readError(name, p.n+1, err, raw, decompressed)
	}
	if !p.header {
		return EPSSData{}, &Error{Name: name, Err: fmt.Errorf("%w: no %q header line", ErrInvalid, epssHeader)}
	}
	return p.data, nil
}

// readError explains a failure to read line n (0: the gzip header).
func readError(name string, n int, err error, raw, decompressed *cappedReader) error {
	where := "gzip header"
	if n > 0 {
		where = fmt.Sprintf("line %d", n)
	}
	switch {
	case errors.Is(err, errOverLimit) && decompressed != nil && decompressed.n > decompressed.limit:
		return &Error{Name: name, Err: fmt.Errorf("%w: %s: more than %d bytes after decompression (gzip bomb?)", ErrTooLarge, where, decompressed.limit)}
	case errors.Is(err, errOverLimit):
		return &Error{Name: name, Err: fmt.Errorf("%w: %s: more than %d bytes", ErrTooLarge, where, raw.limit)}
	case errors.Is(err, bufio.ErrTooLong):
		return &Error{Name: name, Err: fmt.Errorf("%w: %s: longer than %d bytes", ErrInvalid, where, maxEPSSLine)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Name: name, Err: fmt.Errorf("%w: %s: unexpected end of compressed data (truncated?)", ErrInvalid, where)}
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.As(err, new(flate.CorruptInputError)):
		return &Error{Name: name, Err: fmt.Errorf("%w: %s: %v", ErrInvalid, where, err)}
	}
	return &Error{Name: name, Err: fmt.Errorf("%w: %s: %w", ErrFetch, where, err)}
}

// epssParser takes the lines of one file in order.
type epssParser struct {
	name   string
	n      int  // lines seen
	header bool // the column header has been read
	seen   map[string]bool
	data   EPSSData
}

func (p *epssParser) errorf(format string, args ...any) error {
	return &Error{Name: p.name, Err: fmt.Errorf("%w: line %d: %s", ErrInvalid, p.n, fmt.Sprintf(format, args...))}
}

func (p *epssParser) line(b []byte) error {
	p.n++
	if p.n == 1 {
		b = bytes.TrimPrefix(b, []byte("\ufeff"))
	}
	s := strings.TrimSuffix(string(b), "\r")
	switch {
	case s == "":
		return nil
	case p.n == 1 && s[0] == '#':
		return p.comment(s[1:])
	case !p.header:
		if !strings.EqualFold(strings.ReplaceAll(s, " ", ""), epssHeader) {
			return p.errorf("not the header line %q", epssHeader)
		}
		p.header = true
		return nil
	}
	return p.row(s)
}

// comment reads "model_version:v2025.03.14,score_date:2025-09-29T00:00:00+0000";
// other keys are ignored.
func (p *epssParser) comment(s string) error {
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, ":")
		switch strings.TrimSpace(k) {
		case "model_version":
			p.data.Model = strings.TrimSpace(v)
		case "score_date":
			d, err := parseScoreDate(strings.TrimSpace(v))
			if err != nil {
				return p.errorf("score_date is not a date")
			}
			p.data.Date = d
		}
	}
	return nil
}

// parseScoreDate reads the score dates FIRST has used: RFC 3339
// ("…T12:00:22Z"), a numeric zone without colon ("…T00:00:00+0000"), or a
// plain date.
func parseScoreDate(s string) (time.Time, error) {
	var err error
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", time.DateOnly} {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// row reads "CVE-2021-42237,0.97566,0.99901".
func (p *epssParser) row(s string) error {
	cve, rest, ok1 := strings.Cut(s, ",")
	score, pct, ok2 := strings.Cut(rest, ",")
	if !ok1 || !ok2 || strings.Contains(pct, ",") {
		return p.errorf("want 3 comma-separated fields (%s), got %d", epssHeader, strings.Count(s, ",")+1)
	}
	if !validCVE(cve) {
		return p.errorf("cve is not CVE-YYYY-NNNN")
	}
	e, err := probability(score)
	if err != nil {
		return p.errorf("%s: epss %v", cve, err)
	}
	pc, err := probability(pct)
	if err != nil {
		return p.errorf("%s: percentile %v", cve, err)
	}
	if p.seen[cve] {
		return nil
	}
	if len(p.data.Scores) == maxEPSSRows {
		return &Error{Name: p.name, Err: fmt.Errorf("%w: line %d: more than %d rows", ErrTooLarge, p.n, maxEPSSRows)}
	}
	p.seen[cve] = true
	p.data.Scores = append(p.data.Scores, EPSSScore{CVE: cve, Score: e, Percentile: pc})
	return nil
}

// probability parses a plain decimal ("0.2667", "1", "1.0e-05") in [0,1];
// no signs other than in the exponent, no hex, no Inf or NaN.
func probability(s string) (float64, error) {
	if !isDecimal(s) {
		return 0, errors.New("is not a decimal number")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 1 {
		return 0, errors.New("is not in [0,1]")
	}
	return v, nil
}

// isDecimal reports whether s is digits[.digits][e[+-]digits], or .digits.
func isDecimal(s string) bool {
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	whole, frac, hasDot := strings.Cut(mant, ".")
	if whole == "" && (!hasDot || frac == "") || !digitsOrEmpty(whole) || !digitsOrEmpty(frac) {
		return false
	}
	if !hasExp {
		return true
	}
	if exp != "" && (exp[0] == '+' || exp[0] == '-') {
		exp = exp[1:]
	}
	return len(exp) <= 4 && allDigits(exp)
}

func digitsOrEmpty(s string) bool { return s == "" || allDigits(s) }
