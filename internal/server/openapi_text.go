package server

import (
	"fmt"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/ssvc"
)

// The words of the OpenAPI document: what each schema and operation is,
// and the fixed sets of values fields take. The values are the Go lists
// that validation uses, so the document cannot drift from it.

// enums are the fields that take one of a fixed set of values.
var enums = map[fieldKey][]string{
	field[model.Asset]("kind"):                 model.AssetKinds,
	field[model.Asset]("exposure"):             model.Exposures,
	field[model.Asset]("lifecycle"):            model.Lifecycles,
	field[api.AssetInput]("kind"):              model.AssetKinds,
	field[api.AssetInput]("exposure"):          model.Exposures,
	field[api.AssetInput]("lifecycle"):         model.Lifecycles,
	field[model.Feed]("kind"):                  model.FeedKinds,
	field[api.FeedInput]("kind"):               model.FeedKinds,
	field[model.Job]("kind"):                   model.JobKinds,
	field[model.ScanRecord]("kind"):            model.ScanKinds,
	field[model.Job]("state"):                  model.JobStates,
	field[model.QueueStat]("kind"):             model.JobKinds,
	field[model.AssetFinding]("status"):        model.FindingStatuses,
	field[model.AssetFinding]("severity"):      strs(model.Ratings),
	field[model.AssetFinding]("resolution"):    model.Resolutions,
	field[model.Severity]("rating"):            strs(model.Ratings),
	field[model.Component]("scope"):            strs(model.Scopes),
	field[model.User]("role"):                  strs(auth.Roles),
	field[model.Token]("role"):                 strs(auth.Roles),
	field[api.NewToken]("role"):                strs(auth.Roles),
	field[api.NewUser]("role"):                 strs(auth.Roles),
	field[api.UserChange]("role"):              strs(auth.Roles),
	field[api.Me]("role"):                      strs(auth.Roles),
	field[api.Me]("scopes"):                    auth.RoleAdmin.Perms().Scopes(), // every scope
	field[model.AssetFinding]("state"):         model.TriageStates,
	field[model.Decision]("state"):             model.TriageStates,
	field[model.Decision]("justification"):     model.Justifications,
	field[model.TriageInput]("state"):          model.DecidableStates,
	field[model.TriageInput]("justification"):  model.Justifications,
	field[api.BulkTriage]("state"):             model.DecidableStates,
	field[api.BulkTriage]("justification"):     model.Justifications,
	field[model.HistoryEntry]("from"):          model.TriageStates,
	field[model.HistoryEntry]("to"):            model.TriageStates,
	field[model.HistoryEntry]("justification"): model.Justifications,
	field[model.HistoryEntry]("kind"):          model.HistoryKinds,
	field[model.SLAView]("state"):              strs(sla.States),
	field[model.PriorityView]("decision"):      strs(ssvc.Decisions),
	field[model.Exception]("state"):            model.ExceptionStates,
	field[model.Exception]("scope"):            model.ExceptionScopes,
	field[sla.Policy]("unknown_as"):            strs(sla.RatedSeverities),
	field[sla.PolicyInput]("unknown_as"):       strs(sla.RatedSeverities),
	field[api.SLAFigureGroup]("severity"):      strs(model.Ratings),
	field[model.Channel]("kind"):               model.ChannelKinds,
	field[api.NewChannel]("kind"):              model.ChannelKinds,
	field[model.NotifyRule]("events"):          model.NotifyEvents,
	field[api.NewRule]("events"):               model.NotifyEvents,
	field[model.Delivery]("state"):             model.DeliveryStates,
	field[model.NotifyItem]("event"):           model.NotifyEvents,

	// Disclosure cases (issue 14, part cases).
	field[model.Case]("state"):              model.CaseStates,
	field[model.CaseStateChange]("state"):   model.CaseStates,
	field[model.CaseTimer]("name"):          model.CaseTimerNames,
	field[model.CaseTimer]("state"):         strs(sla.States),
	field[model.CaseMessage]("author_kind"): {model.AuthorReporter, model.AuthorStaff},
	field[model.CaseLink]("kind"):           model.CaseLinkKinds,
	field[model.CaseLinkInput]("kind"):      model.CaseLinkKinds,
	// CSAF advisories (issue 14, csaf).
	field[model.SecurityAdvisory]("state"):      model.SecAdvStates,
	field[model.SecurityAdvisory]("profile"):    model.SecAdvProfiles,
	field[model.SecurityAdvisory]("tlp"):        {"WHITE"},
	field[api.SecurityAdvisoryInput]("profile"): model.SecAdvProfiles,
	field[api.SecurityAdvisoryInput]("tlp"):     {"WHITE"},
	field[model.SecAdvProduct]("status"):        model.ProductStatuses,
	// CRA (issue 14, part cra).
	field[model.Product]("support_status"):        model.SupportStates,
	field[model.OutboundReport]("kind"):           model.OutboundKinds,
	field[model.OutboundReport]("status"):         model.OutboundStatuses,
	field[api.NewOutboundReport]("kind"):          model.OutboundKinds,
	field[model.OutboundUpdate]("status"):         model.OutboundStatuses,
	field[model.CRADeadline]("report"):            model.CRAReports,
	field[model.CRADeadline]("state"):             model.CRADeadlineStates,
	field[model.CRASubmission]("report"):          model.CRAReports,
	field[model.CRASubmissionInput]("report"):     model.CRAReports,
	field[model.CRAEarlyWarning]("malicious_act"): model.MaliciousActAnswers,
}

// strs turns a list of named strings into plain strings.
func strs[S ~string](vs []S) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// passwordPolicy says what a chosen password must be (auth.CheckPasswordPolicy).
var passwordPolicy = fmt.Sprintf("A chosen password has at least %d characters and at most %d bytes, no control characters, "+
	"and neither contains the user name or the service's name nor is a common password, a repetition or a run such as abcd or 4321.",
	auth.PolicyMinChars, auth.MaxPasswordLen)

