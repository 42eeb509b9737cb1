package model

// Finding kinds (AssetFinding.Kind): what found it.
const (
	// KindDependency is an advisory matched to a package of the asset's
	// inventory.
	KindDependency = "dependency"
	// KindCode is a result of a SARIF log (a static analysis, secret or
	// container scanner) imported for the asset.
	KindCode = "code"
)

// FindingKinds lists the finding kinds.
var FindingKinds = []string{KindDependency, KindCode}

// ResolvedByScan is why a code finding is resolved: the latest SARIF log
// of its tool on its branch no longer has it.
const ResolvedByScan = "not-in-latest-scan"

// CodeFinding is what a code finding has beyond a finding: where a tool
// found it and by which rule.
type CodeFinding struct {
	Tool        string       `json:"tool" doc:"the name of the tool that reported it (the SARIF run's tool.driver.name)"`
	ToolVersion string       `json:"tool_version,omitempty" doc:"the tool's version as the log states it; absent when it states none"`
	Branch      string       `json:"branch" doc:"the branch (or other line of code) the log was imported for"`
	Rule        string       `json:"rule" doc:"the ID of the rule it breaks (ruleId, or the rule ruleIndex points at); no-rule when the result names none"`
	RuleName    string       `json:"rule_name,omitempty" doc:"the rule's name, else its short description; absent when the log gives neither"`
	Location    CodeLocation `json:"location" doc:"where in the code"`
	// Fingerprint identifies the result across imports of its tool's logs
	// on its branch (sarif.Result.Fingerprint).
	Fingerprint     string `json:"fingerprint" doc:"what identifies the result across imports (hex SHA-256): of the rule and the result's partialFingerprints when it has them, else its fingerprints, else of the rule, the file and the code (snippet, or message) — not the line, so code that moves stays one finding"`
	FingerprintFrom string `json:"fingerprint_from" doc:"where the fingerprint comes from: partialFingerprints, fingerprints or content"`
	Level           string `json:"level" doc:"the SARIF level: error, warning, note or none"`
	Message         string `json:"message,omitempty" doc:"the result's message; absent when it has none"`
	Suppressed      bool   `json:"suppressed" doc:"whether the log marks the result suppressed (in the source or externally), with its suppression accepted"`
	ScanRecordID    int64  `json:"scan_record_id,omitempty" doc:"the scan record of the import that last saw it; absent for none"`
}

// CodeLocation is where a code finding is.
type CodeLocation struct {
	URI       string `json:"uri,omitempty" doc:"the file's URI as the log states it (relative to uri_base_id when that is set); absent when the result names no file"`
	URIBaseID string `json:"uri_base_id,omitempty" doc:"the base the URI is relative to (e.g. %SRCROOT%); absent when none"`
	StartLine int    `json:"start_line,omitempty" doc:"the first line of the region; absent when not stated"`
	EndLine   int    `json:"end_line,omitempty" doc:"the last line of the region; absent when not stated"`
	Logical   string `json:"logical,omitempty" doc:"the fully qualified name of the logical location (a function, a class); absent when none"`
	Snippet   string `json:"snippet,omitempty" doc:"the region's code as the log quotes it; absent when it does not"`
}

// SARIFCounts says what importing SARIF results did to code findings.
type SARIFCounts struct {
	New        int `json:"new" doc:"results not seen before on this asset, branch and tool: new findings"`
	Unchanged  int `json:"unchanged" doc:"results of open findings seen again"`
	Resolved   int `json:"resolved" doc:"open findings of the log's tools on this branch and asset that the log no longer has: resolved (not-in-latest-scan)"`
	Reopened   int `json:"reopened" doc:"results of resolved findings seen again: reopened"`
	Suppressed int `json:"suppressed" doc:"results the log marks suppressed (counted among the others too; stored and marked)"`
	Results    int `json:"results" doc:"results read (of kind fail, review, open or informational; duplicates of one fingerprint counted once)"`
}

// Add adds o's counts to c.
func (c *SARIFCounts) Add(o SARIFCounts) {
	c.New, c.Unchanged, c.Resolved = c.New+o.New, c.Unchanged+o.Unchanged, c.Resolved+o.Resolved
	c.Reopened, c.Suppressed, c.Results = c.Reopened+o.Reopened, c.Suppressed+o.Suppressed, c.Results+o.Results
}

// SARIFImport is the answer to a SARIF import.
type SARIFImport struct {
	AssetID int64    `json:"asset_id" doc:"the asset the log was imported for"`
	Branch  string   `json:"branch" doc:"the branch it was imported for"`
	Tools   []string `json:"tools" doc:"the tools of the log's runs, sorted: each one's open findings on this branch that the log no longer has are resolved, no other tool's"`
	SARIFCounts
	Skipped int `json:"skipped" doc:"results of kind pass or notApplicable: checks that held, not findings"`
	// ScanRecords are the scan records of the import, one per tool.
	ScanRecords []int64 `json:"scan_records,omitempty" doc:"the IDs of the scan records of the import, one per tool; absent when none was kept"`
}
