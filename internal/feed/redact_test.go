package feed

import (
	"bytes"
	"compress/gzip"
	"net/url"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct {
		src, shown string
		secret     bool
	}{
		{"https://osv.example.org/Go/all.zip", "https://osv.example.org/Go/all.zip", false},
		{"/srv/feeds/kev.json", "/srv/feeds/kev.json", false},
		{"file:///srv/feeds/kev.json", "file:///srv/feeds/kev.json", false},
		{"https://me:pa55@feeds.example.org/x", "https://REDACTED@feeds.example.org/x", true},
		{"https://ghp_T0KEN@feeds.example.org/x", "https://REDACTED@feeds.example.org/x", true},
		{"https://feeds.example.org/x?token=abc&page=2", "https://feeds.example.org/x?token=REDACTED&page=2", true},
		{"https://feeds.example.org/x?page=2&API_KEY=abc", "https://feeds.example.org/x?page=2&API_KEY=REDACTED", true},
		{"https://feeds.example.org/x?apikey=abc", "https://feeds.example.org/x?apikey=REDACTED", true},
		{"https://feeds.example.org/x?access_token=abc", "https://feeds.example.org/x?access_token=REDACTED", true},
		{"https://b.s3.example/k?X-Amz-Credential=a%2Fb&X-Amz-Signature=f00&X-Amz-Expires=60",
			"https://b.s3.example/k?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Expires=60", true},
		{"https://a.blob.example/c?sv=2024&sig=abc%3D", "https://a.blob.example/c?sv=2024&sig=REDACTED", true},
		{"https://feeds.example.org/x?password", "https://feeds.example.org/x?password=REDACTED", true},
		{"https://feeds.example.org/x?keyword=go", "https://feeds.example.org/x?keyword=go", false},
		{"https://feeds.example.org/%zz?token=abc", "(a URL that does not parse)", true},
	} {
		shown, secret := Redact(tc.src)
		if shown != tc.shown || secret != tc.secret {
			t.Errorf("Redact(%q) = %q, %v; want %q, %v", tc.src, shown, secret, tc.shown, tc.secret)
		}
	}
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{"https://me:pa55@h/x?token=a&b=c", "/local/path", "file:///x", "https://h/?sig=1&sig=2", "http://[::1]:80/%41?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		shown, secret := Redact(src)
		if !secret && shown != src {
			t.Fatalf("Redact(%q) changed it to %q without a secret", src, shown)
		}
		u, err := url.Parse(src)
		if err != nil || !isURLSource(src) {
			return
		}
		if pw, ok := u.User.Password(); ok && len(pw) > 3 && strings.Contains(shown, pw) && !strings.Contains(src[strings.Index(src, "@")+1:], pw) {
			t.Fatalf("Redact(%q) = %q shows the password", src, shown)
		}
		for k, vs := range u.Query() {
			for _, v := range vs {
				if secretParam(k) && len(v) > 8 && strings.Contains(shown, url.QueryEscape(v)) && strings.Count(src, url.QueryEscape(v)) == 1 {
					t.Fatalf("Redact(%q) = %q shows %s", src, shown, k)
				}
			}
		}
		if again, _ := Redact(shown); again != shown {
			t.Fatalf("Redact is not stable: %q, then %q", shown, again)
		}
		// What Check says of the source shows it redacted too.
		if err := (&Policy{}).Check(src); err != nil && secret {
			if pw, ok := u.User.Password(); ok && len(pw) > 3 && strings.Contains(err.Error(), pw) && !strings.Contains(shown, pw) {
				t.Fatalf("Check(%q): %v shows the password", src, err)
			}
		}
	})
}

// TestParseErrorsQuoteNothing: a feed pointed at a file that is not a
// feed (a password file, a process's environment, a database) fails with
// an error naming the line and the problem, never the file's bytes: the
// error is stored as the feed's last_error, which every auditor reads.
func TestParseErrorsQuoteNothing(t *testing.T) {
	const secret = "S3CR3T"
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("root:" + secret + ":0:0\n"))
	w.Close()
	epss := []string{
		"root:$6$" + secret + ":19000:0:99999:7:::\nbin:x:1:1\n",
		"PATH=/usr/bin\x00" + secret + "=1\x00",
		"#model_version:v1,score_date:" + secret + "\ncve,epss,percentile\n",
		"cve,epss,percentile\n" + secret + ",0.1,0.2\n",
		"cve,epss,percentile\nCVE-2024-0001," + secret + ",0.2\n",
		"cve,epss,percentile\nCVE-2024-0001,0.1,0.2," + secret + "\n",
		"cve,epss,percentile\nCVE-2024-0001\n" + secret + "\n",
		gz.String(),
	}
	for _, doc := range epss {
		if _, err := ParseEPSS("f", strings.NewReader(doc), 0); err == nil || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "root") {
			t.Errorf("ParseEPSS(%.30q): %v", doc, err)
		}
	}
	good := kevEntryDoc("CVE-2024-0001", "2024-01-02", "2024-01-23")
	kev := []string{
		"root:$6$" + secret + ":19000\n",
		"SQLite format 3\x00" + secret,
		`{"` + secret + `": 1, "` + secret + `": 2}`,
		`{"count": 1` + secret + `}`,
		strings.Replace(kevDoc(1, good), `"count": 1,`, `"count": 1e999,`, 1),
		strings.Replace(kevDoc(1, good), `"count": 1,`, `"count": 7`+`31337,`, 1),
		strings.Replace(kevDoc(1, good), `"count": 1,`, `"count": 123456789012345678901234567890,`, 1),
		strings.Replace(kevDoc(1, good), `2025-01-02T03:04:05.678Z`, secret, 1),
		kevDoc(1, kevEntryDoc("CVE-2024-"+secret, "2024-01-02", "2024-01-23")),
		kevDoc(1, kevEntryDoc("CVE-2024-0001", secret, "2024-01-23")),
		kevDoc(1, kevEntryDoc("CVE-2024-0001", "2024-01-02", secret)),
		kevDoc(1, `{"cveID": 31337`+secret+`}`),
	}
	for _, doc := range kev {
		_, err := ParseKEV("f", strings.NewReader(doc), 0)
		if err == nil || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "31337") || strings.Contains(err.Error(), "1e999") ||
			strings.Contains(err.Error(), "'r'") || strings.Contains(err.Error(), "'S'") {
			t.Errorf("ParseKEV(%.40q): %v", doc, err)
		}
	}
}
