package store

import "time"

// AuditHash is the chain hash of an event with these contents, for tests
// that forge events as one who knows the encoding would.
func AuditHash(seq int64, at time.Time, actor, kind, objectType, objectID, before, after, prevHash string) string {
	return eventHash(&chained{seq: seq, at: at, actor: actor, kind: kind, objectType: objectType, objectID: objectID,
		before: before, after: after, prevHash: prevHash})
}
