package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

const (
	// DefaultKEVLimit bounds a KEV catalog when ParseKEV is given no limit
	// (64 MiB; the 2025 catalog of 1,404 entries is 1.3 MB).
	DefaultKEVLimit = 64 << 20
	// MaxKEVEntries bounds the entries of one KEV catalog.
	MaxKEVEntries = 1_000_000
)

// KEVEntry is one vulnerability of CISA's Known Exploited Vulnerabilities
// catalog. Text fields are trimmed of surrounding white space.
type KEVEntry struct {
	CVE            string // cveID, CVE-YYYY-NNNN
	Vendor         string // vendorProject
	Product        string
	Name           string // vulnerabilityName
	Description    string // shortDescription
	RequiredAction string
	Notes          string
	DateAdded      time.Time // UTC midnight
	DueDate        time.Time // UTC midnight; before DateAdded for some early entries
	Ransomware     bool      // knownRansomwareCampaignUse is "Known"
}

// KEVCatalog is one release of the KEV catalog.
type KEVCatalog struct {
	Version  string    // catalogVersion, e.g. "2025.08.25"
	Released time.Time // dateReleased
	Entries  []KEVEntry
}

// maxKEVEntries is MaxKEVEntries; tests lower it.
var maxKEVEntries = MaxKEVEntries

// kevEntryJSON is one element of "vulnerabilities" as published.
type kevEntryJSON struct {
	CVEID                      string `json:"cveID"`
	VendorProject              string `json:"vendorProject"`
	Product                    string `json:"product"`
	VulnerabilityName          string `json:"vulnerabilityName"`
	DateAdded                  string `json:"dateAdded"`
	ShortDescription           string `json:"shortDescription"`
	RequiredAction             string `json:"requiredAction"`
	DueDate                    string `json:"dueDate"`
	KnownRansomwareCampaignUse string `json:"knownRansomwareCampaignUse"`
	Notes                      string `json:"notes"`
}

// kevReader decodes one catalog held in memory, naming positions in it.
type kevReader struct {
	name string
	data []byte
	dec  *json.Decoder
}

// ParseKEV reads a KEV catalog (known_exploited_vulnerabilities.json) of at
// most limit bytes (DefaultKEVLimit when limit <= 0). The whole file is
// rejected for a syntax error (named by line and column), a missing
// required field, an entry whose cveID is not CVE-YYYY-NNNN or whose dates
// are not YYYY-MM-DD, a count that disagrees with the entries, or more than
// MaxKEVEntries entries. Of entries with the same CVE the first is kept.
func ParseKEV(name string, r io.Reader, limit int64) (KEVCatalog, error) {
	if limit <= 0 {
		limit = DefaultKEVLimit
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return KEVCatalog{}, &Error{Name: name, Err: fmt.Errorf("%w: %w", ErrFetch, err)}
	}
	if int64(len(data)) > limit {
		return KEVCatalog{}, &Error{Name: name, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)}
	}
	if err := checkSyntax(name, data); err != nil {
		return KEVCatalog{}, err
	}
	kr := &kevReader{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	return kr.catalog()
}

// checkSyntax rejects input that is not JSON, naming where it breaks, so
// that the decoding after it meets only well-formed input.
func checkSyntax(name string, data []byte) error {
	var syn *json.SyntaxError
	if err := json.Unmarshal(data, &struct{}{}); errors.As(err, &syn) {
		if syn.Error() == "unexpected end of JSON input" {
			line, col := position(data, int64(len(data)))
			return &Error{Name: name, Err: fmt.Errorf("%w: line %d, column %d: unexpected end of input (truncated?)", ErrInvalid, line, col)}
		}
		line, col := position(data, syn.Offset-1) // Offset is just past the bad byte
		return &Error{Name: name, Err: fmt.Errorf("%w: line %d, column %d: %s", ErrInvalid, line, col, jsonProblem(syn))}
	}
	return nil
}

// errorAt is an ErrInvalid error at a byte offset of the input.
func (kr *kevReader) errorAt(off int64, format string, args ...any) error {
	line, col := position(kr.data, off)
	return &Error{Name: kr.name, Err: fmt.Errorf("%w: line %d, column %d: %s", ErrInvalid, line, col, fmt.Sprintf(format, args...))}
}

// value decodes the next value into v and returns the offset where it
// starts; a type mismatch is an error naming the field and its position.
func (kr *kevReader) value(field string, v any) (int64, error) {
	var raw json.RawMessage
	if err := kr.dec.Decode(&raw); err != nil {
		return 0, kr.errorAt(kr.dec.InputOffset(), "%s: %s", field, jsonProblem(err))
	}
	start := kr.dec.InputOffset() - int64(len(raw))
	if err := json.Unmarshal(raw, v); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			if typ.Field != "" {
				field += "." + typ.Field
			}
			return start, kr.errorAt(start+typ.Offset, "%s: %s", field, jsonProblem(typ))
		}
		return start, kr.errorAt(start, "%s: %s", field, jsonProblem(err))
	}
	return start, nil
}

