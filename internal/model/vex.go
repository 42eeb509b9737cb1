package model

// VEXImport is what became of an imported VEX document's statements.
type VEXImport struct {
	DocumentID   int64          `json:"document_id" doc:"the ID of the import's record"`
	SHA256       string         `json:"sha256" doc:"the SHA-256 of the document as sent, under which it is kept"`
	DocumentKept bool           `json:"document_kept" doc:"whether the document itself is kept (false when it is over the size kept)"`
	Format       string         `json:"format" doc:"openvex or cyclonedx"`
	Author       string         `json:"author,omitempty" doc:"the document's author (OpenVEX author; CycloneDX metadata authors, manufacturer or supplier)"`
	Statements   int            `json:"statements" doc:"statements in the document (CycloneDX: vulnerabilities)"`
	Applied      int            `json:"applied" doc:"decisions (an asset, a vulnerability, a package) the document set or changed; they also apply to findings detected later"`
	Unchanged    int            `json:"unchanged" doc:"decisions that already said what the statement says, by the same author at the same time"`
	Findings     int            `json:"findings" doc:"findings whose state the document set"`
	Unmatched    []VEXUnmatched `json:"unmatched" doc:"statements (per product) that matched nothing, with the reason: an unknown product, no such vulnerability on it, or a statement vulndesk cannot apply"`
	Kept         []VEXUnmatched `json:"kept" doc:"decisions the document did not override: an approved exception accepts the risk, a newer decision exists (by a person or a later statement), or a later statement of the same document says otherwise"`
}

// VEXUnmatched is a statement (for one of its products) that was not
// applied, and why.
type VEXUnmatched struct {
	Statement     int    `json:"statement" doc:"the statement's position in the document, from 0 (CycloneDX: of the vulnerability)"`
	Vulnerability string `json:"vulnerability" doc:"the vulnerability it names"`
	Product       string `json:"product,omitempty" doc:"the product it names (purl, name or bom-ref), with its subcomponents"`
	Asset         string `json:"asset,omitempty" doc:"the asset whose decision was kept"`
	Reason        string `json:"reason" doc:"why it was not applied"`
}
