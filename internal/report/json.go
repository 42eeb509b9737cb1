package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"runtime"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// JSONSchemaVersion is the schema_version of the JSON output. Within one
// schema version changes are additive only; docs/json-output.md documents
// every field.
const JSONSchemaVersion = "1"

// JSON writes the result as vulndesk's documented JSON document.
type JSON struct{}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonSBOM struct {
	Path         string `json:"path"`
	Format       string `json:"format"`
	Subject      string `json:"subject,omitempty"`
	Components   int    `json:"components"`
	FilesLeftOut int    `json:"files_left_out"`
}

type jsonByRating struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	None     int `json:"none"`
	Unknown  int `json:"unknown"`
}

type jsonSummary struct {
	Findings           int          `json:"findings"`
	Suppressed         int          `json:"suppressed"`
	ByRating           jsonByRating `json:"by_rating"`
	SBOMs              int          `json:"sboms"`
	Components         int          `json:"components"`
	AffectedComponents int          `json:"affected_components"`
	Unmatched          int          `json:"unmatched"`
	Unchecked          int          `json:"unchecked"`
	FilesLeftOut       int          `json:"files_left_out"`
	ExpiredIgnores     int          `json:"expired_ignores"`
}

func summarize(res *model.Result) jsonSummary {
	s := jsonSummary{
		SBOMs:          len(res.SBOMs),
		Components:     totalComponents(res),
		Unmatched:      len(res.Unmatched),
		ExpiredIgnores: len(res.ExpiredIgnores),
	}
	for _, u := range res.Unchecked {
		s.Unchecked += u.Components
	}
	s.FilesLeftOut = filesLeftOut(res)
	affected := make(map[string]struct{}, len(res.Findings))
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Suppressed != nil {
			s.Suppressed++
			continue
		}
		s.Findings++
		affected[componentKey(f.Component)] = struct{}{}
		switch rating(f.Severity) {
		case model.RatingCritical:
			s.ByRating.Critical++
		case model.RatingHigh:
			s.ByRating.High++
		case model.RatingMedium:
			s.ByRating.Medium++
		case model.RatingLow:
			s.ByRating.Low++
		case model.RatingNone:
			s.ByRating.None++
		default:
			s.ByRating.Unknown++
		}
	}
	s.AffectedComponents = len(affected)
	return s
}

// Write streams the document: findings are encoded one at a time so that
// large results never sit in memory twice.
func (JSON) Write(w io.Writer, res *model.Result, opts Options) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := &jsonWriter{w: bw}
	e.raw("{\n")
	e.field("schema_version", JSONSchemaVersion, false)
	e.field("tool", jsonTool{Name: opts.toolName(), Version: opts.ToolVersion}, false)
	e.field("generated_at", opts.Now.UTC().Format(time.RFC3339), false)

	sboms := make([]jsonSBOM, len(res.SBOMs))
	for i, s := range res.SBOMs {
		sboms[i] = jsonSBOM{Path: s.Path, Format: s.Format, Subject: s.Subject, Components: len(s.Components), FilesLeftOut: s.FilesLeftOut}
	}
	e.field("sboms", sboms, false)

	// Findings and unmatched components, of which there can be 100,000s,
	// go through the hand-written encoder.
	e.raw("  \"findings\": [")
	encodeElements(e, len(res.Findings), func(fe *findingEncoder, i int) { fe.finding(&res.Findings[i]) })
	e.endArray(len(res.Findings))
	e.raw("  \"unmatched\": [")
	encodeElements(e, len(res.Unmatched), func(fe *findingEncoder, i int) { fe.component(&res.Unmatched[i]) })
	e.endArray(len(res.Unmatched))
	unchecked := res.Unchecked
	if unchecked == nil {
		unchecked = []model.Unchecked{}
	}
	e.field("unchecked", unchecked, false)

	advisories := res.Advisories
	if advisories == nil {
		advisories = map[string]model.AdvisoryInfo{}
	}
	e.field("advisories", advisories, false) // encoding/json sorts map keys
	expired := res.ExpiredIgnores
	if expired == nil {
		expired = []model.ExpiredIgnore{}
	}
	e.field("expired_ignores", expired, false)
	notes := res.Notes
	if notes == nil {
		notes = []string{}
	}
	e.field("notes", notes, false)
	e.field("summary", summarize(res), true)
	e.raw("}\n")
	if e.err != nil {
		return e.err
	}
	return bw.Flush()
}

// encodeElements writes n array elements in order. Large arrays are
// encoded in chunks on all cores, each written when its turn comes; chunk
// buffers are recycled, so the output adds no garbage for the GC to chase.
func encodeElements(e *jsonWriter, n int, enc func(fe *findingEncoder, i int)) {
	const chunk = 1024
	fe := &findingEncoder{}
	if n < 4*chunk {
		for i := 0; i < n; i++ {
			fe.element(i, func() { enc(fe, i) })
			e.bytes(fe.b)
		}
		return
	}
	type job struct {
		lo, hi int
		buf    []byte
		done   chan []byte
	}
	workers := runtime.GOMAXPROCS(0)
	inFlight := 2 * workers
	free := make(chan []byte, inFlight)
	for range inFlight {
		free <- nil
	}
	jobs := make(chan job)
	order := make(chan chan []byte, inFlight)
	go func() {
		defer close(jobs)
		defer close(order)
		for lo := 0; lo < n; lo += chunk {
			j := job{lo: lo, hi: min(lo+chunk, n), buf: <-free, done: make(chan []byte, 1)}
			order <- j.done
			jobs <- j
		}
	}()
	for range workers {
		go func() {
			fe := &findingEncoder{}
			for j := range jobs {
				out := j.buf[:0]
				for i := j.lo; i < j.hi; i++ {
					fe.element(i, func() { enc(fe, i) })
					out = append(out, fe.b...)
				}
				j.done <- out
			}
		}()
	}
	for done := range order {
		b := <-done
		e.bytes(b)
		free <- b
	}
}

// jsonWriter writes an indented JSON object whose members it is given one
// by one; it keeps the first error.
type jsonWriter struct {
	w   *bufio.Writer
	buf bytes.Buffer
	err error
}

func (e *jsonWriter) raw(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

func (e *jsonWriter) bytes(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

// value writes v indented as a member of the top-level object (prefix is
// the indentation of the line v starts on), without HTML escaping, so that
// URLs and version ranges stay readable.
func (e *jsonWriter) value(v any, prefix string) {
	if e.err != nil {
		return
	}
	e.buf.Reset()
	enc := json.NewEncoder(&e.buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if e.err = enc.Encode(v); e.err == nil {
		e.bytes(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")))
	}
}

func (e *jsonWriter) field(name string, v any, last bool) {
	e.raw("  \"" + name + "\": ")
	e.value(v, "  ")
	if last {
		e.raw("\n")
	} else {
		e.raw(",\n")
	}
}

func (e *jsonWriter) endArray(n int) {
	if n > 0 {
		e.raw("\n  ")
	}
	e.raw("],\n")
}
