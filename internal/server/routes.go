package server

import (
	"net/http"
	"slices"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/report"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/ssvc"
	"github.com/vulndesk/vulndesk/internal/store"
)

// route is one entry of the route table.
type route struct {
	Method, Pattern string
	// Public routes need no credentials; all others need a session or a
	// token whose role has Perm (0: any signed-in caller).
	Public bool
	Perm   auth.Perm
	// Page routes answer people: redirects to /login and plain-text
	// errors instead of JSON. They are not in the OpenAPI document.
	Page    bool
	Summary string
	Tag     string
	// Query documents the query parameters; no other is accepted.
	Query []param
	// Body and Resp name the request and response schemas (see openapi.go);
	// Body "sbom" is a raw SBOM document, "sarif" a raw SARIF log, "form"
	// a page's HTML form.
	Body, Resp string
	// Status is the success status (200 when 0).
	Status int
	h      handlerFunc
}

// param is one documented query parameter.
type param struct {
	Name, Type, Desc string
	// Enum lists the values it takes (the list validation uses); with
	// List, it takes a comma-separated list of them.
	Enum []string
	List bool
	// Required parameters must be given.
	Required bool
}

var allowEmpty = param{Name: "allow_empty", Type: "boolean", Desc: "true stores an SBOM with no components, which resolves every finding of the asset"}

var pageParams = []param{
	{Name: "cursor", Type: "string", Desc: "opaque cursor: the previous page's next_cursor"},
	{Name: "limit", Type: "integer", Desc: "page size, 1–500 (default 50)"},
}

var sourceParam = param{Name: "source", Type: "string", Desc: "the file name to record with the snapshot, at most 255 characters (default: a multipart upload's file name)"}

// findingFilterParams are the filters of the findings list, which bulk
// triage takes too.
var findingFilterParams = []param{
	{Name: "asset", Type: "string", Desc: "only the findings of this asset, by ID or name (404 when there is none)"},
	{Name: "severity", Type: "string", Desc: "only findings of these severities, comma-separated (any case)", Enum: strs(model.Ratings), List: true},
	{Name: "status", Type: "string", Desc: "open (the default), resolved or all", Enum: model.FindingStatusFilters},
	{Name: "kev", Type: "boolean", Desc: "true: only findings listed in CISA KEV"},
	{Name: "ecosystem", Type: "string", Desc: "only this OSV ecosystem, in any case (PyPI, go), or purl type (pypi, golang)"},
	{Name: "q", Type: "string", Desc: "only findings with this text in their package, advisory ID, alias (CVE, GHSA, EUVD, …) or asset name, at most 200 characters"},
	{Name: "min_score", Type: "number", Desc: "only findings whose CVSS base score is at least this, 0–10; a finding without a score counts as 0, so any min_score above 0 leaves it out"},
	{Name: "max_score", Type: "number", Desc: "only findings whose CVSS base score is at most this, 0–10; a finding without a score counts as 0 and is kept (max_score=0: only those)"},
	{Name: "sort", Type: "string", Desc: "the order: severity (the default: most severe first, then newest) or score (highest CVSS base score first, findings without one last; ties by severity, then newest). A next_cursor holds only for the sort that gave it: with another, 400", Enum: store.FindingSorts},
	{Name: "state", Type: "string", Desc: "only findings in these triage states, comma-separated", Enum: model.TriageStates, List: true},
	{Name: "sla_state", Type: "string", Desc: "only findings whose remediation clock is in this state now: on_track, due_soon or breached (open findings) or met or missed (closed ones)", Enum: strs(sla.States)},
	{Name: "priority", Type: "string", Desc: "only findings of these SSVC priorities, comma-separated", Enum: strs(ssvc.Decisions), List: true},
	{Name: "assignee", Type: "string", Desc: "only findings assigned to this person or team (exact name); none: only those assigned to nobody"},
	{Name: "kind", Type: "string", Desc: "only findings of this kind: dependency (matched advisories) or code (results of imported SARIF logs)", Enum: model.FindingKinds},
}

// exportParams are the findings export's: the list's filters and the
// format.
var exportParams = append(slices.Clone(findingFilterParams),
	param{Name: "format", Type: "string", Desc: "csv (the default: RFC 4180 with a header row), json (one array) or ndjson (one object a line)", Enum: report.ExportFormats})

