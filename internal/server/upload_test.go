package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
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

// curl -F file=@bom.json sends a multipart form: its file is the SBOM,
// and its name the source when none is given.
func TestUploadMultipart(t *testing.T) {
	p := startInproc(t, storetest.Engines(t)[0], inprocOptions{})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("comment", "a field before the file")
	fw, _ := mw.CreateFormFile("file", "shop.cdx.json")
	fw.Write(syntheticSBOM("m", 25))
	mw.Close()
	a := rawCall(t, p.URL, "POST", "/api/v1/sboms?asset=multipart&create=true", &body,
		map[string]string{"Authorization": "Bearer " + p.admin.Token, "Content-Type": mw.FormDataContentType()})
	var got struct {
		Snapshot model.Snapshot `json:"snapshot"`
	}
	if a.status != 201 || json.Unmarshal(a.body, &got) != nil || got.Snapshot.Components != 25 || got.Snapshot.Source != "shop.cdx.json" {
		t.Fatalf("multipart upload: %s", a)
	}
	// A form with no file says how to send one.
	body.Reset()
	mw = multipart.NewWriter(&body)
	mw.WriteField("sbom", "not a file")
	mw.Close()
	a = rawCall(t, p.URL, "POST", "/api/v1/sboms?asset=multipart", &body,
		map[string]string{"Authorization": "Bearer " + p.admin.Token, "Content-Type": mw.FormDataContentType()})
	wantAPIError(t, "multipart without a file", a.status, a.body, 400, "without a file")
}

// Bodies over the limit are refused: announced ones before they are read,
// chunked ones once the limit is passed, and nothing is stored.
func TestUploadTooLarge(t *testing.T) {
	p := startInproc(t, storetest.Engines(t)[0], inprocOptions{configure: func(s *server.Server) {
		s.MaxUploadBytes = 64 << 10
	}})
	big := syntheticSBOM("big", 1000) // about 120 KiB
	for _, chunked := range []bool{false, true} {
		var r io.Reader = bytes.NewReader(big)
		if chunked {
			r = io.MultiReader(r) // hides the length: sent chunked
		}
		a := rawCall(t, p.URL, "POST", "/api/v1/sboms?asset=too-large&create=true", r, bearerHdr(p.admin.Token))
		wantAPIError(t, fmt.Sprintf("a 120 KiB upload (chunked %v)", chunked), a.status, a.body, 413, "larger than 65536 bytes")
	}
	var assets struct{ Items []model.Asset }
	p.admin.JSON(t, "GET", "/api/v1/assets", nil, 200, &assets)
	if len(assets.Items) != 0 {
		t.Errorf("refused uploads stored assets: %+v", assets.Items)
	}
}

// When the upload budget stays full, an upload waits, then is refused
// with 503 and Retry-After; the upload holding the budget completes.
func TestUploadBudget(t *testing.T) {
	p := startInproc(t, storetest.Engines(t)[0], inprocOptions{configure: func(s *server.Server) {
		s.SetUploadBudget(40<<10, 300*time.Millisecond)
	}})
	first := syntheticSBOM("first", 400) // about 34 KiB of the 40 KiB
	pr, pw := io.Pipe()
	firstDone := make(chan httpAnswer, 1)
	go func() {
		req, _ := http.NewRequest("POST", p.URL+"/api/v1/sboms?asset=first&create=true", pr)
		req.ContentLength = int64(len(first))
		req.Header.Set("Authorization", "Bearer "+p.admin.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			firstDone <- httpAnswer{status: -1, body: []byte(err.Error())}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		firstDone <- httpAnswer{status: resp.StatusCode, body: b}
	}()
	pw.Write(first[:100]) // the first upload has its share and is being read
	var metricsText string
	servertest.Eventually(t, 10*time.Second, "the first upload to hold the budget", func() bool {
		_, b := p.admin.Do(t, "GET", "/metrics", nil)
		metricsText = string(b)
		return strings.Contains(metricsText, fmt.Sprintf("vulndesk_upload_bytes_in_flight %d", len(first)))
	})
	a := rawCall(t, p.URL, "POST", "/api/v1/sboms?asset=second&create=true", bytes.NewReader(syntheticSBOM("second", 200)), bearerHdr(p.admin.Token))
	wantAPIError(t, "an upload while the budget is full", a.status, a.body, 503, "nothing was stored")
	if a.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	pw.Write(first[100:])
	pw.Close()
	if got := <-firstDone; got.status != 201 {
		t.Fatalf("the first upload: %d %s", got.status, got.body)
	}
	_, b := p.admin.Do(t, "GET", "/metrics", nil)
	for _, want := range []string{"vulndesk_upload_bytes_in_flight 0", "vulndesk_uploads_refused_total 1"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// With room again, uploads go in.
	p.admin.JSON(t, "POST", "/api/v1/sboms?asset=second&create=true", bytes.NewReader(syntheticSBOM("second", 200)), 201, nil)
}