// schemaDocs describe each schema.
var schemaDocs = map[string]string{
	"SARIFImport": "What a SARIF import did: the counts of the code findings of the log's tools on the branch of the asset. " +
		"A result is known by its tool, branch and fingerprint on the asset; nothing of another tool, branch or asset is touched.",
	"CodeFinding": "What a code finding (a result of an imported SARIF log) has beyond a finding: the tool, the rule, the branch and the location.",
	"Asset":       "Something the organisation runs: an application, a host, a device. Its inventory is its newest snapshot.",
	"AssetCreate": "An asset to create. Only name is required; the others default to kind application, criticality 3, " +
		"exposure internal, lifecycle active, no owner, environment, tags or CPEs.",
	"AssetPatch": "The fields of an asset to change. Every field is optional: an absent (or null) field keeps its value; " +
		"tags and cpes replace the lists whole.",
	"AssetList": "A page of assets, by ID.",
	"AuditEventList": "A page of the audit log in chain order (seq), each event with the hashes that chain it; " +
		"vulndesk audit verify checks the chain.",
	"Snapshot":      "One immutable inventory of an asset: the components of one SBOM as it was uploaded. The newest is the asset's current inventory; older ones stay.",
	"SnapshotList":  "Every snapshot of an asset, newest first (not paged).",
	"Component":     "One component of a snapshot, as its SBOM states it.",
	"ComponentList": "A page of a snapshot's components, in upload order.",
	"Ingest":        "What an upload stored, answered to callers who may read assets: the asset as it is now and the new snapshot.",
	"UploadReceipt": "What an upload stored, answered to callers who may upload but not read (the uploader role): the asset by ID and name, and the new snapshot.",
	"Finding": "One advisory affecting one package version of one asset, with its life cycle: open while the asset's current snapshot " +
		"has the version, resolved when not.",
	"FindingList": "A page of findings, most severe first, then newest.",
	"FindingRow":  "One finding as the findings export writes it: flat, the SLA and the priority as their deadline, state and decision.",
	"Evidence":    "Why one affected entry of an advisory covers a component's version.",
	"Advisory":    "An advisory as matching holds it: its IDs, text, dates, references and severity.",
	"Severity":    "An advisory's severity and where it comes from.",
	"Feed":        "A configured advisory source and its health.",
	"FeedCreate":  "A feed to configure. name, kind and url are required; interval_seconds defaults to 3600 and enabled to true.",
	"FeedPatch":   "The fields of a feed to change. Every field is optional: an absent (or null) field keeps its value.",
	"FeedList":    "Every feed with its health (not paged).",
	"Job":         "One unit of background work. Jobs live in the database, so that with several replicas each runs once.",
	"JobList":     "The newest jobs, newest first (not paged: limit says how many).",
	"QueueStat":   "The queue of one kind of job: how many wait and run, and since when the oldest has waited.",
	"Token":       "An API token for machines. Only its hash is kept.",
	"TokenList":   "Every API token, revoked ones too, by ID (not paged).",
	"NewToken": "An API token to create. name and role are required; asset_names and asset_tags are for uploader tokens only " +
		"(other roles read every asset).",
	"CreatedToken": "A new API token with its secret, shown this once.",
	"User":         "A person who signs in to the web interface.",
	"UserList":     "Every user, by ID (not paged).",
	"NewUser":      "A user to create. username and role are required; without a password one is generated. " + passwordPolicy,
	"CreatedUser":  "A new user, with the generated password (shown this once) when none was given.",
	"UserChange": "What to change of a user. Every field is optional: an absent (or null) field keeps its value. " +
		"Admins cannot disable themselves or take away their own admin role.",
	"SetPassword": "A user's new password. Every field is optional: an empty or absent password is generated and answered once. " + passwordPolicy,
	"NewPassword": "The outcome of setting a password, with the generated one shown once.",
	"OwnPassword": "Your current password and the new one. " + passwordPolicy,
	"Overview": "What the overview shows: counts, open findings by severity and in KEV, the assets with the most open findings, " +
		"every feed's health and the job queue.",
	"AssetCount": "An asset with its open findings.",
	"Health":     "Whether the server is alive or ready.",
	"Me":         "Who the caller is and what they may do.",
	"Queued":     "A feed sync queued by this request, or already queued or running.",
	"Error":      "An error answer.",

	"TriageInput":       "A triage decision about one finding.",
	"Assignment":        "Who a finding is assigned to.",
	"Comment":           "A comment on a finding.",
	"Ticket":            "An external ticket tracking a finding's remediation.",
	"HistoryEntry":      "One change of what is decided about a finding.",
	"HistoryList":       "A finding's history, oldest first (not paged).",
	"BulkTriage":        "One triage decision for many findings.",
	"BulkTriaged":       "What a bulk triage did.",
	"Exception":         "An exception (risk acceptance) and what became of it.",
	"ExceptionList":     "Exceptions, newest first (at most 500).",
	"ExceptionInput":    "A request for an exception: one scope, a reason, compensating controls and an expiry.",
	"ExceptionDecision": "A note with an approval, rejection or revocation. Every field is optional, but a revocation needs a reason.",
	"Decision":          "What people decided about a vulnerability on an asset; it follows the finding across upgrades.",
	"SLA":               "A finding's remediation clock: its deadline and state, and the policy version and rule that set it.",
	"Priority":          "A finding's SSVC priority (CISA's deployer tree) with every input it was derived from and its date.",

	"SLAPolicy":       "One version of the SLA policy: the days a finding may stay open by severity × asset exposure, scaled by asset criticality.",
	"SLAPolicies":     "The SLA policy in force and every version, newest first.",
	"SLAPolicyInput":  "A new version of the SLA policy. Every field is required; the server sets version and created_at.",
	"SLADays":         "The days a severity's rule gives, per asset exposure.",
	"SLAFigures":      "The SLA figures of a set of findings over a period.",
	"SLAFigureGroup":  "The SLA figures of one severity or one asset.",
	"SLAFigureReport": "The SLA figures of a period, in all and per severity or asset.",
	"Settings":        "The settings an administrator may change.",
	"ScanRecord":      "A scan of an asset (an SBOM upload, a SARIF import, an external scan) with the hash of the exact document it produced.",
	"ScanRecordList":  "A page of scan records, newest first.",
	"OverdueScans":    "The assets overdue for a scan, with the cadence in force.",
	"OverdueAsset":    "An asset whose newest scan is older than the cadence for its exposure.",
	"SettingsPatch":   "Settings to change. Every field is optional: absent fields stay as they are.",

	"Channel":        "A recipient of notifications: a webhook URL or an email address. A webhook's signing secret is never shown but once, when it is created.",
	"ChannelList":    "Every notification channel (not paged).",
	"NewChannel":     "A channel to create: name and kind are required, and url for a webhook or address for email.",
	"CreatedChannel": "A new channel with, for a webhook, its signing secret, shown this once.",
	"Rule":           "Which events a channel hears of: of which assets, tags or owners, from which priority, at once or in a daily digest.",
	"RuleList":       "Every notification rule (not paged), by channel.",
	"NewRule":        "A rule to create: channel_id and events are required; the filters are optional.",
	"Delivery":       "One message to a channel (an event, a digest or a test) and how sending it went, with the log of its attempts when read alone.",
	"DeliveryList":   "Deliveries, newest first.",
	"DeliveryLog":    "One attempt at a delivery.",
	"NotifyItem":     "One event a notification tells of.",
	// VEX (issue 13).
	"VEXImport":    "What became of an imported VEX document's statements.",
	"VEXUnmatched": "A statement that was not applied, with the reason.",

	// Disclosure settings (issue 14, sectxt).
	"DisclosureSettings": "The disclosure settings in force (defaults for fields never set), with the security.txt served now " +
		"for the address the request came to and the warnings about it.",
	"DisclosurePatch": "Disclosure settings to change. Every field is optional: an absent (or null) field keeps its value; " +
		"a list given replaces the list; csirt's and timers' fields are changed one by one, fix_days by severity. " +
		"The settings are validated as a whole after the change.",
	"CSIRT":           "The national CSIRT designated as coordinator for vulnerability disclosure (NIS2 Art. 12).",
	"CaseTimers":      "The deadlines of a disclosure case, as the policy promises them.",
	"CSIRTPatch":      "The CSIRT's fields to change; an absent field keeps its value.",
	"CaseTimersPatch": "The timers to change; an absent field keeps its value, fix_days changes the severities it names.",
	// Disclosure cases (issue 14, part cases).
	"Case":               "A vulnerability report sent through the public form and what the team does with it: its state, the times it entered each, its timers and IDs. Everything the reporter sent is as they sent it: escape it wherever it is shown.",
	"CaseList":           "Cases, newest first (at most 500, not paged).",
	"CaseDetail":         "A case with its messages (internal notes too), attachments, links and extensions.",
	"CaseTimer":          "One of a case's timers (acknowledge, triage, fix, disclosure) read now.",
	"CaseMessage":        "A message on a case, from the reporter (through the tracking link) or staff; internal notes are never shown to the reporter.",
	"CaseMessageList":    "A case's messages, oldest first (not paged).",
	"CaseAttachment":     "A file sent with a report or a message: its sanitised name, the type its content was sniffed as and its SHA-256.",
	"CaseLink":           "A link from a case to an asset, a finding or an advisory.",
	"CaseExtension":      "An extension of a case's disclosure date, with its reason.",
	"CasePatch":          "Fields of a case to change. Every field is optional: absent fields stay as they are.",
	"CaseStateChange":    "A move of a case to another state.",
	"CaseMessageInput":   "A staff message to the reporter, or an internal note.",
	"CaseLinkInput":      "A link to add to a case: an existing asset or finding by ID, or an advisory by ID or alias.",
	"CaseExtensionInput": "An extension of a case's disclosure date.",
	// CSAF advisories (issue 14, csaf).
	"SecurityAdvisory": "An advisory the organisation publishes about its own products: its content, state (draft, review, " +
		"published) and published revisions. Published, it is served as CSAF 2.0 under /.well-known/csaf/white/<year>/<file_name> " +
		"with .sha256, .sha512 and an OpenPGP .asc signature.",
	"SecurityAdvisoryList": "Own security advisories, newest first (at most 500).",
	"SecurityAdvisoryCreate": "A new advisory: only title is required; the rest may follow while it is a draft. Each product " +
		"names an asset (its name is the product's default name), the affected versions and the fixed one.",
	"SecurityAdvisoryPatch": "The fields of an advisory to change. Every field is optional: an absent field keeps its value; products and vulnerabilities " +
		"replace the lists whole.",
	// CRA (issue 14, part cra).
	"Product":            "A product the organisation makes (an asset marked as one) with its support period (CRA Art. 13(8)), security contact and whether the public sees it.",
	"ProductList":        "Every product (not paged), by name.",
	"ProductInput":       "A product, whole: support_end is required; the name defaults to the asset's, the rest to empty.",
	"OutboundReport":     "A report the team sent to someone else: an escalation to the national CSIRT (NIS2 Art. 12) or a report to a component's upstream maintainers (CRA Art. 13(6)), with what became of it.",
	"OutboundReportList": "Outbound reports, newest sent first.",
	"NewOutboundReport":  "An outbound report to record: kind is required, with case_id or finding_id (or both); an upstream report needs its upstream_project.",
	"OutboundUpdate":     "What became of an outbound report. Every field is optional: absent fields stay as they are, but at least one is given.",
	"CRAClock":           "The CRA Art. 14 reporting of one actively exploited vulnerability in a product: awareness, the measure, the three reports' drafts, their submissions and deadlines.",
	"CRAList":            "The CRA clocks with the findings that may need one.",
	"CRACandidate":       "An open finding listed in CISA KEV on a product's asset without a clock.",
	"CRADeadline":        "One report's deadline and its state when read.",
	"CRASubmission":      "The record of a report's manual submission, with the draft as it was.",
	"CRADrafts":          "The drafts of the three reports of CRA Art. 14(2).",
	"CRAEarlyWarning":    "The early warning's draft (CRA Art. 14(2)(a)).",
	"CRANotification":    "The vulnerability notification's draft (CRA Art. 14(2)(b)).",
	"CRAFinalReport":     "The final report's draft (CRA Art. 14(2)(c)).",
	"CRAStart":           "A finding or case to flag as actively exploited. Every field is optional on its own, but finding_id, or case_id with asset_id and title, must be given.",
	"CRADraftsPatch":     "Drafts to save, each replaced whole. Every field is optional: absent drafts stay as they are, but at least one is given.",
	"CRAMitigation":      "A corrective or mitigating measure that became available. Every field is optional: available_at defaults to now.",
	"CRASubmissionInput": "A report's submission to record: report is required; the channel defaults to ENISA's single reporting platform.",
}

