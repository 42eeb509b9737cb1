package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// cycloneDXDoc generates a CycloneDX 1.5 JSON BOM of n npm components, each
// with a bom-ref, a purl, a hash, a license and a dependency entry: about
// 300 bytes a component, as real generators write them.
func cycloneDXDoc(n int) []byte {
	var b strings.Builder
	b.Grow(n * 330)
	b.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",` +
		`"version":1,"metadata":{"component":{"bom-ref":"root","type":"application","name":"app","version":"1.0.0"}},"components":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"bom-ref":"pkg:npm/%%40scope/package-%d@1.%d.0","type":"library","group":"@scope","name":"package-%d",`+
			`"version":"1.%d.0","hashes":[{"alg":"SHA-1","content":"%040x"}],"licenses":[{"license":{"id":"MIT"}}],`+
			`"purl":"pkg:npm/%%40scope/package-%d@1.%d.0"}`, i, i%50, i, i%50, i, i, i%50)
	}
	b.WriteString(`],"dependencies":[{"ref":"root","dependsOn":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"pkg:npm/%%40scope/package-%d@1.%d.0"`, i, i%50)
	}
	b.WriteString(`]}]}`)
	return []byte(b.String())
}

// BenchmarkParseCycloneDX100k parses a 100,000-component CycloneDX JSON
// BOM (about 31 MB).
func BenchmarkParseCycloneDX100k(b *testing.B) {
	data := cycloneDXDoc(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sb, err := Parse("bench.cdx.json", data, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(sb.Components) != 100_000 || sb.Components[0].Scope != "direct" {
			b.Fatalf("%d components", len(sb.Components))
		}
	}
}

// BenchmarkParseCycloneDXXML20k parses the BOM of cycloneDXDoc(20_000) as
// CycloneDX XML (about 8 MB).
func BenchmarkParseCycloneDXXML20k(b *testing.B) {
	var bom cdx.BOM
	if err := json.Unmarshal(cycloneDXDoc(20_000), &bom); err != nil {
		b.Fatal(err)
	}
	bom.XMLNS = "http://cyclonedx.org/schema/bom/1.5"
	var data bytes.Buffer
	if err := cdx.NewBOMEncoder(&data, cdx.BOMFileFormatXML).Encode(&bom); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(data.Len()))
	b.ReportAllocs()
	for b.Loop() {
		sb, err := Parse("bench.cdx.xml", data.Bytes(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(sb.Components) != 20_000 || sb.Components[0].Scope != "direct" {
			b.Fatalf("%d components", len(sb.Components))
		}
	}
}
