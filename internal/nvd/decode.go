package nvd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Limits bound every input; a zero field takes its default.
type Limits struct {
	// MaxFileBytes bounds one record, one response or one file (default
	// 64 MiB; a full 2,000-record page is a few MiB).
	MaxFileBytes int64
	// MaxTotalBytes bounds all the files one Walk reads (default 8 GiB).
	MaxTotalBytes int64
	// MaxFiles bounds the .json files one Walk reads (default 1,000,000;
	// NVD holds about 300,000 CVEs).
	MaxFiles int
	// MaxRecords bounds the records of one page (default 10,000; NVD
	// sends at most 2,000) and, times MaxFiles, nothing else.
	MaxRecords int
	// MaxMetrics bounds the CVSS and SSVC metrics of one record (default 256).
	MaxMetrics int
	// MaxCPEMatches bounds the cpeMatch entries of one record across its
	// configurations (default 100,000; the largest real records hold a
	// few thousand).
	MaxCPEMatches int
	// MaxDepth bounds the nesting of JSON arrays and objects (default 32;
	// a page of records with configurations needs about 10).
	MaxDepth int
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = 64 << 20
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = 8 << 30
	}
	def(&l.MaxFiles, 1_000_000)
	def(&l.MaxRecords, 10_000)
	def(&l.MaxMetrics, 256)
	def(&l.MaxCPEMatches, 100_000)
	def(&l.MaxDepth, 32)
	return l
}

// PageFormat and PageVersion are what a CVE API 2.0 response states.
const (
	PageFormat  = "NVD_CVE"
	PageVersion = "2.0"
)

// Page is one CVE API 2.0 response.
type Page struct {
	ResultsPerPage int    `json:"resultsPerPage"`
	StartIndex     int    `json:"startIndex"`
	TotalResults   int    `json:"totalResults"`
	Format         string `json:"format"`
	Version        string `json:"version"`
	Timestamp      string `json:"timestamp"`
	Records        []Record
}