// pathParamDocs describe a {id} path parameter by the collection it is in.
var pathParamDocs = map[string]string{
	"assets":     "the asset's ID",
	"snapshots":  "the snapshot's ID",
	"findings":   "the finding's ID",
	"advisories": "an advisory ID, or an alias of one (CVE-2021-44228 finds GHSA-… and GO-…), 1–200 characters",
	"nvd":        "a CVE ID (CVE-2021-44228)",
	"feeds":      "the feed's ID",
	"tokens":     "the token's ID",
	"users":      "the user's ID",
	"exceptions": "the exception's ID",
	"scans":      "the scan record's ID",
	"channels":   "the notification channel's ID",
	"rules":      "the notification rule's ID",
	"deliveries": "the delivery's ID",
	// Disclosure cases (issue 14, part cases).
	"cases":       "the case's ID (a number; VD-… is its public ID); {lid} is the ID of one of its links",
	"attachments": "a case attachment's ID",
	// CSAF advisories (issue 14, csaf).
	"security-advisories": "the security advisory's ID",

	// CRA (issue 14, part cra).
	"outbound-reports": "the outbound report's ID",
	"cra":              "the CRA clock's ID",
}

// Said of every operation that stores or changes something.
const (
	storageFullDoc = "507 when the database's disk is full: nothing was stored; retry after Retry-After seconds once space is freed."
	uploadDoc      = "Stores the SBOM as the asset's new inventory snapshot and queues its match; its findings follow when the " +
		"match job has run (the snapshot's matched_at). The format is detected from the content: CycloneDX 1.x JSON or XML, " +
		"SPDX 2.x JSON or tag-value, SPDX 3 JSON-LD. Send the document as the body (any Content-Type but multipart) or as " +
		"the first file of a multipart form (curl -F file=@bom.json). An SBOM with no components is refused unless " +
		"allow_empty=true: as the inventory it would resolve every finding of the asset.\n\n" +
		"Callers with the triage permission upload to any asset. An uploader token uploads only to the assets its " +
		"asset_names and asset_tags allow; a person with the uploader role only to existing assets. Callers who may not " +
		"read assets are answered an UploadReceipt, not the whole asset.\n\n" +
		"Uploads being processed share a server-wide memory budget: an upload that finds no room within a while is " +
		"refused with 503 and Retry-After, nothing stored (vulndesk push retries). "
)