// delim reads the next token and checks that it is the delimiter want.
func (kr *kevReader) delim(field string, want json.Delim) error {
	off := kr.dec.InputOffset()
	tok, err := kr.dec.Token()
	if err != nil {
		return kr.errorAt(off, "%s: %s", field, jsonProblem(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		kind := map[json.Delim]string{'{': "an object", '[': "an array"}[want]
		return kr.errorAt(off, "%s is not %s", field, kind)
	}
	return nil
}

// catalog decodes the top-level object, streaming the entries so that the
// entry limit holds before they are all in memory.
func (kr *kevReader) catalog() (KEVCatalog, error) {
	var cat KEVCatalog
	if err := kr.delim("catalog", '{'); err != nil {
		return KEVCatalog{}, err
	}
	seen := map[string]bool{}
	var released string
	var count *int64
	var countAt int64
	total := 0 // entries before dropping duplicates
	for kr.dec.More() {
		off := kr.dec.InputOffset()
		tok, err := kr.dec.Token()
		if err != nil {
			return KEVCatalog{}, kr.errorAt(off, "%s", jsonProblem(err))
		}
		key, _ := tok.(string)
		if seen[key] {
			return KEVCatalog{}, kr.errorAt(off, "%s appears twice", kevFieldName(key))
		}
		seen[key] = true
		switch key {
		case "catalogVersion":
			_, err = kr.value(key, &cat.Version)
		case "dateReleased":
			var start int64
			start, err = kr.value(key, &released)
			if err == nil {
				cat.Released, err = time.Parse(time.RFC3339, released)
				if err != nil {
					err = kr.errorAt(start, "dateReleased is not an RFC 3339 date-time")
				}
			}
		case "count":
			countAt, err = kr.value(key, &count)
		case "vulnerabilities":
			cat.Entries, total, err = kr.entries()
		default:
			_, err = kr.value(key, &json.RawMessage{})
		}
		if err != nil {
			return KEVCatalog{}, err
		}
	}
	if err := kr.delim("catalog", '}'); err != nil {
		return KEVCatalog{}, err
	}
	for _, f := range []string{"catalogVersion", "dateReleased", "count", "vulnerabilities"} {
		if !seen[f] {
			return KEVCatalog{}, &Error{Name: kr.name, Err: fmt.Errorf("%w: required field %q is missing", ErrInvalid, f)}
		}
	}
	if count == nil || *count != int64(total) {
		return KEVCatalog{}, kr.errorAt(countAt, "count is not the %d entries that vulnerabilities holds", total)
	}
	return cat, nil
}

// entries decodes the "vulnerabilities" array, dropping repeated CVEs,
// and returns the entries kept and the number read.
func (kr *kevReader) entries() ([]KEVEntry, int, error) {
	if err := kr.delim("vulnerabilities", '['); err != nil {
		return nil, 0, err
	}
	var out []KEVEntry
	seen := map[string]bool{}
	n := 0
	for ; kr.dec.More(); n++ {
		if n == maxKEVEntries {
			return nil, 0, kr.tooLarge(fmt.Sprintf("more than %d entries", maxKEVEntries))
		}
		var raw kevEntryJSON
		field := fmt.Sprintf("vulnerabilities[%d]", n)
		at, err := kr.value(field, &raw)
		if err != nil {
			return nil, 0, err
		}
		e, err := kevEntry(raw)
		if err != nil {
			return nil, 0, kr.errorAt(at, "%s: %v", field, err)
		}
		if !seen[e.CVE] {
			seen[e.CVE] = true
			out = append(out, e)
		}
	}
	if err := kr.delim("vulnerabilities", ']'); err != nil {
		return nil, 0, err
	}
	return out, n, nil
}

// kevEntry checks one published entry and converts it.
func kevEntry(raw kevEntryJSON) (KEVEntry, error) {
	if !validCVE(raw.CVEID) {
		return KEVEntry{}, errors.New("cveID is not CVE-YYYY-NNNN")
	}
	added, err := parseDate(raw.DateAdded)
	if err != nil {
		return KEVEntry{}, fmt.Errorf("%s: dateAdded is not YYYY-MM-DD", raw.CVEID)
	}
	due, err := parseDate(raw.DueDate)
	if err != nil {
		return KEVEntry{}, fmt.Errorf("%s: dueDate is not YYYY-MM-DD", raw.CVEID)
	}
	return KEVEntry{
		CVE:            raw.CVEID,
		Vendor:         strings.TrimSpace(raw.VendorProject),
		Product:        strings.TrimSpace(raw.Product),
		Name:           strings.TrimSpace(raw.VulnerabilityName),
		Description:    strings.TrimSpace(raw.ShortDescription),
		RequiredAction: strings.TrimSpace(raw.RequiredAction),
		Notes:          strings.TrimSpace(raw.Notes),
		DateAdded:      added,
		DueDate:        due,
		Ransomware:     raw.KnownRansomwareCampaignUse == "Known",
	}, nil
}

// parseDate parses YYYY-MM-DD, exactly.
func parseDate(s string) (time.Time, error) {
	if len(s) != len(time.DateOnly) {
		return time.Time{}, errors.New("not YYYY-MM-DD")
	}
	return time.Parse(time.DateOnly, s)
}

// kevFieldName names a top-level field in an error: one of the catalog's
// by its name, any other only as "a field" (its name is the input's).
func kevFieldName(key string) string {
	switch key {
	case "catalogVersion", "dateReleased", "count", "vulnerabilities":
		return fmt.Sprintf("field %q", key)
	}
	return "a field"
}

// tooLarge is an ErrTooLarge error at the decoder's position.
func (kr *kevReader) tooLarge(what string) error {
	line, col := position(kr.data, kr.dec.InputOffset())
	return &Error{Name: kr.name, Err: fmt.Errorf("%w: line %d, column %d: %s", ErrTooLarge, line, col, what)}
}
