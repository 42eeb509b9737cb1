// Package sarif reads SARIF 2.1.0 logs (static analysis, secret, container
// and other scanners' results) into code findings: tool, rule, location,
// severity, suppression and a fingerprint that stays the same while the
// code it points at only moves.
package sarif

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Limits on a log. A larger one is refused, not truncated.
const (
	// MaxSize is the largest log read, in bytes.
	MaxSize = 64 << 20
	// MaxResults is the most results a log may hold, over all its runs.
	MaxResults = 200_000
	// maxText bounds a message, rule name or snippet kept (longer ones are
	// cut, with "…").
	maxText = 4000
)

// ErrTooLarge is returned for a log over MaxSize or MaxResults.
var ErrTooLarge = errors.New("sarif log too large")

// ErrInvalid is returned for input that is no SARIF 2.1.0 log.
var ErrInvalid = errors.New("not a SARIF 2.1.0 log")

// Log is what a SARIF log says: its results over all runs.
type Log struct {
	Version string
	Runs    int
	Results []Result
	// Skipped counts results of kind pass or notApplicable: a rule that
	// was checked and held, not a problem.
	Skipped int
	// tools are the names of the runs' tools.
	tools map[string]bool
}

// Tools returns the names of the tools of the log's runs, sorted: those
// with results and those that ran and found nothing (a run without
// results says its tool found nothing; a log without runs says nothing).
func (l *Log) Tools() []string {
	return slices.Sorted(maps.Keys(l.tools))
}

// Result is one problem a tool reports.
type Result struct {
	// Tool is the name of the run's tool.driver; ToolVersion its version
	// (or semanticVersion), "" when it states none.
	Tool, ToolVersion string
	// RuleID is the rule's ID (result.ruleId, result.rule.id, or the ID
	// of the rule ruleIndex points at); "" when the result names none.
	RuleID string
	// RuleName is the rule's name, else its short description.
	RuleName string
	// Message is the result's message text (a message string of its rule
	// filled with the result's arguments when it gives only an ID).
	Message  string
	Location Location
	// Level is the SARIF level: error, warning, note or none.
	Level string
	// Severity is the rating: from security-severity (of the result, else
	// of its rule) as CVSS bands, else from Level (error high, warning
	// medium, note low, none none). Score is the security-severity, 0
	// when there is none.
	Severity model.Rating
	Score    float64
	// Suppressed is set when the result carries a suppression in force
	// (status accepted, or none stated).
	Suppressed bool
	// Fingerprint identifies the result across logs of the same tool (see
	// fingerprint); FingerprintFrom says where it came from.
	Fingerprint, FingerprintFrom string
}

// Location is where a result is.
type Location struct {
	// URI is the artifact's URI as the log states it, relative to
	// URIBaseID when that is set (e.g. %SRCROOT%).
	URI, URIBaseID string
	// StartLine and EndLine are the region's lines, 0 when not stated.
	StartLine, EndLine int
	// Snippet is the region's text, when the log quotes it.
	Snippet string
	// Logical is the fully qualified name of the result's logical
	// location (a function, a class) when it has no physical one or
	// besides it.
	Logical string
}

// Where a fingerprint comes from (Result.FingerprintFrom).
const (
	FromPartial      = "partialFingerprints"
	FromFingerprints = "fingerprints"
	FromContent      = "content"
)

// Read reads a log of at most MaxSize bytes from r.
func Read(r io.Reader) (*Log, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading sarif log: %w", err)
	}
	return Parse(data)
}

// Parse parses a SARIF 2.1.0 log. It is tolerant of properties the schema
// does not know and of missing optional ones (a result without a message),
// and strict where the log could not be meant: other JSON than one object,
// another version, more than MaxSize bytes or MaxResults results.
func Parse(data []byte) (*Log, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, MaxSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var w wireLog
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, describeJSONError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the log's JSON object", ErrInvalid)
	}
	if w.Version == "" {
		return nil, fmt.Errorf("%w: no version (a SARIF log states \"version\": \"2.1.0\")", ErrInvalid)
	}
	if w.Version != "2.1.0" {
		return nil, fmt.Errorf("%w: version %q (only 2.1.0 is read)", ErrInvalid, w.Version)
	}
	n := 0
	for _, run := range w.Runs {
		n += len(run.Results)
	}
	if n > MaxResults {
		return nil, fmt.Errorf("%w: %d results (at most %d)", ErrTooLarge, n, MaxResults)
	}
	l := &Log{Version: w.Version, Runs: len(w.Runs), Results: make([]Result, 0, n), tools: map[string]bool{}}
	for ri := range w.Runs {
		run := &w.Runs[ri]
		if run.Tool.Driver.Name == "" && len(run.Results) > 0 {
			return nil, fmt.Errorf("%w: run %d: tool.driver has no name", ErrInvalid, ri)
		}
		if run.Tool.Driver.Name != "" {
			l.tools[run.Tool.Driver.Name] = true
		}
		// Identical results of a run (the same rule and code twice in a
		// file) are told apart by their order: the second gets "#1".
		seen := map[string]int{}
		for i := range run.Results {
			wr := &run.Results[i]
			if wr.Kind == "pass" || wr.Kind == "notApplicable" {
				l.Skipped++
				continue
			}
			r := readResult(run, wr)
			fp := r.Fingerprint
			if k := seen[fp]; k > 0 {
				r.Fingerprint = digest("occurrence", fp, strconv.Itoa(k))
			}
			seen[fp]++
			l.Results = append(l.Results, r)
		}
	}
	return l, nil
}

