package model

// AuditEvent is an event with its place in the audit log's hash chain.
type AuditEvent struct {
	Event
	Seq      int64  `json:"seq" doc:"the event's place in the audit chain: 1, 2, 3, … in the order the changes were committed"`
	PrevHash string `json:"prev_hash" doc:"the hash of the event before it in the chain; empty for the first"`
	Hash     string `json:"hash" doc:"SHA-256 (hex) of the event's canonical encoding, prev_hash included; vulndesk audit verify recomputes it"`
}