func (s *Server) table() []route {
	read, upload, triage, admin := auth.PermRead, auth.PermUpload, auth.PermTriage, auth.PermAdmin
	get, post, patch, del := http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	put := http.MethodPut
	return []route{
		// People.
		{Method: get, Pattern: "/login", Public: true, Page: true, Summary: "sign-in page",
			Query: []param{{Name: "next", Type: "string", Desc: "where to go after signing in (a path on this site)"}}, h: s.loginPage},
		{Method: post, Pattern: "/login", Public: true, Page: true, Summary: "sign in", Body: "form", h: s.login},
		{Method: post, Pattern: "/logout", Page: true, Summary: "sign out", h: s.logout},
		{Method: get, Pattern: "/{$}", Perm: read, Page: true, Summary: "see the dashboard", h: s.dashboardPage},
		{Method: get, Pattern: "/findings", Perm: read, Page: true, Summary: "see the findings", h: s.findingsPage},
		{Method: get, Pattern: "/findings/{id}", Perm: read, Page: true, Summary: "see a finding", h: s.findingPage},
		{Method: get, Pattern: "/advisories/{id}", Perm: read, Page: true, Summary: "see an advisory and what it affects", h: s.advisoryPage},
		{Method: get, Pattern: "/assets", Perm: read, Page: true, Summary: "see the assets", h: s.assetsPage},
		{Method: get, Pattern: "/assets/new", Perm: triage, Page: true, Summary: "see the form to create assets", h: s.newAssetPage},
		{Method: post, Pattern: "/assets", Perm: triage, Page: true, Summary: "create assets", Body: "form", h: s.createAssetForm},
		{Method: get, Pattern: "/assets/{id}", Perm: read, Page: true, Summary: "see an asset", h: s.assetPage},
		{Method: get, Pattern: "/assets/{id}/edit", Perm: triage, Page: true, Summary: "see the form to change assets", h: s.editAssetPage},
		{Method: post, Pattern: "/assets/{id}", Perm: triage, Page: true, Summary: "change assets", Body: "form", h: s.updateAssetForm},
		{Method: post, Pattern: "/assets/{id}/sboms", Perm: upload, Page: true, Summary: "upload SBOMs", Body: "sbom", h: s.uploadPage},
		{Method: post, Pattern: "/assets/{id}/scans", Perm: upload, Page: true, Summary: "record external scans with their report", Body: "file", h: s.recordScanPage},
		{Method: get, Pattern: "/scans", Perm: read, Page: true, Summary: "see the assets overdue for a scan and the cadence", h: s.scansPage},
		{Method: post, Pattern: "/scans/cadence", Perm: admin, Page: true, Summary: "change the scan cadence", Body: "form", h: s.setCadencePage},
		{Method: get, Pattern: "/assets/{id}/diff", Perm: read, Page: true, Summary: "compare two snapshots of an asset", h: s.assetDiffPage},
		{Method: get, Pattern: "/static/{file}", Public: true, Page: true, Summary: "static files", h: s.static},
		{Method: get, Pattern: "/feeds", Perm: read, Page: true, Summary: "see the feeds and their jobs", h: s.feedsPage},
		{Method: get, Pattern: "/feeds/new", Perm: admin, Page: true, Summary: "configure feeds", h: s.newFeedPage},
		{Method: post, Pattern: "/feeds", Perm: admin, Page: true, Summary: "configure feeds", Body: "form", h: s.createFeedPage},
		{Method: get, Pattern: "/feeds/{id}", Perm: read, Page: true, Summary: "see a feed", h: s.feedPage},
		{Method: post, Pattern: "/feeds/{id}", Perm: admin, Page: true, Summary: "configure feeds", Body: "form", h: s.updateFeedPage},
		{Method: post, Pattern: "/feeds/{id}/sync", Perm: triage, Page: true, Summary: "sync feeds on demand", Body: "form", h: s.syncFeedPage},
		{Method: get, Pattern: "/notifications", Perm: read, Page: true, Summary: "see notification channels, rules and deliveries", h: s.notificationsPage},
		{Method: post, Pattern: "/notifications/channels", Perm: admin, Page: true, Summary: "configure notifications", Body: "form", h: s.createChannelPage},
		{Method: post, Pattern: "/notifications/channels/{id}/test", Perm: admin, Page: true, Summary: "send a test notification", Body: "form", h: s.testChannelPage},
		{Method: post, Pattern: "/notifications/channels/{id}/delete", Perm: admin, Page: true, Summary: "configure notifications", Body: "form", h: deleteOnPage(s.Svc.DeleteChannel)},
		{Method: post, Pattern: "/notifications/rules", Perm: admin, Page: true, Summary: "configure notifications", Body: "form", h: s.createRulePage},
		{Method: post, Pattern: "/notifications/rules/{id}/delete", Perm: admin, Page: true, Summary: "configure notifications", Body: "form", h: deleteOnPage(s.Svc.DeleteRule)},
		{Method: post, Pattern: "/feeds/{id}/delete", Perm: admin, Page: true, Summary: "delete feeds", Body: "form", h: s.deleteFeedPage},
		{Method: get, Pattern: "/audit", Perm: auth.PermAudit, Page: true, Summary: "read the audit log",
			Query: []param{{Name: "object_type", Type: "string"}, {Name: "object_id", Type: "string"}, {Name: "actor", Type: "string"},
				{Name: "kind", Type: "string"}, {Name: "before", Type: "integer"}, {Name: "verify", Type: "boolean"}}, h: s.auditPage},
		{Method: get, Pattern: "/access", Page: true, Summary: "see your access", h: s.accessPage},
		{Method: post, Pattern: "/access/password", Page: true, Summary: "change your own password", Body: "form", h: s.changePasswordPage},
		{Method: post, Pattern: "/access/users", Perm: admin, Page: true, Summary: "create users", Body: "form", h: s.createUserPage},
		{Method: post, Pattern: "/access/users/{id}", Perm: admin, Page: true, Summary: "change a user's role or disable users", Body: "form", h: s.updateUserPage},
		{Method: post, Pattern: "/access/users/{id}/password", Perm: admin, Page: true, Summary: "set users' passwords", Body: "form", h: s.setUserPasswordPage},
		{Method: post, Pattern: "/access/tokens", Perm: admin, Page: true, Summary: "create API tokens", Body: "form", h: s.createTokenPage},
		{Method: post, Pattern: "/access/tokens/{id}/revoke", Perm: admin, Page: true, Summary: "revoke API tokens", Body: "form", h: s.revokeTokenPage},
		// Triage pages.
		{Method: post, Pattern: "/findings/triage", Perm: triage, Page: true, Summary: "triage the findings a filter selects", Body: "form", h: s.bulkTriagePage},
		{Method: post, Pattern: "/findings/{id}/triage", Perm: triage, Page: true, Summary: "triage findings", Body: "form", h: s.findingFormPage("triaged")},
		{Method: post, Pattern: "/findings/{id}/assign", Perm: triage, Page: true, Summary: "assign findings", Body: "form", h: s.findingFormPage("assigned")},
		{Method: post, Pattern: "/findings/{id}/comments", Perm: triage, Page: true, Summary: "comment on findings", Body: "form", h: s.findingFormPage("commented")},
		{Method: post, Pattern: "/findings/{id}/ticket", Perm: triage, Page: true, Summary: "link findings to tickets", Body: "form", h: s.findingFormPage("ticket")},
		{Method: post, Pattern: "/findings/{id}/exception", Perm: triage, Page: true, Summary: "request exceptions", Body: "form", h: s.findingFormPage("exception")},
		{Method: get, Pattern: "/exceptions", Perm: read, Page: true, Summary: "see the exceptions",
			Query: []param{{Name: "state", Type: "string", Desc: "only exceptions in this state", Enum: model.ExceptionStates}}, h: s.exceptionsPage},
		{Method: get, Pattern: "/exceptions/{id}", Perm: read, Page: true, Summary: "see an exception", h: s.exceptionPage},
		{Method: post, Pattern: "/exceptions/{id}/approve", Perm: admin, Page: true, Summary: "approve exceptions someone else requested", Body: "form", h: s.decideExceptionPage("approve")},
		{Method: post, Pattern: "/exceptions/{id}/reject", Perm: admin, Page: true, Summary: "reject exceptions", Body: "form", h: s.decideExceptionPage("reject")},
		{Method: post, Pattern: "/exceptions/{id}/revoke", Perm: admin, Page: true, Summary: "revoke approved exceptions", Body: "form", h: s.decideExceptionPage("revoke")},
		{Method: get, Pattern: "/vex", Perm: read, Page: true, Summary: "see the VEX import form and exports", h: s.vexPage},
		{Method: post, Pattern: "/vex", Perm: triage, Page: true, Summary: "import VEX documents", Body: "vex", h: s.importVEXPage},
		{Method: get, Pattern: "/sla", Perm: read, Page: true, Summary: "see the SLA policy and figures", h: s.slaPage},
		{Method: post, Pattern: "/sla", Perm: admin, Page: true, Summary: "change the SLA policy", Body: "form", h: s.setSLAPolicyPage},

		// Operations.
		{Method: get, Pattern: "/healthz", Public: true, Summary: "liveness", Tag: "operations", Resp: "Health", h: s.healthz},
		{Method: get, Pattern: "/readyz", Public: true, Summary: "readiness: the database answers", Tag: "operations", Resp: "Health", h: s.readyz},
		{Method: get, Pattern: "/metrics", Perm: read, Summary: "read metrics (Prometheus text format)", Tag: "operations", Resp: "text", h: s.metricsHandler},
		{Method: get, Pattern: "/api/v1/openapi.json", Public: true, Summary: "this API's OpenAPI 3 document", Tag: "operations", Resp: "object", h: s.openapi},
		{Method: get, Pattern: "/api/v1/me", Summary: "see who you are", Tag: "operations", Resp: "Me", h: s.me},
		{Method: get, Pattern: "/api/v1/overview", Perm: read, Summary: "read the overview", Tag: "operations", Resp: "Overview", h: s.overview},
		{Method: get, Pattern: "/api/v1/jobs", Perm: read, Summary: "list background jobs", Tag: "operations",
			Query: []param{{Name: "kind", Type: "string", Desc: "only jobs of this kind", Enum: model.JobKinds},
				{Name: "limit", Type: "integer", Desc: "how many of the newest jobs, 1–500 (default 50)"}}, Resp: "JobList", h: s.listJobs},

		// Assets and inventory.
		{Method: get, Pattern: "/api/v1/assets", Perm: read, Summary: "list assets", Tag: "assets",
			Query: append([]param{{Name: "q", Type: "string", Desc: "only assets with this text in their name or owner"}}, pageParams...), Resp: "AssetList", h: s.listAssets},
		{Method: post, Pattern: "/api/v1/assets", Perm: triage, Summary: "create assets", Tag: "assets", Body: "Asset", Resp: "Asset", Status: 201, h: createOne[api.AssetInput]("/api/v1/assets", func() model.Asset { return model.Asset{} }, assetID, s.Svc.CreateAsset)},
		{Method: get, Pattern: "/api/v1/assets/{id}", Perm: read, Summary: "read an asset", Tag: "assets", Resp: "Asset", h: readOne("asset", s.Store.Asset)},
		{Method: patch, Pattern: "/api/v1/assets/{id}", Perm: triage, Summary: "change assets", Tag: "assets", Body: "Asset", Resp: "Asset", h: changeOne[api.AssetInput](s.Svc.UpdateAsset)},
		{Method: del, Pattern: "/api/v1/assets/{id}", Perm: admin, Summary: "delete assets", Tag: "assets", Status: 204, h: deleteOne(s.Svc.DeleteAsset)},
		{Method: get, Pattern: "/api/v1/assets/{id}/snapshots", Perm: read, Summary: "list an asset's inventory snapshots", Tag: "assets", Resp: "SnapshotList", h: s.listSnapshots},
		{Method: post, Pattern: "/api/v1/assets/{id}/sboms", Perm: upload, Summary: "upload SBOMs", Tag: "assets",
			Query: []param{sourceParam, allowEmpty}, Body: "sbom", Resp: "Ingest", Status: 201, h: s.uploadToAsset},
		{Method: post, Pattern: "/api/v1/sboms", Perm: upload, Summary: "upload SBOMs", Tag: "assets",
			Query: []param{{Name: "asset", Type: "string", Desc: "the asset's name", Required: true},
				{Name: "create", Type: "boolean", Desc: "true creates the asset when it does not exist"},
				{Name: "kind", Type: "string", Desc: "the kind of an asset created (default application)", Enum: model.AssetKinds},
				sourceParam, allowEmpty},
			Body: "sbom", Resp: "Ingest", Status: 201, h: s.uploadByName},
		{Method: post, Pattern: "/api/v1/assets/{id}/sarif", Perm: upload, Summary: "import SARIF logs: each run's results become code findings of the asset on the branch; the tool's open findings on the branch the log no longer has are resolved", Tag: "assets",
			Query: []param{branchParam, sourceParam}, Body: "sarif", Resp: "SARIFImport", h: s.importSARIF},
		{Method: get, Pattern: "/api/v1/assets/{id}/scans", Perm: read, Summary: "list an asset's scan records, newest first: SBOM uploads, SARIF imports and external scans, each with the hash of its raw document", Tag: "scans",
			Query: pageParams, Resp: "ScanRecordList", h: s.listScans},
		{Method: post, Pattern: "/api/v1/assets/{id}/scans", Perm: upload, Summary: "record external scans (a penetration test, a DAST run) with their report", Tag: "scans",
			Query: externalScanParams, Body: "file", Resp: "ScanRecord", Status: 201, h: s.recordExternalScan},
		{Method: get, Pattern: "/api/v1/scans/{id}/document", Perm: read, Summary: "download the exact document behind a scan record, as it was sent", Tag: "scans", Resp: "binary", h: s.scanDocument},
		{Method: get, Pattern: "/api/v1/scans/overdue", Perm: read, Summary: "list the assets overdue for a scan: their newest scan is older than the cadence for their exposure", Tag: "scans", Resp: "OverdueScans", h: s.overdueScans},
		{Method: get, Pattern: "/api/v1/assets/{id}/sbom", Perm: read, Summary: "export an asset's SBOM", Tag: "assets", Resp: "cyclonedx", h: s.assetSBOM},
		{Method: get, Pattern: "/api/v1/assets/{id}/vdr", Perm: read, Summary: "export an asset's vulnerability disclosure report", Tag: "assets", Resp: "cyclonedx", h: s.assetVDR},
		{Method: get, Pattern: "/api/v1/snapshots/{id}", Perm: read, Summary: "read a snapshot", Tag: "assets", Resp: "Snapshot", h: readOne("snapshot", s.Store.Snapshot)},
		{Method: get, Pattern: "/api/v1/snapshots/{id}/components", Perm: read, Summary: "list a snapshot's components", Tag: "assets",
			Query: pageParams, Resp: "ComponentList", h: s.listComponents},

		// Findings and advisories.
		{Method: get, Pattern: "/api/v1/findings", Perm: read, Summary: "list findings", Tag: "findings",
			Query: append(slices.Clone(findingFilterParams), pageParams...), Resp: "FindingList", h: s.listFindings},
		{Method: get, Pattern: "/api/v1/findings/export", Perm: read, Summary: "export findings", Tag: "findings",
			Query: exportParams, Resp: "findings-export", h: s.exportFindings},
		{Method: get, Pattern: "/api/v1/findings/{id}", Perm: read, Summary: "read a finding", Tag: "findings", Resp: "Finding", h: s.getFinding},
		{Method: post, Pattern: "/api/v1/findings/{id}/triage", Perm: triage, Summary: "triage findings: set a finding's state with the reason (and for not_affected the VEX justification); the decision follows the vulnerability in the same package of the asset across upgrades", Tag: "triage", Body: "TriageInput", Resp: "Finding", h: s.triageFinding},
		{Method: get, Pattern: "/api/v1/findings/{id}/history", Perm: read, Summary: "read a finding's history: every state change (by people and by detection), assignment, comment and ticket, oldest first", Tag: "triage", Resp: "HistoryList", h: s.findingHistory},
		{Method: post, Pattern: "/api/v1/findings/{id}/assign", Perm: triage, Summary: "assign findings to a person or team", Tag: "triage", Body: "Assignment", Resp: "Finding", h: s.assignFinding},
		{Method: post, Pattern: "/api/v1/findings/{id}/comments", Perm: triage, Summary: "comment on findings", Tag: "triage", Body: "Comment", Resp: "Finding", h: s.commentFinding},
		{Method: post, Pattern: "/api/v1/findings/{id}/ticket", Perm: triage, Summary: "link findings to the external ticket that tracks their remediation", Tag: "triage", Body: "Ticket", Resp: "Finding", h: s.ticketFinding},
		{Method: post, Pattern: "/api/v1/triage", Perm: triage, Summary: "triage findings in bulk: those listed, or those the query's filters select (as GET /api/v1/findings takes them), each recorded on its own", Tag: "triage",
			Query: findingFilterParams, Body: "BulkTriage", Resp: "BulkTriaged", h: s.bulkTriage},
		{Method: get, Pattern: "/api/v1/exceptions", Perm: read, Summary: "list exceptions (risk acceptance), newest first", Tag: "triage",
			Query: []param{{Name: "state", Type: "string", Desc: "only exceptions in this state", Enum: model.ExceptionStates}}, Resp: "ExceptionList", h: s.listExceptions},
		{Method: post, Pattern: "/api/v1/exceptions", Perm: triage, Summary: "request exceptions: accept the risk of findings until a date, once another administrator approves", Tag: "triage", Body: "ExceptionInput", Resp: "Exception", Status: 201, h: s.requestException},
		{Method: get, Pattern: "/api/v1/exceptions/{id}", Perm: read, Summary: "read an exception", Tag: "triage", Resp: "Exception", h: readOne("exception", s.Store.Exception)},
		{Method: post, Pattern: "/api/v1/exceptions/{id}/approve", Perm: admin, Summary: "approve exceptions someone else requested: their findings become risk_accepted", Tag: "triage", Body: "ExceptionDecision", Resp: "Exception", h: s.decideException("approve")},
		{Method: post, Pattern: "/api/v1/exceptions/{id}/reject", Perm: admin, Summary: "reject exceptions", Tag: "triage", Body: "ExceptionDecision", Resp: "Exception", h: s.decideException("reject")},
		{Method: post, Pattern: "/api/v1/exceptions/{id}/revoke", Perm: admin, Summary: "revoke approved exceptions before they expire: their findings reopen", Tag: "triage", Body: "ExceptionDecision", Resp: "Exception", h: s.decideException("revoke")},
		// VEX (issue 13).
		{Method: post, Pattern: "/api/v1/vex", Perm: triage, Summary: "import VEX documents (OpenVEX or CycloneDX VEX): their statements become triage decisions; statements that match nothing are listed", Tag: "triage", Body: "vex", Resp: "VEXImport", h: s.importVEX},
		{Method: get, Pattern: "/api/v1/vex", Perm: read, Summary: "export the decisions about every asset's findings as one VEX document", Tag: "triage", Query: []param{vexFormatParam}, Resp: "vex", h: s.exportVEX},
		{Method: get, Pattern: "/api/v1/assets/{id}/vex", Perm: read, Summary: "export the decisions about an asset's findings as a VEX document", Tag: "triage", Query: []param{vexFormatParam}, Resp: "vex", h: s.exportAssetVEX},
		{Method: get, Pattern: "/api/v1/advisories/{id}", Perm: read, Summary: "read an advisory", Tag: "findings", Resp: "Advisory", h: s.getAdvisory},
		{Method: get, Pattern: "/api/v1/nvd/{id}", Perm: read, Summary: "read the NVD record of a CVE as stored: every CVSS metric with its source, status, weaknesses, references, configurations", Tag: "findings", Resp: "object", h: s.getNVDRecord},

		// SLA and settings.
		{Method: get, Pattern: "/api/v1/sla/policy", Perm: read, Summary: "read the SLA policy in force and its earlier versions", Tag: "sla", Resp: "SLAPolicies", h: s.getSLAPolicy},
		{Method: post, Pattern: "/api/v1/sla/policy", Perm: admin, Summary: "change the SLA policy: record its next version; findings keep the clocks they have", Tag: "sla", Body: "SLAPolicyInput", Resp: "SLAPolicy", Status: 201, h: s.setSLAPolicy},
		{Method: get, Pattern: "/api/v1/sla/figures", Perm: read, Summary: "read the SLA figures of a period: % closed within SLA, time to remediate, open past due", Tag: "sla",
			Query: slaFigureParams, Resp: "SLAFigureReport", h: s.slaFigures},
		{Method: get, Pattern: "/api/v1/settings", Perm: admin, Summary: "read the settings", Tag: "operations", Resp: "Settings", h: s.getSettings},
		{Method: patch, Pattern: "/api/v1/settings", Perm: admin, Summary: "change settings", Tag: "operations", Body: "SettingsPatch", Resp: "Settings", h: s.patchSettings},

		// Feeds.
		{Method: get, Pattern: "/api/v1/feeds", Perm: read, Summary: "list feeds with their health", Tag: "feeds", Resp: "FeedList", h: listAll(s.Store.Feeds)},
		{Method: post, Pattern: "/api/v1/feeds", Perm: admin, Summary: "configure feeds", Tag: "feeds", Body: "Feed", Resp: "Feed", Status: 201, h: createOne[api.FeedInput]("/api/v1/feeds", func() model.Feed { return model.Feed{Enabled: true} }, feedID, s.Svc.CreateFeed)},
		{Method: get, Pattern: "/api/v1/feeds/{id}", Perm: read, Summary: "read a feed's health", Tag: "feeds", Resp: "Feed", h: readOne("feed", s.Store.Feed)},
		{Method: patch, Pattern: "/api/v1/feeds/{id}", Perm: admin, Summary: "configure feeds", Tag: "feeds", Body: "Feed", Resp: "Feed", h: changeOne[api.FeedInput](s.Svc.UpdateFeed)},
		{Method: del, Pattern: "/api/v1/feeds/{id}", Perm: admin, Summary: "delete feeds", Tag: "feeds", Status: 204, h: deleteOne(s.Svc.DeleteFeed)},
		{Method: post, Pattern: "/api/v1/feeds/{id}/sync", Perm: triage, Summary: "sync feeds on demand", Tag: "feeds",
			Query: []param{{Name: "force", Type: "boolean", Desc: "true processes the content even when it has not changed"}}, Resp: "Queued", Status: 202, h: s.syncFeed},

		// Notifications.
		{Method: get, Pattern: "/api/v1/notifications/channels", Perm: read, Summary: "list notification channels", Tag: "notifications", Resp: "ChannelList", h: s.listChannels},
		{Method: post, Pattern: "/api/v1/notifications/channels", Perm: admin, Summary: "configure notifications", Tag: "notifications", Body: "NewChannel", Resp: "CreatedChannel", Status: 201, h: s.createChannel},
		{Method: get, Pattern: "/api/v1/notifications/channels/{id}", Perm: read, Summary: "read a notification channel", Tag: "notifications", Resp: "Channel", h: s.readChannel},
		{Method: del, Pattern: "/api/v1/notifications/channels/{id}", Perm: admin, Summary: "configure notifications", Tag: "notifications", Status: 204, h: deleteOne(s.Svc.DeleteChannel)},
		{Method: post, Pattern: "/api/v1/notifications/channels/{id}/test", Perm: admin, Summary: "send a test notification", Tag: "notifications", Resp: "Delivery", Status: 202, h: s.testChannel},
		{Method: get, Pattern: "/api/v1/notifications/rules", Perm: read, Summary: "list notification rules", Tag: "notifications", Resp: "RuleList", h: listAll(s.Store.Rules)},
		{Method: post, Pattern: "/api/v1/notifications/rules", Perm: admin, Summary: "configure notifications", Tag: "notifications", Body: "NewRule", Resp: "Rule", Status: 201, h: s.createRule},
		{Method: del, Pattern: "/api/v1/notifications/rules/{id}", Perm: admin, Summary: "configure notifications", Tag: "notifications", Status: 204, h: deleteOne(s.Svc.DeleteRule)},
		{Method: get, Pattern: "/api/v1/notifications/deliveries", Perm: read, Summary: "read the notification delivery log", Tag: "notifications", Query: deliveryParams, Resp: "DeliveryList", h: s.listDeliveries},
		{Method: get, Pattern: "/api/v1/notifications/deliveries/{id}", Perm: read, Summary: "read the notification delivery log", Tag: "notifications", Resp: "Delivery", h: readOne("delivery", s.Store.Delivery)},

		// Access.
		{Method: get, Pattern: "/api/v1/tokens", Perm: admin, Summary: "list API tokens", Tag: "access", Resp: "TokenList", h: listAll(s.Store.Tokens)},
		{Method: post, Pattern: "/api/v1/tokens", Perm: admin, Summary: "create API tokens", Tag: "access", Body: "NewToken", Resp: "CreatedToken", Status: 201, h: s.createToken},
		{Method: del, Pattern: "/api/v1/tokens/{id}", Perm: admin, Summary: "revoke API tokens", Tag: "access", Status: 204, h: deleteOne(s.Svc.RevokeToken)},
		{Method: get, Pattern: "/api/v1/users", Perm: admin, Summary: "list users", Tag: "access", Resp: "UserList", h: listAll(s.Store.Users)},
		{Method: post, Pattern: "/api/v1/users", Perm: admin, Summary: "create users", Tag: "access", Body: "NewUser", Resp: "CreatedUser", Status: 201, h: s.createUser},
		{Method: patch, Pattern: "/api/v1/users/{id}", Perm: admin, Summary: "change a user's role or disable users", Tag: "access", Body: "UserChange", Resp: "User", h: s.updateUser},
		{Method: get, Pattern: "/api/v1/audit/events", Perm: auth.PermAudit, Summary: "read the audit log", Tag: "access",
			Query: append(auditParams, pageParams...), Resp: "AuditEventList", h: s.listAuditEvents},
		{Method: post, Pattern: "/api/v1/users/{id}/password", Perm: admin, Summary: "set users' passwords", Tag: "access", Body: "SetPassword", Resp: "NewPassword", h: s.setUserPassword},
		{Method: post, Pattern: "/api/v1/me/password", Summary: "change your own password", Tag: "access", Body: "OwnPassword", Status: 204, h: s.changeOwnPassword},

		// Coordinated vulnerability disclosure: security.txt, the policy and its settings (issue 14, sectxt).
		{Method: get, Pattern: "/.well-known/security.txt", Public: true, Page: true, Summary: "read security.txt (RFC 9116)", h: s.securityTxt},
		{Method: get, Pattern: "/security.txt", Public: true, Page: true, Summary: "read security.txt at its legacy location (a redirect)", h: s.securityTxtRedirect},
		{Method: get, Pattern: "/security/policy", Public: true, Page: true, Summary: "read the vulnerability disclosure policy", h: s.policyPage},
		{Method: get, Pattern: "/settings/disclosure", Perm: admin, Page: true, Summary: "see and change the disclosure settings", h: s.disclosurePage},
		{Method: post, Pattern: "/settings/disclosure", Perm: admin, Page: true, Summary: "change the disclosure settings", Body: "form", h: s.setDisclosurePage},
		{Method: get, Pattern: "/api/v1/settings/disclosure", Perm: admin, Summary: "read the disclosure settings, the security.txt served and what would make it lapse", Tag: "disclosure", Resp: "DisclosureSettings", h: s.getDisclosure},
		{Method: patch, Pattern: "/api/v1/settings/disclosure", Perm: admin, Summary: "change the disclosure settings: the fields given, validated together", Tag: "disclosure", Body: "DisclosurePatch", Resp: "DisclosureSettings", h: s.patchDisclosure},
		// Disclosure cases (issue 14, part cases): the public report form,
		// tracking link and acknowledgements; staff pages and API.
		{Method: get, Pattern: "/security/report", Public: true, Page: true, Summary: "see the vulnerability report form", h: s.reportPage},
		{Method: post, Pattern: "/security/report", Public: true, Page: true, Summary: "report vulnerabilities", Body: "report", h: s.submitReport},
		{Method: get, Pattern: trackPath, Public: true, Page: true, Summary: "follow a reported case by its tracking link", h: s.trackPage},
		{Method: post, Pattern: trackPath, Public: true, Page: true, Summary: "message the team about a reported case", Body: "report", h: s.trackMessage},
		{Method: get, Pattern: "/security/acknowledgements", Public: true, Page: true, Summary: "see who is credited for disclosed vulnerabilities", h: s.acknowledgementsPage},
		{Method: get, Pattern: "/cases", Perm: read, Page: true, Summary: "see the disclosure cases",
			Query: caseListParams, h: s.casesPage},
		{Method: get, Pattern: "/cases/{id}", Perm: read, Page: true, Summary: "see a disclosure case", h: s.casePage},
		{Method: get, Pattern: "/cases/{id}/attachments/{aid}", Perm: read, Page: true, Summary: "download a case's attachments", h: s.caseAttachment},
		{Method: post, Pattern: "/cases/{id}/state", Perm: triage, Page: true, Summary: "change a case's state", Body: "form", h: s.caseForm("state", s.caseStateForm)},
		{Method: post, Pattern: "/cases/{id}/messages", Perm: triage, Page: true, Summary: "message reporters and note on cases", Body: "form", h: s.caseForm("message", s.caseMessageForm)},
		{Method: post, Pattern: "/cases/{id}/edit", Perm: triage, Page: true, Summary: "change cases", Body: "form", h: s.caseForm("edit", s.caseEditForm)},
		{Method: post, Pattern: "/cases/{id}/links", Perm: triage, Page: true, Summary: "link cases", Body: "form", h: s.caseForm("link", s.caseLinkForm)},
		{Method: post, Pattern: "/cases/{id}/links/{lid}/delete", Perm: triage, Page: true, Summary: "link cases", Body: "form", h: s.caseForm("unlink", s.caseUnlinkForm)},
		{Method: post, Pattern: "/cases/{id}/extensions", Perm: triage, Page: true, Summary: "extend cases' disclosure dates", Body: "form", h: s.caseForm("extended", s.caseExtendForm)},
		{Method: get, Pattern: "/api/v1/cases", Perm: read, Summary: "list disclosure cases, newest first (at most 500), each with its timers", Tag: "cases",
			Query: caseListParams, Resp: "CaseList", h: s.listCases},
		{Method: get, Pattern: "/api/v1/cases/{id}", Perm: read, Summary: "read a disclosure case with its messages, attachments, links and extensions", Tag: "cases", Resp: "CaseDetail", h: s.getCase},
		{Method: patch, Pattern: "/api/v1/cases/{id}", Perm: triage, Summary: "change a case's severity, assignee, CVE and EUVD IDs, credit and exploitation flag", Tag: "cases", Body: "CasePatch", Resp: "Case", h: changeCase(http.StatusOK, s.Svc.PatchCase)},
		{Method: post, Pattern: "/api/v1/cases/{id}/state", Perm: triage, Summary: "move a case to another state", Tag: "cases", Body: "CaseStateChange", Resp: "Case", h: changeCase(http.StatusOK, s.Svc.MoveCase)},
		{Method: get, Pattern: "/api/v1/cases/{id}/messages", Perm: read, Summary: "list a case's messages, internal notes too", Tag: "cases", Resp: "CaseMessageList", h: s.listCaseMessages},
		{Method: post, Pattern: "/api/v1/cases/{id}/messages", Perm: triage, Summary: "message the reporter of a case, or add an internal note", Tag: "cases", Body: "CaseMessageInput", Resp: "CaseMessage", Status: 201, h: changeCase(http.StatusCreated, s.Svc.StaffMessage)},
		{Method: get, Pattern: "/api/v1/attachments/{id}", Perm: read, Summary: "download a case's attachment", Tag: "cases", Resp: "binary", h: s.caseAttachment},
		{Method: post, Pattern: "/api/v1/cases/{id}/links", Perm: triage, Summary: "link a case to an asset, finding or advisory", Tag: "cases", Body: "CaseLinkInput", Resp: "CaseLink", Status: 201, h: changeCase(http.StatusCreated, s.Svc.LinkCase)},
		{Method: del, Pattern: "/api/v1/cases/{id}/links/{lid}", Perm: triage, Summary: "remove a case's link", Tag: "cases", Status: 204, h: s.unlinkCase},
		{Method: post, Pattern: "/api/v1/cases/{id}/extensions", Perm: triage, Summary: "extend a case's disclosure date", Tag: "cases", Body: "CaseExtensionInput", Resp: "Case", h: changeCase(http.StatusOK, s.Svc.ExtendDisclosure)},
		// CSAF advisories (issue 14, csaf): own security advisories, the
		// CSAF provider under /.well-known/csaf/ and the public list.
		{Method: get, Pattern: "/security-advisories", Perm: read, Page: true, Summary: "see the security advisories", h: s.secAdvisoriesPage},
		{Method: post, Pattern: "/security-advisories", Perm: triage, Page: true, Summary: "write security advisories", Body: "form", h: s.createSecAdvisoryPage},
		{Method: get, Pattern: "/security-advisories/{id}", Perm: read, Page: true, Summary: "see a security advisory", h: s.secAdvisoryPage},
		{Method: post, Pattern: "/security-advisories/{id}", Perm: triage, Page: true, Summary: "write security advisories", Body: "form", h: s.updateSecAdvisoryPage},
		{Method: post, Pattern: "/security-advisories/{id}/submit", Perm: triage, Page: true, Summary: "submit security advisories for review", Body: "form", h: s.secAdvActionPage(false)},
		{Method: post, Pattern: "/security-advisories/{id}/publish", Perm: admin, Page: true, Summary: "publish security advisories", Body: "form", h: s.secAdvActionPage(true)},
		{Method: get, Pattern: "/security/advisories", Public: true, Page: true, Summary: "see the published security advisories", h: s.publicAdvisoriesPage},
		{Method: get, Pattern: "/.well-known/csaf/provider-metadata.json", Public: true, Page: true, Summary: "CSAF provider metadata", h: s.csafProviderMetadata},
		{Method: get, Pattern: "/.well-known/csaf/white/index.txt", Public: true, Page: true, Summary: "CSAF index of TLP:WHITE documents", h: s.csafIndex},
		{Method: get, Pattern: "/.well-known/csaf/white/changes.csv", Public: true, Page: true, Summary: "CSAF changes of TLP:WHITE documents", h: s.csafChanges},
		{Method: get, Pattern: "/.well-known/csaf/white/{year}/{file}", Public: true, Page: true, Summary: "CSAF documents with their hashes and signatures", h: s.csafWhiteFile},
		{Method: get, Pattern: "/.well-known/csaf/white/{$}", Public: true, Page: true, Summary: "the listing of the CSAF TLP:WHITE folder", h: s.csafListing},
		{Method: get, Pattern: "/.well-known/csaf/white/{year}/{$}", Public: true, Page: true, Summary: "the listing of a CSAF year folder", h: s.csafListing},
		{Method: get, Pattern: "/.well-known/csaf/openpgp/{file}", Public: true, Page: true, Summary: "the CSAF provider's OpenPGP public key", h: s.csafPublicKey},
		{Method: get, Pattern: "/api/v1/security-advisories", Perm: read, Summary: "list own security advisories, newest first", Tag: "advisories",
			Query: []param{secAdvStateParam}, Resp: "SecurityAdvisoryList", h: s.listSecAdvisories},
		{Method: post, Pattern: "/api/v1/security-advisories", Perm: triage, Summary: "write security advisories: create a draft with the next tracking ID", Tag: "advisories",
			Body: "SecurityAdvisory", Resp: "SecurityAdvisory", Status: 201, h: createOne[api.SecurityAdvisoryInput]("/api/v1/security-advisories", func() model.SecurityAdvisory { return model.SecurityAdvisory{} }, secAdvID, s.Svc.CreateSecAdvisory)},
		{Method: get, Pattern: "/api/v1/security-advisories/{id}", Perm: read, Summary: "read a security advisory with its revisions", Tag: "advisories", Resp: "SecurityAdvisory", h: readOne("security advisory", s.Store.SecAdvisory)},
		{Method: patch, Pattern: "/api/v1/security-advisories/{id}", Perm: triage, Summary: "write security advisories: change a draft or one in review; changing a published one starts its next revision", Tag: "advisories",
			Body: "SecurityAdvisory", Resp: "SecurityAdvisory", h: changeOne[api.SecurityAdvisoryInput](s.Svc.UpdateSecAdvisory)},
		{Method: post, Pattern: "/api/v1/security-advisories/{id}/submit", Perm: triage, Summary: "submit security advisories for review: a complete draft goes to review", Tag: "advisories", Resp: "SecurityAdvisory", h: s.secAdvAction(false)},
		{Method: post, Pattern: "/api/v1/security-advisories/{id}/publish", Perm: admin, Summary: "publish security advisories: one in review becomes its next published revision, served as signed CSAF under /.well-known/csaf/", Tag: "advisories", Resp: "SecurityAdvisory", h: s.secAdvAction(true)},
		{Method: get, Pattern: "/api/v1/security-advisories/{id}/csaf", Perm: read, Summary: "read a security advisory as CSAF 2.0: the published bytes, or a preview while it is a draft or in review", Tag: "advisories", Resp: "object", h: s.secAdvDocument(false)},
		{Method: get, Pattern: "/api/v1/security-advisories/{id}/osv", Perm: read, Summary: "read a security advisory as OSV: the published record, or a preview while it is a draft or in review", Tag: "advisories", Resp: "object", h: s.secAdvDocument(true)},
		// CRA (issue 14, part cra): products and their support period,
		// outbound reports, CRA Art. 14 clocks.
		{Method: get, Pattern: "/products", Perm: read, Page: true, Summary: "see the products and their support period",
			Query: []param{{Name: "edit", Type: "integer", Desc: "the asset ID of a product to fill the form with"}}, h: s.productsPage},
		{Method: post, Pattern: "/products", Perm: triage, Page: true, Summary: "mark assets as products or change them", Body: "form", h: s.setProductPage},
		{Method: post, Pattern: "/products/{id}/delete", Perm: admin, Page: true, Summary: "unmark products", Body: "form", h: s.unmarkProductPage},
		{Method: get, Pattern: "/cra", Perm: read, Page: true, Summary: "see the CRA reporting clocks, candidates and outbound reports", h: s.craPage},
		{Method: post, Pattern: "/cra", Perm: triage, Page: true, Summary: "start CRA clocks", Body: "form", h: s.startCRAPage},
		{Method: get, Pattern: "/cra/{id}", Perm: read, Page: true, Summary: "see a CRA clock with its drafts", h: s.craClockPage},
		{Method: post, Pattern: "/cra/{id}/drafts", Perm: triage, Page: true, Summary: "save CRA report drafts", Body: "form", h: s.craClockForm("drafts", s.saveCRADraftPage)},
		{Method: post, Pattern: "/cra/{id}/mitigation", Perm: triage, Page: true, Summary: "record corrective or mitigating measures", Body: "form", h: s.craClockForm("mitigation", s.craMitigationPage)},
		{Method: post, Pattern: "/cra/{id}/submissions", Perm: triage, Page: true, Summary: "record CRA report submissions", Body: "form", h: s.craClockForm("submission", s.craSubmissionPage)},
		{Method: post, Pattern: "/outbound-reports", Perm: triage, Page: true, Summary: "record outbound reports", Body: "form", h: s.recordOutboundPage},
		{Method: post, Pattern: "/outbound-reports/{id}", Perm: triage, Page: true, Summary: "update outbound reports", Body: "form", h: s.updateOutboundPage},
		{Method: get, Pattern: "/api/v1/products", Perm: read, Summary: "list the products the organisation makes, with their support period and status", Tag: "cra",
			Query: productListParams, Resp: "ProductList", h: s.listProducts},
		{Method: put, Pattern: "/api/v1/assets/{id}/product", Perm: triage, Summary: "mark assets as products or change them", Tag: "cra", Body: "ProductInput", Resp: "Product", h: actOn(http.StatusOK, s.setProduct)},
		{Method: del, Pattern: "/api/v1/assets/{id}/product", Perm: admin, Summary: "unmark products", Tag: "cra", Status: 204, h: deleteOne(s.Svc.UnmarkProduct)},
		{Method: get, Pattern: "/api/v1/outbound-reports", Perm: read, Summary: "list outbound reports: CSIRT escalations and upstream reports", Tag: "cra",
			Query: outboundParams, Resp: "OutboundReportList", h: s.listOutbound},
		{Method: post, Pattern: "/api/v1/outbound-reports", Perm: triage, Summary: "record outbound reports", Tag: "cra", Body: "NewOutboundReport", Resp: "OutboundReport", Status: 201, h: createBy("/api/v1/outbound-reports", func(o model.OutboundReport) int64 { return o.ID }, s.recordOutbound)},
		{Method: get, Pattern: "/api/v1/outbound-reports/{id}", Perm: read, Summary: "read an outbound report", Tag: "cra", Resp: "OutboundReport", h: readOne("outbound report", s.Store.OutboundReport)},
		{Method: patch, Pattern: "/api/v1/outbound-reports/{id}", Perm: triage, Summary: "record what became of outbound reports", Tag: "cra", Body: "OutboundUpdate", Resp: "OutboundReport", h: actOn(http.StatusOK, s.Svc.UpdateOutbound)},
		{Method: get, Pattern: "/api/v1/cra", Perm: read, Summary: "list the CRA Art. 14 clocks and the KEV-listed findings of products without one", Tag: "cra",
			Query: craListParams, Resp: "CRAList", h: s.listCRA},
		{Method: post, Pattern: "/api/v1/cra", Perm: triage, Summary: "start CRA clocks: flag a finding or case as actively exploited in a product", Tag: "cra", Body: "CRAStart", Resp: "CRAClock", Status: 201, h: createBy("/api/v1/cra", func(c model.CRAClock) int64 { return c.ID }, s.Svc.StartCRAClock)},
		{Method: get, Pattern: "/api/v1/cra/{id}", Perm: read, Summary: "read a CRA clock", Tag: "cra", Resp: "CRAClock", h: readOne("CRA clock", s.Store.CRAClock)},
		{Method: patch, Pattern: "/api/v1/cra/{id}/drafts", Perm: triage, Summary: "save CRA report drafts", Tag: "cra", Body: "CRADraftsPatch", Resp: "CRAClock", h: actOn(http.StatusOK, s.Svc.SaveCRADrafts)},
		{Method: post, Pattern: "/api/v1/cra/{id}/mitigation", Perm: triage, Summary: "record corrective or mitigating measures", Tag: "cra", Body: "CRAMitigation", Resp: "CRAClock", h: actOn(http.StatusOK, s.Svc.RecordCRAMitigation)},
		{Method: post, Pattern: "/api/v1/cra/{id}/submissions", Perm: triage, Summary: "record CRA report submissions", Tag: "cra", Body: "CRASubmissionInput", Resp: "CRASubmission", Status: 201, h: actOn(http.StatusCreated, s.Svc.RecordCRASubmission)},
	}
}

func assetID(a model.Asset) int64 { return a.ID }
func feedID(f model.Feed) int64   { return f.ID }
