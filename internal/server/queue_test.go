package server_test

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// The match queue shows in /metrics, the overview API and the overview
// page: how many SBOMs wait to be matched, and for how long the oldest has.
func TestQueueShown(t *testing.T) {
	p := startInproc(t, storetest.Engines(t)[0], inprocOptions{}) // no runner: the job stays queued
	p.admin.JSON(t, "POST", "/api/v1/sboms?asset=queued&create=true", bytes.NewReader(syntheticSBOM("q", 5)), 201, nil)
	time.Sleep(1100 * time.Millisecond)

	_, body := p.admin.Do(t, "GET", "/metrics", nil)
	m := string(body)
	if !strings.Contains(m, `vulndesk_job_queue{kind="match-snapshot",state="queued"} 1`) {
		t.Errorf("/metrics lacks the queued match job:\n%s", m)
	}
	age := regexp.MustCompile(`vulndesk_job_queue_oldest_seconds\{kind="match-snapshot"\} ([0-9.]+)`).FindStringSubmatch(m)
	if age == nil {
		t.Fatal("/metrics lacks vulndesk_job_queue_oldest_seconds")
	}
	if secs, _ := strconv.ParseFloat(age[1], 64); secs < 1 || secs > 60 {
		t.Errorf("oldest queued match job waited %s s; want about 1", age[1])
	}
	var o struct {
		Queue []struct {
			Kind   string `json:"kind"`
			Queued int    `json:"queued"`
		} `json:"queue"`
	}
	p.admin.JSON(t, "GET", "/api/v1/overview", nil, 200, &o)
	if len(o.Queue) != len(model.JobKinds) || o.Queue[0].Kind != "match-snapshot" || o.Queue[0].Queued != 1 {
		t.Errorf("overview queue: %+v", o.Queue)
	}
	page := rawCall(t, p.URL, "GET", "/", nil, bearerHdr(p.admin.Token))
	if page.status != 200 || !strings.Contains(string(page.body), "matching new SBOMs") || !strings.Contains(string(page.body), "Background work") {
		t.Errorf("the overview page does not show the queue: %d", page.status)
	}
}
