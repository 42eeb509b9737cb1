package vex

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: no input panics the reader or exports into a document it
// cannot read back.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"products":[{"@id":"x"}],"status":"fixed"}]}`))
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"in_triage"},"affects":[{"ref":"urn:cdx:a/1#b"}]}]}`))
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><vulnerabilities><vulnerability><id>x</id></vulnerability></vulnerabilities></bom>`))
	if _, err := os.Stat(sharedVEX); err == nil {
		filepath.WalkDir(sharedVEX, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
				if data, err := os.ReadFile(path); err == nil {
					f.Add(data)
				}
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			return
		}
		var x Export
		for _, st := range doc.Statements {
			if st.Problem != "" || len(st.Products) == 0 {
				continue
			}
			x.Entries = append(x.Entries, Entry{Asset: "a", VulnID: st.Vulnerability, Aliases: st.Aliases, PURL: st.Products[0].PURL,
				State: st.State, Justification: st.Justification, Statement: st.Statement, Native: &st.Native})
		}
		for _, write := range []func(*bytes.Buffer, Export) error{
			func(b *bytes.Buffer, x Export) error { return WriteOpenVEX(b, x) },
			func(b *bytes.Buffer, x Export) error { return WriteCycloneDX(b, x) },
		} {
			var b bytes.Buffer
			if err := write(&b, x); err != nil {
				continue // e.g. a statement go-vex finds invalid
			}
			if len(x.Entries) > 0 {
				if _, err := Parse(b.Bytes()); err != nil {
					t.Fatalf("export does not read back: %v\n%s", err, b.String())
				}
			}
		}
	})
}