// cveID is the shape of a CVE ID.
var cveID = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,19}$`)

// Kind tells what a JSON document is.
type Kind int

// The kinds Sniff tells apart.
const (
	KindOther  Kind = iota // neither of the two below
	KindRecord             // a bare `cve` object
	KindPage               // a CVE API 2.0 response
)

// sniff is the part of a document that tells its kind.
type sniff struct {
	ID               *string          `json:"id"`
	SourceIdentifier *string          `json:"sourceIdentifier"`
	Format           *string          `json:"format"`
	Vulnerabilities  *json.RawMessage `json:"vulnerabilities"`
}

// Sniff tells a bare CVE record from a CVE API page from anything else,
// by the top-level keys: a page states format "NVD_CVE" and carries
// vulnerabilities; a record has a CVE id and a sourceIdentifier (an OSV
// advisory has an id but never the latter). Other NVD APIs' responses
// (format "NVD_CPEMatchString", "NVD_CVEHistory", ...) are KindOther, with
// a reason. Invalid JSON is an error.
func Sniff(data []byte, lim Limits) (Kind, string, error) {
	lim = lim.withDefaults()
	if err := checkShape(data, lim); err != nil {
		return KindOther, "", err
	}
	var s sniff
	if err := json.Unmarshal(data, &s); err != nil {
		return KindOther, "", decodeError(data, err)
	}
	switch {
	case s.Format != nil && *s.Format != PageFormat:
		return KindOther, fmt.Sprintf("format %q is another NVD API's response, not a CVE API response", clip(*s.Format)), nil
	case s.Format != nil && s.Vulnerabilities != nil:
		return KindPage, "", nil
	case s.Format != nil:
		return KindOther, "format NVD_CVE but no vulnerabilities", nil
	case s.ID != nil && s.SourceIdentifier != nil && cveID.MatchString(*s.ID):
		return KindRecord, "", nil
	}
	return KindOther, "neither a CVE API response (format, vulnerabilities) nor a bare CVE record (CVE id, sourceIdentifier)", nil
}

// clip shortens a value quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// checkShape refuses input over the byte or nesting limits, and anything
// but a JSON object, before it is decoded.
func checkShape(data []byte, lim Limits) error {
	if int64(len(data)) > lim.MaxFileBytes {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), lim.MaxFileBytes)
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if len(trimmed) > 0 && json.Valid(data) {
			return fmt.Errorf("%w: the JSON is not an object", ErrNotCVE)
		}
		return fmt.Errorf("%w: not a JSON object", ErrInvalid)
	}
	if d := depth(data); d > lim.MaxDepth {
		return fmt.Errorf("%w: JSON nested %d deep, limit %d", ErrTooLarge, d, lim.MaxDepth)
	}
	return nil
}

// depth returns the deepest nesting of arrays and objects in JSON text,
// skipping strings. It does not validate; json.Unmarshal does that after.
func depth(data []byte) int {
	d, most, inString, escaped := 0, 0, false, false
	for _, c := range data {
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			d++
			most = max(most, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return most
}

// DecodeRecord decodes one bare `cve` object (the value of
// vulnerabilities[].cve) within lim. Anything else is refused with
// ErrNotCVE; a record with bad content with ErrInvalid.
func DecodeRecord(data []byte, lim Limits) (*Record, error) {
	lim = lim.withDefaults()
	if err := expect(data, lim, KindRecord); err != nil {
		return nil, err
	}
	return decodeRecord(data, lim)
}

// expect refuses data unless Sniff finds it to be of kind want: the other
// kind is named with the decoder it needs, anything else is ErrNotCVE with
// Sniff's reason.
func expect(data []byte, lim Limits, want Kind) error {
	kind, why, err := Sniff(data, lim)
	switch {
	case err != nil:
		return err
	case kind == want:
		return nil
	case kind == KindPage:
		why = "a CVE API response page, not a bare record (use DecodePage)"
	case kind == KindRecord:
		why = "a bare CVE record, not a CVE API response (use DecodeRecord)"
	}
	return fmt.Errorf("%w: %s", ErrNotCVE, why)
}

// decodeRecord decodes data that Sniff found to be a bare record.
func decodeRecord(data []byte, lim Limits) (*Record, error) {
	var w wireRecord
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, decodeError(data, err)
	}
	return w.record(lim)
}

// wirePage is a CVE API 2.0 response as NVD sends it.
type wirePage struct {
	ResultsPerPage  int    `json:"resultsPerPage"`
	StartIndex      int    `json:"startIndex"`
	TotalResults    int    `json:"totalResults"`
	Format          string `json:"format"`
	Version         string `json:"version"`
	Timestamp       string `json:"timestamp"`
	Vulnerabilities []struct {
		CVE *wireRecord `json:"cve"`
	} `json:"vulnerabilities"`
}

// DecodePage decodes a whole CVE API 2.0 response within lim. A response
// of another NVD API, or anything else, is refused with ErrNotCVE; a page
// whose counts do not add up, or any bad record in it, with ErrInvalid
// naming the record's position and ID.
func DecodePage(data []byte, lim Limits) (*Page, error) {
	lim = lim.withDefaults()
	if err := expect(data, lim, KindPage); err != nil {
		return nil, err
	}
	return decodePage(data, lim)
}

// decodePage decodes data that Sniff found to be a CVE API page.
func decodePage(data []byte, lim Limits) (*Page, error) {
	var w wirePage
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, decodeError(data, err)
	}
	if err := w.check(lim); err != nil {
		return nil, err
	}
	p := &Page{ResultsPerPage: w.ResultsPerPage, StartIndex: w.StartIndex, TotalResults: w.TotalResults,
		Format: w.Format, Version: w.Version, Timestamp: w.Timestamp, Records: make([]Record, 0, len(w.Vulnerabilities))}
	for i, v := range w.Vulnerabilities {
		if v.CVE == nil {
			return nil, fmt.Errorf("%w: vulnerabilities[%d] has no cve", ErrInvalid, i)
		}
		r, err := v.CVE.record(lim)
		if err != nil {
			return nil, fmt.Errorf("vulnerabilities[%d] (%s): %w", i, clip(v.CVE.ID), err)
		}
		p.Records = append(p.Records, *r)
	}
	return p, nil
}

// check validates a page's envelope: its version, counts and timestamp.
func (w *wirePage) check(lim Limits) error {
	major, _, _ := strings.Cut(w.Version, ".")
	switch {
	case major != "2":
		return fmt.Errorf("%w: CVE API version %q, only 2.x is read", ErrInvalid, clip(w.Version))
	case len(w.Vulnerabilities) > lim.MaxRecords:
		return fmt.Errorf("%w: %d records in one page, limit %d", ErrTooLarge, len(w.Vulnerabilities), lim.MaxRecords)
	case w.StartIndex < 0 || w.TotalResults < 0 || w.ResultsPerPage < 0:
		return fmt.Errorf("%w: negative startIndex, totalResults or resultsPerPage", ErrInvalid)
	case len(w.Vulnerabilities) > w.ResultsPerPage:
		return fmt.Errorf("%w: %d records but resultsPerPage %d", ErrInvalid, len(w.Vulnerabilities), w.ResultsPerPage)
	case len(w.Vulnerabilities) > 0 && w.StartIndex+len(w.Vulnerabilities) > w.TotalResults:
		return fmt.Errorf("%w: records %d to %d of totalResults %d", ErrInvalid, w.StartIndex, w.StartIndex+len(w.Vulnerabilities), w.TotalResults)
	}
	_, err := parseTime("timestamp", w.Timestamp)
	return err
}
