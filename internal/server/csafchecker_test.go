package server_test

// The BSI's csaf_checker and csaf_downloader (github.com/gocsaf/csaf/v3
// v3.7.0) against the real server over TLS on loopback (issue 14, csaf).
// .ci/run installs them and sets VULNDESK_CSAF_TOOLS to their directory.

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/csaf/csaftest"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/pgpkey"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// csafTool returns the path of a tool in VULNDESK_CSAF_TOOLS, or skips.
func csafTool(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("VULNDESK_CSAF_TOOLS")
	if dir == "" {
		t.Skipf("VULNDESK_CSAF_TOOLS is not set: %s is not installed (.ci/run installs csaf_checker and csaf_downloader "+
			"with go install github.com/gocsaf/csaf/v3/cmd/...@v3.7.0 and sets it)", name)
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s is not in VULNDESK_CSAF_TOOLS (%s): %v", name, dir, err)
	}
	return p
}

// checkerReport is the part of csaf_checker's JSON report read here.
type checkerReport struct {
	Domains []struct {
		Name string `json:"domain"`
		Role string `json:"role"`
		// Passed is the checker's verdict on the role's rules, where
		// alternatives (8 | 9 | 10, 11–14 | 15–17) need one way met.
		Passed       bool `json:"passed"`
		Requirements []struct {
			Num         int    `json:"num"`
			Description string `json:"description"`
			Messages    []struct {
				Type int    `json:"type"`
				Text string `json:"text"`
			} `json:"messages"`
		} `json:"requirements"`
	} `json:"domains"`
}

// checkerExpectedFailures are the requirements of 1–20 that a server on
// a loopback address and a random port cannot meet, each with why. The
// test asserts that exactly these fail.
var checkerExpectedFailures = map[int]string{
	// The checker tries security.txt (8), the well-known URL (9) and the
	// DNS path (10), and reports each way: 8 and 9 are met, and 10 is an
	// alternative a provider needs only one of.
	10: "DNS path https://csaf.data.security.<domain>: no DNS name on loopback",
	// 11–14 (the directory-based distribution) all pass; 15–17 are the
	// ROLIE alternative, which the provider does not use (16 and 17 are
	// then only notes).
	15: "ROLIE feed: the provider distributes by directory (requirements 11–14), the alternative CSAF §7.1.15–17 offers",
}

// TestCSAFCheckerAndDownloader publishes two advisories (one a second
// revision) on the real server over TLS, on both engines, runs the BSI's
// checker against it, and downloads every advisory with the BSI's
// downloader, which checks hashes, signatures and the schema.
func TestCSAFCheckerAndDownloader(t *testing.T) {
	checker, downloader := csafTool(t, "csaf_checker"), csafTool(t, "csaf_downloader")
	csaftest.DataOrSkip(t)
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			checkCSAFProvider(t, e, checker, downloader)
		})
	}
}

