package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// FuzzReportForm: whatever body a stranger posts to the report form, it is
// read within its limits or refused with an error the table answers (4xx),
// never more files or longer fields than allowed.
func FuzzReportForm(f *testing.F) {
	const boundary = "fuzz-boundary"
	mp := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nT\r\n" +
		"--" + boundary + "\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"../a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n" +
		"--" + boundary + "--\r\n"
	f.Add([]byte(mp), true)
	f.Add([]byte("title=x&description=y&credit=yes&website="), false)
	f.Add([]byte("title=%00"), false)
	f.Add([]byte("--"+boundary+"\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n\xff\r\n--"+boundary+"--\r\n"), true)
	f.Fuzz(func(t *testing.T, body []byte, multipart bool) {
		r := httptest.NewRequest(http.MethodPost, "/security/report", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if multipart {
			r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		}
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, MaxReportBody)
		form, err := parseReportForm(r)
		if err != nil {
			if status, _ := statusOf(err); status < 400 || status > 499 {
				t.Fatalf("error %v answers %d", err, status)
			}
			return
		}
		if len(form.Files) > model.MaxCaseAttachments || len(form.Report.Title) > model.MaxCaseTitle ||
			len(form.Report.Description) > model.MaxCaseText || len(form.Message) > model.MaxCaseText {
			t.Fatalf("read past the limits: %d files, title %d, description %d", len(form.Files), len(form.Report.Title), len(form.Report.Description))
		}
		for _, fl := range form.Files {
			if len(fl.Data) > model.MaxAttachmentBytes {
				t.Fatalf("a file of %d bytes", len(fl.Data))
			}
		}
	})
}

// TestFormStamp: a stamp signed with the key is good for FormMaxAge; one
// from the future, another key, or tampered is not.
func TestFormStamp(t *testing.T) {
	key, other := []byte("k1"), []byte("k2")
	now := time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)
	s := formStamp(key, now)
	for _, c := range []struct {
		name  string
		key   []byte
		stamp string
		at    time.Time
		want  bool
	}{
		{"fresh", key, s, now, true},
		{"a day old", key, s, now.Add(FormMaxAge), true},
		{"expired", key, s, now.Add(FormMaxAge + time.Second), false},
		{"from the future", key, formStamp(key, now.Add(time.Hour)), now, false},
		{"another key", other, s, now, false},
		{"tampered time", key, "1" + s, now, false},
		{"empty", key, "", now, false},
		{"no signature", key, "1765155600", now, false},
	} {
		if got := checkStamp(c.key, c.stamp, c.at); got != c.want {
			t.Errorf("%s: %v; want %v", c.name, got, c.want)
		}
	}
}
