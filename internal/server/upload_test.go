package server_test

import (
	"bytes"
	"testing"

	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// curl --data-binary @bom.json labels the SBOM a form
// (application/x-www-form-urlencoded): it is still an SBOM upload.
func TestUploadLabelledAsForm(t *testing.T) {
	p := startInproc(t, storetest.Engines(t)[0], inprocOptions{})
	a := rawCall(t, p.URL, "POST", "/api/v1/sboms?asset=curl-default&create=true", bytes.NewReader(syntheticSBOM("c", 10)),
		map[string]string{"Authorization": "Bearer " + p.admin.Token, "Content-Type": "application/x-www-form-urlencoded"})
	if a.status != 201 {
		t.Fatalf("upload labelled as a form: %s", a)
	}
}