// opDocs describe each API operation, by method and pattern.
var opDocs = map[string]string{
	"GET /healthz": "200 while the process serves; the database is not asked. Needs no credentials.",
	"GET /readyz": "200 when the database answers; 503 when it does not or its disk is full, the cause in status. " +
		"Needs no credentials.",
	"GET /metrics": "Prometheus text exposition: request durations by route and status, sign-in failures, the upload budget, " +
		"background jobs by state and kind, each feed's age and failures, open findings.",
	"GET /api/v1/openapi.json": "This document, built from the server's route table and the types its handlers encode. " +
		"Needs no credentials.",
	"GET /api/v1/me": "The caller's name, role and the permissions the role grants; any signed-in caller may ask.",
	"GET /api/v1/overview": "Counts of assets, snapshots, components and advisories; open findings by severity and in KEV; " +
		"the ten assets with the most open findings; every feed's health; the job queue by kind.",
	"GET /api/v1/jobs": "The newest background jobs, newest first, optionally of one kind: matching uploaded snapshots, " +
		"re-matching after advisories changed, feed syncs. A failed job says why in error.",
	"GET /api/v1/assets": "Assets by ID, a page at a time; q keeps those with the text in their name or owner.",
	"POST /api/v1/assets": "Creates an asset (see AssetCreate for the defaults) and answers it with its Location. " +
		"409 when the name is taken. " + storageFullDoc,
	"GET /api/v1/assets/{id}": "One asset, with the ID of its current snapshot.",
	"PATCH /api/v1/assets/{id}": "Changes the fields sent and keeps the others; tags and cpes replace the lists whole. " +
		"409 when a new name is taken. " + storageFullDoc,
	"DELETE /api/v1/assets/{id}":        "Deletes the asset with its snapshots and findings; this cannot be undone. " + storageFullDoc,
	"GET /api/v1/assets/{id}/snapshots": "Every snapshot of the asset, newest first: the first is its current inventory.",
	"POST /api/v1/assets/{id}/sboms":    uploadDoc + storageFullDoc,
	"POST /api/v1/assets/{id}/sarif": "Imports a SARIF 2.1.0 log (SAST, secret, container scanners) in one transaction. Each run's " +
		"results become findings of kind code of the asset, known by (tool, branch, fingerprint): a result not seen before is a " +
		"new finding with its remediation clock and priority, one seen again is unchanged, one resolved before is reopened; the " +
		"open findings of the log's tools on this branch that the log no longer has are resolved (not-in-latest-scan). Findings " +
		"of other tools, other branches and other assets are never touched, and SBOM uploads never resolve code findings. The " +
		"fingerprint is the result's partialFingerprints (else fingerprints) with its rule, else a digest of the rule, file and " +
		"code snippet (or message) without the line number, so code that moves stays one finding. Severity: security-severity " +
		"(CVSS bands), else the level (error high, warning medium, note low). Suppressed results are stored and marked. Send the " +
		"log as the body or as the first file of a multipart form. " + storageFullDoc,
	"POST /api/v1/sboms": "Uploads to the asset named by asset; with create=true the asset is created when it does not " +
		"exist (kind sets its kind), else a missing asset is 404. An uploader token creates assets only when made with " +
		"create_assets, and a token held to asset names is refused (403) for other names before the asset is looked up, " +
		"so the answer does not tell whether it exists.\n\n" + uploadDoc + storageFullDoc,
	"GET /api/v1/snapshots/{id}": "One snapshot: its format, subject, source, hash, component count, who uploaded it " +
		"and when it was matched.",
	"GET /api/v1/snapshots/{id}/components": "The snapshot's components in upload order, a page at a time.",
	"GET /api/v1/findings": "Findings, most severe first, then newest, a page at a time; only open ones unless status says. " +
		"The filters combine: a finding is listed when it passes every one given. Pass next_cursor back as cursor " +
		"with the same filters for the next page.",
	"GET /api/v1/findings/{id}": "One finding with its evidence.",
	"GET /api/v1/findings/export": "Every finding the filters select (those of GET /api/v1/findings, in its order; no paging) as a " +
		"file: CSV (RFC 4180, a header row of FindingRow's names; aliases separated by spaces; a cell starting with =, +, -, @, " +
		"a tab or a carriage return is prefixed with an apostrophe so that spreadsheets do not evaluate it), a JSON array of " +
		"FindingRow, or NDJSON (one FindingRow a line). Rows are streamed as they are read, so an export of any size takes " +
		"constant memory. The rows are one snapshot: the database as it was when the export started (one statement on " +
		"either engine); changes committed meanwhile are not in it. SLA states are those at the export's start. A failure " +
		"after the first row cuts the transfer short rather than end the file.",
	"GET /api/v1/assets/{id}/sbom": "A CycloneDX 1.6 SBOM of the asset's current inventory: the asset as the metadata " +
		"component, its snapshot's components with purl, name and version (and CPE, hashes and licenses as the uploaded " +
		"SBOM stated them), vulndesk as the tool. The serial number and timestamp are the snapshot's, so the same snapshot " +
		"gives the same document; uploaded again it gives the same inventory.",
	"GET /api/v1/assets/{id}/vdr": "A CycloneDX 1.6 vulnerability disclosure report: the SBOM's components and one " +
		"vulnerability per open finding with its ratings (CVSS vector when known), description, recommendation (the fix), " +
		"advisory links, the component it affects (by bom-ref) and, once people decided, the analysis: under_investigation " +
		"is in_triage, affected exploitable, in_remediation exploitable with response update, fixed resolved, not_affected " +
		"not_affected with the justification mapped (component_not_present and vulnerable_code_not_present: code_not_present; " +
		"vulnerable_code_not_in_execute_path: code_not_reachable; vulnerable_code_cannot_be_controlled_by_adversary: " +
		"requires_environment; inline_mitigations_already_exist: protected_by_mitigating_control), false_positive " +
		"false_positive, risk_accepted exploitable with response will_not_fix. The native state and justification are the " +
		"properties vulndesk:state and vulndesk:justification.",
	"GET /api/v1/advisories/{id}": "An advisory by its ID or by an alias. For an alias, the advisory that matching " +
		"takes as primary is answered and the others that name the alias are linked in Link headers (rel=alternate).",
	"GET /api/v1/nvd/{id}": "The NVD record of a CVE as an nvd feed stored it: every CVSS metric with who scored it " +
		"(NVD's primary analysis, each CNA's), status, dates, weaknesses, references and configurations — what a " +
		"finding's severity_detail names as its record. 404 when no nvd feed has stored it.",
	"GET /api/v1/feeds": "Every feed with its health: when a sync was last tried and last worked, the last error, " +
		"what the source held.",
	"POST /api/v1/feeds": "Configures a feed and, when it is enabled, queues its first sync. The source is an https:// " +
		"URL (http:// only on loopback), or a file:// URL or path within the server's --feed-dir; private addresses " +
		"only with --allow-private-feeds. Credentials in the URL are kept but never shown. 409 when the name is taken. " +
		storageFullDoc,
	"GET /api/v1/feeds/{id}": "One feed with its health.",
	"PATCH /api/v1/feeds/{id}": "Changes the fields sent and keeps the others. Sending back the redacted URL keeps the " +
		"stored credentials; another URL is checked as on create and replaces them. 409 when a new name is taken. " +
		storageFullDoc,
	"DELETE /api/v1/feeds/{id}": "Deletes the feed and withdraws the advisories only it supplied; the findings only they " +
		"caused resolve as withdrawn once the re-match it queues has run. " + storageFullDoc,
	"POST /api/v1/feeds/{id}/sync": "Queues a sync of the feed now, or says that one is already queued or running " +
		"(202 either way; queued tells which). force=true processes the content even when it has not changed. " +
		storageFullDoc,
	"GET /api/v1/notifications/channels": "Every notification channel: its kind and where it sends; never a webhook's secret.",
	"POST /api/v1/notifications/channels": "Creates a channel. A webhook's URL is https:// (http:// only to a loopback host) and, " +
		"like a feed's, may reach loopback or private addresses only when the server runs with --allow-private-feeds; the " +
		"server makes its signing secret and answers it this once. Each request then carries X-Vulndesk-Timestamp (Unix " +
		"seconds) and X-Vulndesk-Signature: sha256=<hex HMAC-SHA256 with the secret over \"<timestamp>.<body>\">, which a " +
		"receiver checks, refusing a timestamp more than 5 minutes old. An email channel sends through the server's SMTP " +
		"relay (--smtp-host). 409 when the name is taken. " + storageFullDoc,
	"GET /api/v1/notifications/channels/{id}":    "One notification channel, without its secret.",
	"DELETE /api/v1/notifications/channels/{id}": "Deletes the channel with its rules and its deliveries and their log. " + storageFullDoc,
	"POST /api/v1/notifications/channels/{id}/test": "Queues a test message to the channel (event test, no items) and answers its " +
		"delivery (202); read it from the delivery log to see whether it arrived. " + storageFullDoc,
	"GET /api/v1/notifications/rules": "Every notification rule, by channel.",
	"POST /api/v1/notifications/rules": "Creates a rule: which events its channel hears of, about which assets (by name, tag or " +
		"owner; none named: every asset), from which SSVC priority, at once or in a daily digest sent after midnight UTC. " +
		"An event is sent once per rule; events found before the rule existed are not sent. 404 when the channel does not exist. " + storageFullDoc,
	"DELETE /api/v1/notifications/rules/{id}": "Deletes the rule; its channel hears of nothing more through it. " + storageFullDoc,
	"GET /api/v1/notifications/deliveries": "The delivery log, newest first: each message's state (pending while it waits to " +
		"be sent or retried, delivered, failed once given up), attempts, and the last status and error. Failures worth " +
		"retrying (network errors, 5xx, 408, 429, SMTP 4xx) are retried with a doubling wait, up to 8 attempts.",
	"GET /api/v1/notifications/deliveries/{id}": "One delivery with the log of every attempt: when, the status it got, and what went wrong.",
	"GET /api/v1/tokens":                        "Every API token, revoked ones too; never their secrets.",
	"POST /api/v1/tokens": "Creates an API token and answers its secret once. asset_names and asset_tags hold an " +
		"uploader token to those assets; create_assets lets its uploads create assets. " + storageFullDoc,
	"DELETE /api/v1/tokens/{id}": "Revokes the token: it stops working at once and stays listed with revoked_at; " +
		"404 when it is already revoked. " + storageFullDoc,
	"GET /api/v1/users": "Every user.",
	"POST /api/v1/findings/{id}/triage": "Sets the finding's triage state with the reason: under_investigation, affected, " +
		"in_remediation, fixed, not_affected (with a VEX justification; 400 without one) or false_positive. risk_accepted " +
		"comes only from an approved exception (400); a finding whose risk an exception accepts answers 409 until the exception " +
		"is revoked. The decision is kept on the vulnerability in the package of the asset, so an upgraded version that is still " +
		"affected takes it, and a finding detected again after it was fixed reopens as affected. Answers the finding. " + storageFullDoc,
	"GET /api/v1/findings/{id}/history": "Every change of what is decided about the finding, oldest first: its detection, " +
		"state changes by people (with from, to, reason, justification and the actor's name) and by detection (fixed by an " +
		"upgrade, reopened when detected again), exceptions approved and ended. The history follows the vulnerability in the " +
		"package of the asset across upgrades: finding_id says which finding an entry was made on.",
	"POST /api/v1/findings/{id}/assign": "Assigns the finding to a person or team (empty unassigns). The assignment is kept " +
		"on the vulnerability in the package of the asset, so later findings of it are assigned too; it is a history entry. " +
		"Answers the finding. " + storageFullDoc,
	"POST /api/v1/findings/{id}/comments": "Adds a comment to the finding's history (it follows the vulnerability in the " +
		"package of the asset across upgrades). Answers the finding. " + storageFullDoc,
	"POST /api/v1/findings/{id}/ticket": "Links the finding to the external ticket tracking its remediation: an https URL " +
		"and an optional key (SEC-123); both empty remove the link. Kept on the decision and shown with it; a history entry. " +
		"Answers the finding. " + storageFullDoc,
	"POST /api/v1/triage": "Triages many findings with one decision: those of finding_ids, or, without them, those the " +
		"query's filters select as GET /api/v1/findings takes them (at most 10000; more is a 400). Each finding gets its " +
		"own history entry and audit event; all of them are stored or none. " + storageFullDoc,
	"GET /api/v1/assets/{id}/scans": "Every scan recorded for the asset, newest first: each SBOM upload (also one identical to the " +
		"current inventory, which makes no new snapshot), SARIF import and external scan, with when it ran, who recorded it, and " +
		"the SHA-256 of the raw document. Auditors open the document itself with GET /api/v1/scans/{id}/document.",
	"POST /api/v1/assets/{id}/scans": "Records a scan run outside vulndesk — a penetration test, a DAST run — with its report " +
		"attached (any format, at most 32 MiB). The report is kept as sent, by its SHA-256 (sent twice, kept once), and the " +
		"asset's newest scan moves to scanned_at when that is later. " + storageFullDoc,
	"GET /api/v1/scans/{id}/document": "The exact document behind a scan record, byte for byte as it was sent, as an " +
		"attachment (X-Document-SHA256 carries its hash). 404 when the record's document was not kept: it was over the size " +
		"limit and only its hash is recorded.",
	"GET /api/v1/scans/overdue": "The assets in use (not decommissioned) whose newest scan — or, never scanned, whose creation — " +
		"is older than the cadence for their exposure (settings scan_cadence_days; defaults: internet-facing 30 days, internal " +
		"and isolated 90), most overdue first.",
	"GET /api/v1/exceptions": "Exceptions, newest first (at most 500), with the findings each covers.",
	"POST /api/v1/exceptions": "Requests an exception: accepting the risk of findings until expires_at, for a reason. " +
		"The scope is one of finding_ids, advisory (an ID or alias: its open findings on every asset) or component (a package " +
		"URL, with or without version). compensating_controls is required when a finding is on a legacy or end-of-life asset; " +
		"expires_at must be in the future and at most the configured maximum ahead (365 days by default). Nothing changes " +
		"until another administrator approves it. " + storageFullDoc,
	"GET /api/v1/exceptions/{id}": "The exception with the findings it covers and what became of it.",
	"POST /api/v1/exceptions/{id}/approve": "Approves a requested exception: its open findings become risk_accepted, their " +
		"remediation clocks stop. The requester may not approve their own request (403: four eyes); an exception that is not " +
		"requested any more is a 409. At expires_at the findings reopen as affected with their clocks from where they started, " +
		"and a vulnerability of it that enters CISA KEV revokes it at once. " + storageFullDoc,
	"POST /api/v1/exceptions/{id}/reject": "Rejects a requested exception, with an optional reason; its findings stay as " +
		"they are. " + storageFullDoc,
	"POST /api/v1/exceptions/{id}/revoke": "Ends an approved exception before it expires, for a reason (required): its " +
		"findings reopen as affected. " + storageFullDoc,
	"GET /api/v1/audit/events": "The audit log: every state change (who, when, which object, before and after) in the order " +
		"it was committed, with seq, prev_hash and hash, so a reader can check the chain. Filters combine; pass next_cursor " +
		"back as cursor. For admins and auditors (the audit scope); analysts and uploaders get 403.",
	"POST /api/v1/users": "Creates a user who signs in to the web interface; without a password one is generated and " +
		"answered once. 409 when the name is taken. " + storageFullDoc,
	"PATCH /api/v1/users/{id}": "Changes a user's role or disables them, and signs the user out everywhere. Admins " +
		"cannot disable themselves or take away their own admin role, so that the last admin cannot lock everyone out. " +
		storageFullDoc,
	"POST /api/v1/users/{id}/password": "Sets a user's password, or generates one (answered once) when none is sent; " +
		"the user's sessions end. " + storageFullDoc,
	"GET /api/v1/sla/policy": "The SLA policy in force (its newest version) and every version, newest first. Before an " +
		"administrator changed it, version 1 is the default: critical 3 days on an internet-facing asset and 14 on others, " +
		"high 30 / 60, medium 90, low 180; unknown severities follow high; criticality does not change the days.",
	"POST /api/v1/sla/policy": "Records the next version of the SLA policy (201 with it; 400 naming the first bad field). " +
		"Findings keep the clocks they have: a clock keeps the policy version that set it, and only a finding found, re-rated " +
		"or reopened from now on gets its clock under the new version. The change is an audit event (sla_policy.created). " +
		storageFullDoc,
	"GET /api/v1/sla/figures": "The SLA figures of the period [from, to): findings whose remediation clock stopped in it " +
		"(closed), the share of those with a deadline closed by it, the mean and median time to remediate (closed − clock " +
		"start), and the findings open at its end and past their deadline then; by=severity or by=asset gives them per group " +
		"too. A clock stops when the finding is resolved, not affected, a false positive or its risk is accepted. The default " +
		"period is the 90 days before now.",
	"GET /api/v1/settings": "The settings an administrator may change, with their defaults when never set.",
	"PATCH /api/v1/settings": "Changes the settings sent (400 naming a value out of range): exception_max_days bounds " +
		"how far ahead a new exception may expire (exceptions already requested keep their expiry). Each change is an audit " +
		"event (setting.changed, before → after). " + storageFullDoc,
	"POST /api/v1/me/password": "Changes the signed-in user's own password, proven by the current one (403 when it is " +
		"wrong); every session of the user ends, this one too. An API token has no password (400). " + storageFullDoc,

	// VEX (issue 13).
	"POST /api/v1/vex": "Takes an OpenVEX (0.2.0, or 0.0.1) or CycloneDX VEX (1.4–1.6, JSON or XML) document as the body, at most 16 MiB, " +
		"and applies its statements as triage decisions in one transaction; the document is kept by its SHA-256. " +
		"A statement's product is an asset by name (its subcomponents narrow it to those packages), or a purl (with or without a version) " +
		"in the current inventory of any asset; its vulnerability matches findings by their advisory's ID or any alias. " +
		"A decision is on the asset, vulnerability and package, so findings detected later take it. " +
		"A statement replaces a decision made before its time (its timestamp, else the document's, else now) and leaves a newer one " +
		"(a person's triage or a later statement) as it is, listed in kept; a risk accepted by an approved exception is never overridden. " +
		"Statements that match nothing are listed in unmatched with the reason. The mapping of states and justifications is " +
		"documented in internal/vex/mapping.go: CycloneDX exploitable is affected, resolved fixed, in_triage under_investigation, " +
		"false_positive false_positive; its justifications map onto OpenVEX's.",
	"GET /api/v1/vex": "Every decision about every asset's findings (at most 100,000; else 413: export per asset) as an OpenVEX 0.2.0 " +
		"document (the default) or a CycloneDX 1.6 VEX. Each statement's product is the asset by name with the package's purl as " +
		"subcomponent (CycloneDX: the asset a component with its packages nested). not_affected carries its justification and impact " +
		"statement, affected its action statement; false_positive is CycloneDX false_positive and OpenVEX not_affected " +
		"(vulnerable_code_not_present, the impact statement beginning \"False positive:\"); risk_accepted is affected with an action " +
		"statement naming the exception. A decision that came from a VEX document exports that document's own values to its format.",
	"GET /api/v1/assets/{id}/vex": "The decisions about the asset's findings, one statement per vulnerability in a package, " +
		"as GET /api/v1/vex writes them (OpenVEX by default, CycloneDX with format=cyclonedx); 404 for an unknown asset.",

	// Disclosure settings (issue 14, sectxt).
	"GET /api/v1/settings/disclosure": "The disclosure settings in force: what /.well-known/security.txt says and what the public " +
		"policy at /security/policy promises (scope, safe harbour, credit, the national CSIRT, the case timers). A field never set " +
		"has its default. security_txt is the file served now for the address of this request (its URIs are made from base_url, " +
		"else from the request's address when it came over TLS); warnings say what would make it invalid or lapse.",
	"PATCH /api/v1/settings/disclosure": "Changes the fields sent and leaves the others as they are; the settings are then " +
		"validated as a whole against the bounds each field states (400 naming the first field out of bounds, nothing changed): " +
		"contacts are mailto:, https: or tel: URIs, base_url and the web URIs https, preferred_languages RFC 5646 tags, " +
		"expires_days 1–364. The change is one audit event (setting.changed, before → after). The answer is as GET's. " + storageFullDoc,
	// Disclosure cases (issue 14, part cases).
	"GET /api/v1/cases": "Cases reported through the public form (/security/report), newest first, at most 500, each with its four timers " +
		"read now (on_track, due_soon, breached while they run; met or missed once done). state and timer_state filter them; timer_state " +
		"keeps a case when any of its timers is in that state.",
	"GET /api/v1/cases/{id}": "A case with everything the reporter sent, as sent (escape it wherever it is shown), its messages (internal notes " +
		"too), attachments (download each from /api/v1/attachments/{id}), links and extensions of the disclosure date.",
	"PATCH /api/v1/cases/{id}": "Changes the fields given. A new severity moves a valid case's fix timer (valid + the policy's fix_days for it); " +
		"actively_exploited moves the disclosure date (received + exploited_disclosure_days instead of disclosure_days, plus extensions). " +
		"cve must be CVE-YYYY-NNNN (four or more digits), euvd EUVD-YYYY-N; credit_opt_in true needs a credit_name. One audit event " +
		"(case.changed, before → after). " + storageFullDoc,
	"POST /api/v1/cases/{id}/state": "Moves the case: received → acknowledged → triaging → valid, duplicate, invalid or out_of_scope; valid → " +
		"fixing → fixed → disclosed → closed; duplicate, invalid and out_of_scope → closed. Back: a decision (valid, duplicate, invalid, " +
		"out_of_scope) → triaging, fixed → fixing, closed → triaging unless it was disclosed. Any other move is 409 naming the moves " +
		"allowed. duplicate needs duplicate_of (the case's ID or VD-… ID). The first time a case enters a state is recorded; becoming " +
		"valid starts the fix timer. A note is kept as an internal note. One audit event (case.<state>). " + storageFullDoc,
	"GET /api/v1/cases/{id}/messages": "The case's messages, oldest first, internal notes too (internal: true).",
	"POST /api/v1/cases/{id}/messages": "A message the reporter reads on the tracking page, or with internal true a note only staff see. " +
		"At most 20,000 bytes. " + storageFullDoc,
	"GET /api/v1/attachments/{id}": "A case attachment's bytes, always as application/octet-stream with Content-Disposition: attachment, " +
		"X-Content-Type-Options: nosniff and a sandboxing Content-Security-Policy, so that no browser renders what a stranger sent; " +
		"X-Attachment-SHA256 carries its hash.",
	"POST /api/v1/cases/{id}/links": "Links the case to an existing asset or finding (by ID) or advisory (by ID or alias); 400 when it does " +
		"not exist, 409 when the case has the link already. " + storageFullDoc,
	"DELETE /api/v1/cases/{id}/links/{lid}": "Removes a link of the case; 404 when the case has no such link.",
	"POST /api/v1/cases/{id}/extensions": "Moves the disclosure date later by days, with the reason agreed. All extensions of a case together are " +
		"at most the policy's max_extension_days (400 beyond); 409 once the case is disclosed, closed or found not valid. " + storageFullDoc,
	// CSAF advisories (issue 14, csaf).
	"GET /api/v1/security-advisories": "Own security advisories, newest first, optionally in one state.",
	"POST /api/v1/security-advisories": "Creates a draft with the next tracking ID: <prefix>-<year>-<number>, the prefix made from " +
		"the disclosure settings' organisation (VD when none). 400 names a product whose asset does not exist. " + storageFullDoc,
	"GET /api/v1/security-advisories/{id}": "One advisory: its content as it stands, its state, and each published revision " +
		"with its date, summary, publisher and the SHA-256 of the CSAF document served for it.",
	"PATCH /api/v1/security-advisories/{id}": "Changes a draft or one in review in place. Changing a published advisory starts " +
		"its next revision: it is a draft again (its published revision stays served until the next is published); its " +
		"profile stays. Every change is an audit event with the advisory before and after. " + storageFullDoc,
	"POST /api/v1/security-advisories/{id}/submit": "Sends a draft to review: it needs a summary, a product and a vulnerability, " +
		"and a remediation for each vulnerability when a product is affected. 409 when it is not a draft.",
	"POST /api/v1/security-advisories/{id}/publish": "Publishes an advisory in review as its next revision (1, 2, …): the CSAF " +
		"document (tracking status final, revision history, release dates) and the OSV record are made once, hashed, signed " +
		"with the server's OpenPGP key and kept; the provider serves those bytes from then on. The base URL is the disclosure " +
		"settings' base_url, else the request's scheme and host. 409 when it is not in review. " + storageFullDoc,
	"GET /api/v1/security-advisories/{id}/csaf": "The advisory as a CSAF 2.0 document (csaf_security_advisory or csaf_vex): " +
		"while published, the exact bytes served under /.well-known/csaf/; else a preview of the content as it stands " +
		"(status draft, or interim for the next revision).",
	"GET /api/v1/security-advisories/{id}/osv": "The advisory as an OSV record (ID x_<tracking ID>, the CVEs as aliases): " +
		"the published one, or a preview as for csaf.",
	// CRA (issue 14, part cra).
	"GET /api/v1/products": "Every product the organisation makes, by name, with its support period and support status " +
		"(supported, ending within 90 days, or ended) on the day it is read. published=true lists only those the public sees.",
	"PUT /api/v1/assets/{id}/product": "Marks the asset as a product the organisation makes, or replaces what is said of it: " +
		"the last day of its support period (YYYY-MM-DD, required), its public name (default: the asset's), support policy, " +
		"security contact, the Member States it is made available in, and whether it is published. 404 for an unknown asset. " +
		storageFullDoc,
	"DELETE /api/v1/assets/{id}/product": "The asset is no longer a product: it leaves the public lists; its CRA clocks stay. " +
		"404 when it is not a product. " + storageFullDoc,
	"GET /api/v1/outbound-reports": "Outbound reports, newest sent first, of one case, one finding or one kind when asked.",
	"POST /api/v1/outbound-reports": "Records a report the team sent: kind csirt escalates to the national CSIRT (recipient and " +
		"channel default to the CSIRT of the disclosure settings; 400 when none is set and none is given), kind upstream reports a " +
		"vulnerability in a component to its maintainers (component defaults to the finding's purl). It belongs to a disclosure " +
		"case, a finding or both; a finding that does not exist is 404. " + storageFullDoc,
	"GET /api/v1/outbound-reports/{id}": "One outbound report with what became of it.",
	"PATCH /api/v1/outbound-reports/{id}": "Records what became of the report: its status, the recipient's response (responded_at " +
		"defaults to now when a response or a status other than sent is given) and the reference it got. " + storageFullDoc,
	"GET /api/v1/cra": "Every CRA Art. 14 clock (at most 500, newest awareness first) with each report's deadline and its state " +
		"now: due (with the seconds left), breached, met, late, or waiting (the final report before a measure is available); and " +
		"the candidates, open KEV-listed findings of products without a clock.",
	"POST /api/v1/cra": "Flags a finding (or a disclosure case, with the product it concerns and a title) as actively exploited " +
		"in a product the organisation makes and starts its clock: the early warning is due 24 hours after aware_at, the " +
		"notification 72 hours after. The drafts are prefilled from the product and the finding. A finding whose asset is not a " +
		"product is refused (400, naming it); a finding has one clock (409). " + storageFullDoc,
	"GET /api/v1/cra/{id}": "One CRA clock with its drafts, submissions and deadlines now.",
	"PATCH /api/v1/cra/{id}/drafts": "Saves the drafts given, each whole; a report already submitted keeps its draft (409): it is " +
		"the record of what was sent. " + storageFullDoc,
	"POST /api/v1/cra/{id}/mitigation": "Records that a corrective or mitigating measure is available (default: now): the final " +
		"report is due 14 days later. It may be corrected until the final report is submitted (then 409). " + storageFullDoc,
	"POST /api/v1/cra/{id}/submissions": "Records that a report was submitted by hand (channel default: ENISA single reporting " +
		"platform), keeping its draft as it stands; each report once (409 for a second). Its deadline is then met or late. " +
		storageFullDoc,
}
