package report

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/vulndesk/vulndesk/internal/model"
)

// findingEncoder writes findings and components as JSON by hand, each on
// one line: encoding/json spends most of its time on reflection, which is
// too slow for the 100,000s of findings a large scan has, and one line per
// finding keeps a large report a third smaller and easy to grep. Its output
// is byte for byte what encoding/json writes with SetEscapeHTML(false)
// (TestFindingEncoderMatchesEncodingJSON checks this).
type findingEncoder struct {
	b     []byte
	first []bool // per open object or array: no member written yet
}

func (e *findingEncoder) open(c byte) {
	e.b = append(e.b, c)
	e.first = append(e.first, true)
}

func (e *findingEncoder) close(c byte) {
	e.first = e.first[:len(e.first)-1]
	e.b = append(e.b, c)
}

// elem starts an array element or an object member.
func (e *findingEncoder) elem() {
	if e.first[len(e.first)-1] {
		e.first[len(e.first)-1] = false
	} else {
		e.b = append(e.b, ',')
	}
}

func (e *findingEncoder) key(k string) {
	e.elem()
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, '"', ':')
}

func (e *findingEncoder) str(k, v string) {
	e.key(k)
	e.b = appendJSONString(e.b, v)
}

func (e *findingEncoder) strOmit(k, v string) {
	if v != "" {
		e.str(k, v)
	}
}

func (e *findingEncoder) strs(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	e.key(k)
	e.open('[')
	for _, v := range vs {
		e.elem()
		e.b = appendJSONString(e.b, v)
	}
	e.close(']')
}

// component appends c without hashes, licenses and CPEs, which would make
// 100,000s of findings needlessly large.
func (e *findingEncoder) component(c *model.Component) {
	e.open('{')
	e.strOmit("ref", c.Ref)
	e.str("name", c.Name)
	e.strOmit("version", c.Version)
	e.strOmit("purl", c.PURL)
	e.strOmit("ecosystem", c.Ecosystem)
	e.strOmit("package", c.Package)
	e.strOmit("scope", string(c.Scope))
	e.strOmit("source", c.Source)
	e.strOmit("unmatchable", c.Unmatchable)
	e.close('}')
}

// element appends the i-th element of a top-level array on a line of its
// own, after a comma unless it is the first.
func (e *findingEncoder) element(i int, write func()) {
	e.b = e.b[:0]
	if i > 0 {
		e.b = append(e.b, ',')
	}
	e.b = append(e.b, "\n    "...)
	write()
}

// finding appends f.
func (e *findingEncoder) finding(f *model.Finding) {
	e.open('{')
	e.key("component")
	e.component(f.Component)
	e.str("id", f.ID)
	e.strs("aliases", f.Aliases)
	e.strOmit("summary", f.Summary)
	e.key("severity")
	e.severity(&f.Severity)
	if len(f.Conflicts) > 0 {
		e.key("severity_conflicts")
		e.open('[')
		for i := range f.Conflicts {
			e.elem()
			e.severity(&f.Conflicts[i])
		}
		e.close(']')
	}
	e.key("evidence")
	e.open('[')
	for i := range f.Evidence {
		v := &f.Evidence[i]
		e.elem()
		e.open('{')
		e.str("advisory", v.Advisory)
		e.str("ecosystem", v.Ecosystem)
		e.str("package", v.Package)
		e.str("range_type", v.RangeType)
		e.strOmit("introduced", v.Introduced)
		e.strOmit("fixed", v.Fixed)
		e.strOmit("last_affected", v.LastAffected)
		e.strOmit("limit", v.Limit)
		e.str("reason", v.Reason)
		e.close('}')
	}
	e.close(']')
	e.strs("fixed_versions", f.FixedVersions)
	e.strOmit("fix", f.Fix)
	if s := f.Suppressed; s != nil {
		e.key("suppressed")
		e.open('{')
		e.str("reason", s.Reason)
		if !s.Until.IsZero() {
			e.key("until")
			e.b = append(e.b, '"')
			e.b = s.Until.AppendFormat(e.b, time.RFC3339Nano)
			e.b = append(e.b, '"')
		}
		e.close('}')
	}
	e.close('}')
}

// appendJSONFloat formats like encoding/json.
func appendJSONFloat(b []byte, f float64) []byte {
	if abs := max(f, -f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		b = strconv.AppendFloat(b, f, 'e', -1, 64)
		// encoding/json writes e-07, not e-7 (clean up e-09 to e-9).
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
		return b
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does without HTML escaping:
// control characters, U+2028 and U+2029 are escaped and invalid UTF-8
// becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// severity appends s as an object.
func (e *findingEncoder) severity(s *model.Severity) {
	e.open('{')
	e.str("rating", string(s.Rating))
	if sc := s.Score; sc != 0 && !math.IsNaN(sc) && !math.IsInf(sc, 0) {
		e.key("score")
		e.b = appendJSONFloat(e.b, s.Score)
	}
	e.strOmit("type", s.Type)
	e.strOmit("vector", s.Vector)
	e.strOmit("version", s.Version)
	e.strOmit("from", s.From)
	e.strOmit("record", s.Record)
	e.strOmit("source", s.Source)
	e.strOmit("source_type", s.SourceType)
	e.close('}')
}
