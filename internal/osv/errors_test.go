package osv

import (
	"strings"
	"testing"
)

// TestDecodeErrorsQuoteNothing: an OSV feed pointed at a file that is no
// advisory (a password file, a database) fails with an error naming the
// line and the problem, never the file's bytes: the error becomes the
// feed's last_error, which every auditor reads.
func TestDecodeErrorsQuoteNothing(t *testing.T) {
	const secret = "S3CR3T"
	for _, doc := range []string{
		"root:$6$" + secret + ":19000:0:99999:7:::\n",
		"SQLite format 3\x00" + secret,
		`{"id": "GO-1", "modified": 31337` + secret + `}`,
		`{"id": 1e999}`,
		`{"id": 31337}`,
		`[{"id": "x"}, {"id": "` + secret + `", "affected": [{"ranges": [{"events": [{}]}]}]}]`,
		`{"id": "` + secret + `", "affected": [{"ranges": [{"events": [{"introduced": "0", "fixed": "1"}]}]}]}`,
	} {
		_, err := Decode("f.json", []byte(doc))
		if err == nil || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "31337") ||
			strings.Contains(err.Error(), "1e999") || strings.Contains(err.Error(), "'r'") || strings.Contains(err.Error(), "'S'") {
			t.Errorf("Decode(%.40q): %v", doc, err)
		}
	}
}