// describeJSONError names what is wrong with the JSON, with the offset of
// a syntax error.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		return fmt.Sprintf("%s is a JSON %s, not a %s", typ.Field, typ.Value, typ.Type)
	case errors.Is(err, io.EOF):
		return "empty input"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	}
	return err.Error()
}

func readResult(run *wireRun, wr *wireResult) Result {
	d := &run.Tool.Driver
	r := Result{Tool: d.Name, ToolVersion: cmp.Or(d.Version, d.SemanticVersion)}
	rule := resolveRule(run, wr)
	r.RuleID = wr.RuleID
	if r.RuleID == "" && wr.Rule != nil {
		r.RuleID = wr.Rule.ID
	}
	if rule != nil {
		r.RuleID = cmp.Or(r.RuleID, rule.ID)
		r.RuleName = rule.Name
		if rule.ShortDescription != nil {
			r.RuleName = cmp.Or(r.RuleName, rule.ShortDescription.Text)
		}
	}
	r.RuleName = clip(r.RuleName)
	r.Message = clip(messageText(wr.Message, rule))
	r.Location = readLocation(run, wr.Locations)
	r.Level = wr.Level
	if r.Level == "" && rule != nil && rule.DefaultConfiguration != nil {
		r.Level = rule.DefaultConfiguration.Level
	}
	if r.Level == "" {
		r.Level = "warning" // the specification's default
		if wr.Kind != "" && wr.Kind != "fail" {
			r.Level = "none"
		}
	}
	r.Score = securitySeverity(wr.Properties)
	if r.Score == 0 && rule != nil {
		r.Score = securitySeverity(rule.Properties)
	}
	r.Severity = rating(r.Score, r.Level)
	for _, s := range wr.Suppressions {
		if s.Status == "" || s.Status == "accepted" {
			r.Suppressed = true
		}
	}
	r.Fingerprint, r.FingerprintFrom = fingerprint(wr, &r)
	return r
}

// resolveRule finds the rule descriptor of a result: by index (ruleIndex
// or rule.index, in the driver or in the extension rule.toolComponent
// names), else by ID in the driver's and the extensions' rules (a
// hierarchical ID "A/1" also by its first part). nil when there is none.
func resolveRule(run *wireRun, wr *wireResult) *wireRule {
	comp := &run.Tool.Driver
	if wr.Rule != nil && wr.Rule.ToolComponent != nil {
		tc := wr.Rule.ToolComponent
		switch {
		case tc.Index != nil && *tc.Index >= 0 && *tc.Index < len(run.Tool.Extensions):
			comp = &run.Tool.Extensions[*tc.Index]
		case tc.Name != "":
			for i := range run.Tool.Extensions {
				if run.Tool.Extensions[i].Name == tc.Name {
					comp = &run.Tool.Extensions[i]
				}
			}
		}
	}
	idx := wr.RuleIndex
	if idx == nil && wr.Rule != nil {
		idx = wr.Rule.Index
	}
	if idx != nil && *idx >= 0 && *idx < len(comp.Rules) {
		return &comp.Rules[*idx]
	}
	id := wr.RuleID
	if id == "" && wr.Rule != nil {
		id = wr.Rule.ID
	}
	if id == "" {
		return nil
	}
	comps := []*wireComponent{&run.Tool.Driver}
	for i := range run.Tool.Extensions {
		comps = append(comps, &run.Tool.Extensions[i])
	}
	for _, want := range []string{id, strings.SplitN(id, "/", 2)[0]} {
		for _, c := range comps {
			for i := range c.Rules {
				if c.Rules[i].ID == want {
					return &c.Rules[i]
				}
			}
		}
	}
	return nil
}