func checkCSAFProvider(t *testing.T, e storetest.Engine, checker, downloader string) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	o := servertest.Options{DataDir: filepath.Join(dir, "data"), DatabaseURL: e.Config(t).DatabaseURL, HTTP: hc,
		Args: []string{"--empty", "--tls-cert", certFile, "--tls-key", keyFile}}
	// On SQLite the key comes from an encrypted file (--openpgp-key with
	// the passphrase in the environment); on PostgreSQL it is generated
	// and kept in the database.
	var fileKey string
	if o.DatabaseURL == "" {
		keyPath := filepath.Join(dir, "signing.asc")
		fileKey = writeEncryptedKey(t, keyPath, "correct horse battery")
		o.Args = append(o.Args, "--openpgp-key", keyPath)
		o.Env = []string{"VULNDESK_OPENPGP_PASSPHRASE=correct horse battery"}
	}
	p := servertest.Start(t, o)
	admin := &servertest.Client{URL: p.URL, Token: servertest.Token(t, o, "admin"), HTTP: hc}
	c := admin.API()
	ctx := servertest.Ctx(t)

	asset := servertest.Must(c.CreateAsset(ctx, api.AssetInput{Name: ptr("Webshop")}))(t)
	var published []model.SecurityAdvisory
	for i, profile := range []string{model.ProfileSecurityAdvisory, model.ProfileVEX} {
		in := secAdvInput(asset.ID, fmt.Sprintf("Checked advisory %d", i+1))
		in.Profile = ptr(profile)
		a := servertest.Must(c.CreateSecurityAdvisory(ctx, in))(t)
		servertest.Must(c.SubmitSecurityAdvisory(ctx, a.ID))(t)
		published = append(published, servertest.Must(c.PublishSecurityAdvisory(ctx, a.ID))(t))
	}
	// A second revision of the first.
	servertest.Must(c.UpdateSecurityAdvisory(ctx, published[0].ID, api.SecurityAdvisoryInput{RevisionSummary: ptr("More detail")}))(t)
	servertest.Must(c.SubmitSecurityAdvisory(ctx, published[0].ID))(t)
	published[0] = servertest.Must(c.PublishSecurityAdvisory(ctx, published[0].ID))(t)

	var pm struct {
		Keys []struct{ Fingerprint string } `json:"public_openpgp_keys"`
	}
	admin.JSON(t, "GET", "/.well-known/csaf/provider-metadata.json", nil, 200, &pm)
	if len(pm.Keys) != 1 || (fileKey != "" && pm.Keys[0].Fingerprint != fileKey) {
		t.Fatalf("the provider's keys %+v; the key file's is %q", pm.Keys, fileKey)
	}

	u, err := url.Parse(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	domain := u.Host // 127.0.0.1:<port>

	// csaf_checker: --insecure, since the test certificate is self-signed.
	report := filepath.Join(dir, "report.json")
	out, err := exec.CommandContext(ctx, checker, "--insecure", "--format", "json", "--output", report, domain).CombinedOutput()
	t.Logf("csaf_checker: %v\n%s", err, out)
	raw, rerr := os.ReadFile(report)
	if rerr != nil {
		t.Fatalf("no checker report: %v", rerr)
	}
	var rep checkerReport
	if err := json.Unmarshal(raw, &rep); err != nil || len(rep.Domains) != 1 {
		t.Fatalf("the checker report: %v\n%s", err, raw)
	}
	if d := rep.Domains[0]; !d.Passed || d.Role != "csaf_trusted_provider" {
		t.Errorf("the checker's verdict: passed %v as %q; want a passing csaf_trusted_provider", d.Passed, d.Role)
	}
	var failed []int
	seen := map[int]bool{}
	for _, r := range rep.Domains[0].Requirements {
		seen[r.Num] = true
		bad := false
		for _, m := range r.Messages {
			if m.Type == 2 { // error
				bad = true
			}
		}
		if bad {
			failed = append(failed, r.Num)
			if _, ok := checkerExpectedFailures[r.Num]; !ok {
				t.Errorf("requirement %d (%s) fails: %+v", r.Num, r.Description, r.Messages)
			}
		}
	}
	sort.Ints(failed)
	var want []int
	for n := range checkerExpectedFailures {
		want = append(want, n)
	}
	sort.Ints(want)
	if !slices.Equal(failed, want) {
		t.Errorf("failed requirements %v, want exactly %v (%v)\nreport: %s", failed, want, checkerExpectedFailures, raw)
	}
	for n := 1; n <= 20; n++ {
		if !seen[n] && n != 15 && n != 16 && n != 17 {
			t.Errorf("requirement %d is not in the report", n)
		}
	}

	// csaf_downloader fetches every advisory, checking its hashes,
	// signature and schema (strict mode: any failure is an error).
	dl := filepath.Join(dir, "download")
	out, err = exec.CommandContext(ctx, downloader, "--insecure", "--directory", dl, domain).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("level=ERROR")) {
		t.Fatalf("csaf_downloader: %v\n%s", err, out)
	}
	for _, a := range published {
		var got []string
		filepath.WalkDir(dl, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Name() == a.FileName {
				got = append(got, p)
			}
			return nil
		})
		if len(got) != 1 {
			t.Errorf("the downloader stored %s %d times: %v\n%s", a.FileName, len(got), got, out)
			continue
		}
		b, _ := os.ReadFile(got[0])
		if err := csaftest.Validate(t, csaftest.CSAF, b); err != nil || !strings.Contains(string(b), a.TrackingID) {
			t.Errorf("downloaded %s: %v", got[0], err)
		}
	}
}

// writeEncryptedKey writes a new signing key encrypted with passphrase
// to path and returns its fingerprint.
func writeEncryptedKey(t *testing.T, path, passphrase string) string {
	t.Helper()
	k, _, err := pgpkey.Generate("Example Org", "security@example.org", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Entity.EncryptPrivateKeys([]byte(passphrase), nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PrivateKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Entity.SerializePrivateWithoutSigning(w, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return k.Fingerprint()
}
