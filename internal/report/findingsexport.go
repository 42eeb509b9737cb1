package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// The findings export's formats.
const (
	ExportCSV    = "csv"    // RFC 4180, a header row, one row per finding
	ExportJSON   = "json"   // one JSON array of api.FindingRow
	ExportNDJSON = "ndjson" // one api.FindingRow a line
)

// ExportFormats lists the findings export's formats, the default first.
var ExportFormats = []string{ExportCSV, ExportJSON, ExportNDJSON}

// ExportMediaTypes are the formats' media types.
var ExportMediaTypes = map[string]string{
	ExportCSV:    "text/csv; charset=utf-8",
	ExportJSON:   "application/json",
	ExportNDJSON: "application/x-ndjson",
}

// FindingColumns are the CSV export's header: api.FindingRow's JSON
// names, in its order.
var FindingColumns = []string{"id", "asset_id", "asset", "ecosystem", "package", "version", "purl", "advisory", "aliases",
	"summary", "severity", "score", "kev", "epss", "status", "state", "priority", "sla_due_at", "sla_state", "assignee",
	"first_seen", "last_seen", "resolved_at", "fix"}

// FindingRowOf flattens a finding of the list into its export row.
func FindingRowOf(f model.AssetFinding) api.FindingRow {
	r := api.FindingRow{ID: f.ID, AssetID: f.AssetID, Asset: f.AssetName, Ecosystem: f.Ecosystem, Package: f.Package,
		Version: f.Version, PURL: f.PURL, Advisory: f.VulnID, Aliases: f.Aliases, Summary: f.Summary, Severity: f.Severity,
		Score: f.Score, KEV: f.KEV, EPSS: f.EPSS, Status: f.Status, State: f.State, Assignee: f.Assignee,
		FirstSeen: f.FirstSeen, LastSeen: f.LastSeen, ResolvedAt: f.ResolvedAt, Fix: f.Fix}
	if r.Aliases == nil {
		r.Aliases = []string{}
	}
	if f.Priority != nil {
		r.Priority = f.Priority.Decision
	}
	if f.SLA != nil {
		r.SLADueAt, r.SLAState = f.SLA.DueAt, f.SLA.State
	}
	return r
}

// FindingsExport writes findings one at a time in one of ExportFormats,
// holding none of them: an export of any size takes the memory of one
// row and the writers' buffers.
type FindingsExport struct {
	format string
	buf    *bufio.Writer
	csv    *csv.Writer
	json   *json.Encoder
	rows   int
	cells  []string
}

// NewFindingsExport starts an export to w: the CSV header, or the JSON
// array's opening bracket.
func NewFindingsExport(w io.Writer, format string) (*FindingsExport, error) {
	e := &FindingsExport{format: format, buf: bufio.NewWriterSize(w, 32<<10)}
	switch format {
	case ExportCSV:
		e.csv = csv.NewWriter(e.buf)
		e.cells = make([]string, len(FindingColumns))
		return e, e.csv.Write(FindingColumns)
	case ExportJSON, ExportNDJSON:
		e.json = json.NewEncoder(e.buf)
		e.json.SetEscapeHTML(false)
		if format == ExportJSON {
			_, err := e.buf.WriteString("[")
			return e, err
		}
		return e, nil
	}
	return nil, fmt.Errorf("export format %q: %s", format, strings.Join(ExportFormats, ", "))
}

// Write writes one finding.
func (e *FindingsExport) Write(f model.AssetFinding) error {
	r := FindingRowOf(f)
	e.rows++
	if e.csv != nil {
		return e.csv.Write(csvCells(e.cells, r))
	}
	if e.format == ExportJSON && e.rows > 1 {
		if err := e.buf.WriteByte(','); err != nil {
			return err
		}
	}
	return e.json.Encode(r) // a value and a newline
}

// Rows is how many findings were written.
func (e *FindingsExport) Rows() int { return e.rows }

// Flush hands what is buffered to the underlying writer.
func (e *FindingsExport) Flush() error {
	if e.csv != nil {
		e.csv.Flush()
		if err := e.csv.Error(); err != nil {
			return err
		}
	}
	return e.buf.Flush()
}

// Close ends the export (the JSON array's closing bracket) and flushes it.
func (e *FindingsExport) Close() error {
	if e.format == ExportJSON {
		if _, err := e.buf.WriteString("]\n"); err != nil {
			return err
		}
	}
	return e.Flush()
}

// csvCells fills cells with r's values in FindingColumns' order, each
// made safe to open in a spreadsheet.
func csvCells(cells []string, r api.FindingRow) []string {
	score, epss := "", ""
	if r.Score > 0 {
		score = strconv.FormatFloat(r.Score, 'f', -1, 64)
	}
	if r.EPSS != nil {
		epss = strconv.FormatFloat(*r.EPSS, 'f', -1, 64)
	}
	vals := [...]string{strconv.FormatInt(r.ID, 10), strconv.FormatInt(r.AssetID, 10), r.Asset, r.Ecosystem, r.Package,
		r.Version, r.PURL, r.Advisory, strings.Join(r.Aliases, " "), r.Summary, r.Severity, score, strconv.FormatBool(r.KEV),
		epss, r.Status, r.State, r.Priority, csvTime(r.SLADueAt), r.SLAState, r.Assignee, csvTime(r.FirstSeen),
		csvTime(r.LastSeen), csvTime(r.ResolvedAt), r.Fix}
	for i, v := range vals {
		cells[i] = SafeCell(v)
	}
	return cells
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// SafeCell is a CSV cell that a spreadsheet shows as text rather than
// evaluates: one starting with =, +, -, @, a tab or a carriage return
// (which Excel, LibreOffice and Google Sheets read as a formula) gets a
// leading apostrophe (OWASP's advice on CSV injection). Package names,
// versions, summaries and assignees come from SBOMs, advisories and
// people, so any of them may start so.
func SafeCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