// messageText is a result's message: its text (else markdown), else its
// rule's message string of that ID with the arguments put in, else the
// rule's short description.
func messageText(m wireMessage, rule *wireRule) string {
	if t := cmp.Or(m.Text, m.Markdown); t != "" {
		return fillArguments(t, m.Arguments)
	}
	if rule == nil {
		return ""
	}
	if s, ok := rule.MessageStrings[m.ID]; m.ID != "" && ok {
		return fillArguments(cmp.Or(s.Text, s.Markdown), m.Arguments)
	}
	if rule.ShortDescription != nil {
		return rule.ShortDescription.Text
	}
	return ""
}

// fillArguments replaces the placeholders {0}, {1}… with the arguments.
func fillArguments(t string, args []string) string {
	for i, a := range args {
		t = strings.ReplaceAll(t, "{"+strconv.Itoa(i)+"}", a)
	}
	return t
}

// readLocation reads the first location; an artifact location by index
// takes the run's artifact's URI.
func readLocation(run *wireRun, locs []wireLocation) Location {
	var loc Location
	if len(locs) == 0 {
		return loc
	}
	l := locs[0]
	for _, ll := range l.LogicalLocations {
		if loc.Logical = cmp.Or(ll.FullyQualifiedName, ll.Name); loc.Logical != "" {
			break
		}
	}
	loc.Logical = clip(loc.Logical)
	p := l.PhysicalLocation
	if p == nil {
		return loc
	}
	if a := p.ArtifactLocation; a != nil {
		loc.URI, loc.URIBaseID = a.URI, a.URIBaseID
		if loc.URI == "" && a.Index != nil && *a.Index >= 0 && *a.Index < len(run.Artifacts) {
			art := run.Artifacts[*a.Index].Location
			loc.URI, loc.URIBaseID = art.URI, cmp.Or(loc.URIBaseID, art.URIBaseID)
		}
	}
	loc.URI = clip(loc.URI)
	if g := p.Region; g != nil {
		loc.StartLine, loc.EndLine = max(g.StartLine, 0), max(g.EndLine, 0)
		if loc.EndLine < loc.StartLine {
			loc.EndLine = loc.StartLine
		}
		if g.Snippet != nil {
			loc.Snippet = clip(g.Snippet.Text)
		}
	}
	return loc
}

// securitySeverity reads the security-severity property (a string or a
// number, 0–10); 0 when absent or not a score.
func securitySeverity(p wireProperties) float64 {
	raw := bytes.TrimSpace(p.SecuritySeverity)
	if len(raw) == 0 {
		return 0
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f > 10 || f != f {
		return 0
	}
	return f
}

// rating is the rating of a security-severity score by the CVSS v3
// bands (GitHub code scanning reads them alike), else of a level.
func rating(score float64, level string) model.Rating {
	switch {
	case score >= 9:
		return model.RatingCritical
	case score >= 7:
		return model.RatingHigh
	case score >= 4:
		return model.RatingMedium
	case score > 0:
		return model.RatingLow
	}
	switch level {
	case "error":
		return model.RatingHigh
	case "warning":
		return model.RatingMedium
	case "note":
		return model.RatingLow
	case "none":
		return model.RatingNone
	}
	return model.RatingUnknown
}

// fingerprint identifies a result across logs of its tool, always with
// its rule ID (two rules may flag the same code):
//
//   - partialFingerprints when the result has them (every key, sorted:
//     primaryLocationLineHash and the like are what the tool, or GitHub's
//     upload action, computed to survive edits elsewhere in the file);
//   - else fingerprints (the tool's own stable identities);
//   - else a digest of the rule, the artifact (base ID and URI), the
//     logical location and the code: the snippet with its white space
//     collapsed, or the message when the log quotes no code.
//
// The line number is deliberately left out of the last: code that moves
// (lines added above it) keeps its fingerprint and stays one finding, and
// the same code flagged twice in a file is told apart by occurrence (see
// Parse). The price is that a snippet-less result whose message names no
// line changes identity only with its rule, file or message.
func fingerprint(wr *wireResult, r *Result) (string, string) {
	for _, src := range []struct {
		m    map[string]string
		from string
	}{{wr.PartialFingerprints, FromPartial}, {wr.Fingerprints, FromFingerprints}} {
		if len(src.m) == 0 {
			continue
		}
		parts := []string{src.from, r.RuleID}
		for _, k := range slices.Sorted(maps.Keys(src.m)) {
			parts = append(parts, k, src.m[k])
		}
		return digest(parts...), src.from
	}
	text := strings.Join(strings.Fields(r.Location.Snippet), " ")
	if text == "" {
		text = r.Message
	}
	return digest(FromContent, r.RuleID, r.Location.URIBaseID, r.Location.URI, r.Location.Logical, text), FromContent
}

// digest is the hex SHA-256 of the parts, each ended by a NUL.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// clip cuts a text over maxText bytes at a rune boundary, with "…".
func clip(s string) string {
	if len(s) <= maxText {
		return s
	}
	cut := maxText
	for cut > 0 && s[cut]&0xc0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
