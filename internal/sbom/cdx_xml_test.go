package sbom

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vulndesk/vulndesk/internal/model"
)

// formerCdxXML decodes a CycloneDX XML BOM the way this package did
// before components were converted as they are decoded: all of the BOM
// into cyclonedx-go's model first.
func formerCdxXML(name string, data []byte) (model.SBOM, error) {
	var bom cdx.BOM
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&bom); err != nil {
		return model.SBOM{}, err
	}
	var doc cdxDoc
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		c, _ := cdxFromXML([]cdx.Component{*bom.Metadata.Component}, 0)
		doc.Metadata = &cdxMetadata{Component: &c[0]}
	}
	if bom.Components != nil {
		doc.Components, _ = cdxFromXML(*bom.Components, 1)
	}
	doc.Dependencies = cdxDependenciesFromXML(bom.Dependencies)
	return formerCdxModel(&doc, name, "")
}

// TestCdxXMLMatchesFormerDecoding parses every CycloneDX XML file of the
// shared data, valid or not, and a tricky BOM, and checks the result
// against decoding all of the BOM first.
func TestCdxXMLMatchesFormerDecoding(t *testing.T) {
	var bom cdx.BOM
	if err := json.Unmarshal(trickyCycloneDXDoc(300), &bom); err != nil {
		t.Fatal(err)
	}
	var tricky bytes.Buffer
	if err := cdx.NewBOMEncoder(&tricky, cdx.BOMFileFormatXML).Encode(&bom); err != nil {
		t.Fatal(err)
	}
	docs := map[string][]byte{"tricky.xml": tricky.Bytes()}
	dir := sharedData(t, "sbom")
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".xml") {
			docs[path], err = os.ReadFile(path)
		}
		return err
	})
	if err != nil || len(docs) < 80 {
		t.Fatalf("found %d XML files (%v), want the 80 and more of the shared data", len(docs), err)
	}
	for name, data := range docs {
		data = bytes.TrimPrefix(data, utf8BOM)
		got, err := parseCycloneDXXML(name, data, "1.6")
		want, wantErr := formerCdxXML(name, data)
		if (err == nil) != (wantErr == nil) {
			t.Errorf("%s: err = %v, former %v", name, err, wantErr)
			continue
		}
		want.Format = "CycloneDX 1.6 XML"
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: differs from the former decoding: %s", name, firstDiff(got, want))
		}
	}
	if got, _ := parseCycloneDXXML("tricky.xml", tricky.Bytes(), "1.6"); got.FilesLeftOut == 0 || len(got.Components) < 300 {
		t.Errorf("tricky.xml misses what it is for: %d files, %d components", got.FilesLeftOut, len(got.Components))
	}
}
